/**
 * A large outbox, written in bulk straight through the store (multi-row inserts in one
 * transaction), for the crash and fault tests: contacts with marketing consent on record, each
 * with one marketing and one transactional message due now. Every message's text ends with a
 * tag (`#M17`, `#T17`) by which the fake SMSC's record of submissions names it.
 */
import type { AppContext } from '../../src/app-context.js';
import type { DbOrTx } from '../../src/store/database.js';

/** US marketing text that passes the content rules (brand named, opt-out wording). */
const PROMO = 'Acme: spring sale, 20% off today. Reply STOP to opt out';
const ORDER = 'Acme: your order has shipped and arrives tomorrow';

export interface BulkMessage {
  readonly id: number;
  readonly purpose: 'marketing' | 'transactional';
  readonly tag: string;
}

export interface BulkOutbox {
  /** Every message, in the order of its tag number (marketing and transactional alternate). */
  readonly messages: readonly BulkMessage[];
  readonly byTag: ReadonlyMap<string, BulkMessage>;
}

/** The tag at the end of a submitted text, or null. */
export function tagOf(text: string): string | null {
  return /#[MT]\d+$/.exec(text)?.[0] ?? null;
}

/**
 * A time zone whose local time is early afternoon at `now` (so marketing passes the quiet hours
 * of every pack for the next few hours): `Etc/GMT-3` is UTC+3.
 */
export function afternoonZoneAt(now: Date): string {
  const offset = ((13 - now.getUTCHours() + 36) % 24) - 12; // -12 .. +11 hours from UTC
  if (offset === 0) return 'Etc/UTC';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

async function insertChunks<T>(
  rows: readonly T[],
  size: number,
  insert: (chunk: T[]) => Promise<unknown>,
) {
  for (let at = 0; at < rows.length; at += size) await insert(rows.slice(at, at + size));
}

/**
 * Writes `count` messages (rounded up to an even number) for count/2 US contacts whose own time
 * zone is `zone`, all queued and due at `now`.
 */
export async function seedBulkOutbox(
  ctx: AppContext,
  opts: { count: number; now: Date; zone: string },
): Promise<BulkOutbox> {
  const contacts = Math.ceil(opts.count / 2);
  const at = opts.now.toISOString();
  const consentAt = new Date(opts.now.getTime() - 30 * 86_400_000).toISOString();
  const numbers = Array.from({ length: contacts }, (_, i) => `+1415${String(2_000_000 + i)}`);
  const enc = numbers.map((n) => ctx.cipher.encrypt(n));
  const index = numbers.map((n) => ctx.cipher.blindIndex(n));
  const chunk = 500;
  return ctx.store.db.transaction().execute(async (tx: DbOrTx) => {
    const contactIds: number[] = [];
    await insertChunks(
      numbers.map((_, i) => i),
      chunk,
      async (part) => {
        const rows = await tx
          .insertInto('contacts')
          .values(
            part.map((i) => ({
              phone_enc: enc[i]!,
              phone_index: index[i]!,
              country: 'US',
              number_type: 'mobile',
              zones: '["America/Los_Angeles"]',
              own_zone: opts.zone,
              carrier: null,
              place: null,
              external_id: null,
              status: 'active',
              invalid_reason: null,
              birth_year: null,
              age_band: null,
              city: null,
              region: null,
              gender: null,
              locale: 'en',
              tags: '[]',
              custom: '{}',
              source: 'test',
              import_id: null,
              last_engaged_at: null,
              repermission_at: null,
              created_at: consentAt,
              updated_at: consentAt,
            })),
          )
          .returning('id')
          .execute();
        contactIds.push(...rows.map((r) => r.id));
      },
    );
    await insertChunks(contactIds, chunk, async (part) => {
      const events = await tx
        .insertInto('consent_events')
        .values(
          part.map((contactId) => ({
            contact_id: contactId,
            purpose: 'marketing',
            action: 'grant',
            method: 'web_form',
            source: 'test',
            ip: null,
            user_agent: null,
            form_url: null,
            consent_text_id: null,
            consent_text_hash: null,
            evidence: '{}',
            recorded_by: 'test',
            at: consentAt,
          })),
        )
        .returning(['id', 'contact_id'])
        .execute();
      await tx
        .insertInto('contact_consents')
        .values(
          events.map((e) => ({
            contact_id: e.contact_id,
            purpose: 'marketing',
            granted: 1,
            method: 'web_form',
            source: 'test',
            event_id: e.id,
            at: consentAt,
          })),
        )
        .execute();
    });
    const planned = Array.from({ length: contacts * 2 }, (_, n) => {
      const c = n >> 1;
      const marketing = n % 2 === 0;
      return {
        contact: c,
        purpose: marketing ? ('marketing' as const) : ('transactional' as const),
        tag: `#${marketing ? 'M' : 'T'}${n}`,
      };
    });
    const messages: BulkMessage[] = [];
    await insertChunks(planned, chunk, async (part) => {
      const rows = await tx
        .insertInto('messages')
        .values(
          part.map((m) => ({
            contact_id: contactIds[m.contact]!,
            phone_index: index[m.contact]!,
            phone_enc: enc[m.contact]!,
            purpose: m.purpose,
            kind: m.purpose === 'marketing' ? 'campaign' : 'api',
            body: `${m.purpose === 'marketing' ? PROMO : ORDER} ${m.tag}`,
            segments: 1,
            status: 'queued',
            carrier: null,
            pinned_carrier: null,
            carrier_message_id: null,
            error_code: null,
            not_before: at,
            lease_until: null,
            campaign_id: null,
            created_at: at,
            sent_at: null,
            delivered_at: null,
            country: 'US',
            sender: null,
            brand: 'Acme',
            template: null,
            decision: null,
            idempotency_key: null,
            request_hash: null,
          })),
        )
        .returning('id')
        .execute();
      rows.forEach((r, i) =>
        messages.push({ id: r.id, purpose: part[i]!.purpose, tag: part[i]!.tag }),
      );
      await tx
        .insertInto('message_events')
        .values(
          rows.map((r) => ({
            message_id: r.id,
            at,
            status: 'queued',
            detail: null,
            carrier: null,
          })),
        )
        .execute();
    });
    return { messages, byTag: new Map(messages.map((m) => [m.tag, m])) };
  });
}
