/**
 * Behaviour events: a batch of purchases and custom events, each linked to a contact by id,
 * external id or number (through the blind index). Every item gets its own answer, so one bad
 * item never costs the good ones; an idempotency key makes a retried batch harmless. Each stored
 * event moves its contact's engagement mark, which hygiene and send-time optimisation read.
 */
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { AppContext } from '../app-context.js';
import {
  EVENT_REJECTIONS,
  checkEventFacts,
  type EventOutcome,
  type EventRejection,
} from '../core/events.js';
import { parsePhone, type CountryCode } from '../core/phone.js';
import {
  findIdempotencyKeys,
  insertEvents,
  resolveContactRefs,
  touchEngagement,
  type EventRow,
  type NewEventRow,
} from '../store/events.js';
import { RowId } from '../core/row-id.js';

export const MAX_EVENTS_PER_BATCH = 1000;
const MAX_PROPERTIES_CHARS = 4096;

const ContactRef = Type.Union([
  Type.Object({ id: RowId() }, { additionalProperties: false }),
  Type.Object(
    { externalId: Type.String({ minLength: 1, maxLength: 128 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      phone: Type.String({ minLength: 1, maxLength: 64 }),
      country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    },
    { additionalProperties: false },
  ),
]);

/** One event as clients send it. Checked per item, so it is not the request's body schema. */
export const EventInput = Type.Object(
  {
    type: Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,63}$',
      description: '`purchase`, or any custom event name',
    }),
    contact: ContactRef,
    occurredAt: Type.String({ format: 'date-time' }),
    properties: Type.Optional(
      Type.Object(
        {
          amount: Type.Optional(Type.Number()),
          currency: Type.Optional(Type.String({ description: 'ISO 4217, e.g. CNY, USD' })),
          category: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          sku: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        },
        { additionalProperties: true },
      ),
    ),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false, $id: 'EventInput' },
);
export type EventInput = Static<typeof EventInput>;

export interface EventItemResult {
  readonly index: number;
  readonly outcome: EventOutcome;
  readonly reason?: EventRejection;
  readonly message?: string;
}

export interface EventBatchResult {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly results: EventItemResult[];
}

type Ref =
  | { readonly by: 'id'; readonly id: number }
  | { readonly by: 'externalId'; readonly externalId: string }
  | { readonly by: 'phone'; readonly phoneIndex: string };

interface Candidate {
  readonly index: number;
  readonly ref: Ref;
  readonly row: Omit<NewEventRow, 'contact_id'>;
}

let currencies: ReadonlySet<string> | undefined;
function isoCurrencies(): ReadonlySet<string> {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies;
}

function firstSchemaError(raw: unknown): string {
  const errors = [...Value.Errors(EventInput, raw)];
  // The deepest path says the most; messages name paths and rules, never the values.
  const best = errors.sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  return best ? `${best.instancePath || '/'}: ${best.message}` : 'not an event';
}

function reject(index: number, reason: EventRejection, message: string): EventItemResult {
  return { index, outcome: 'rejected', reason, message };
}

/** Checks one item on its own; returns a candidate row or the reason it is refused. */
function checkItem(
  ctx: AppContext,
  raw: unknown,
  index: number,
  now: Date,
): Candidate | EventItemResult {
  if (!Value.Check(EventInput, raw)) return reject(index, 'invalid_event', firstSchemaError(raw));
  const { amount, currency, category, sku, ...custom } = raw.properties ?? {};
  const facts = checkEventFacts(
    { type: raw.type, occurredAt: raw.occurredAt, amount, currency },
    { now, currencies: isoCurrencies() },
  );
  if (!facts.ok) return reject(index, facts.reason, facts.message);
  const properties = JSON.stringify(custom);
  if (properties.length > MAX_PROPERTIES_CHARS) {
    return reject(index, 'invalid_event', `properties exceed ${MAX_PROPERTIES_CHARS} characters`);
  }
  let ref: Ref;
  if ('id' in raw.contact) ref = { by: 'id', id: raw.contact.id };
  else if ('externalId' in raw.contact)
    ref = { by: 'externalId', externalId: raw.contact.externalId };
  else {
    const country = (raw.contact.country ?? ctx.config.defaultCountry) as CountryCode | undefined;
    const parsed = parsePhone(raw.contact.phone, country);
    if (!parsed.ok) {
      return reject(index, 'invalid_number', `Not a valid phone number (${parsed.reason})`);
    }
    ref = { by: 'phone', phoneIndex: ctx.cipher.blindIndex(parsed.e164) };
  }
  return {
    index,
    ref,
    row: {
      type: raw.type,
      occurred_at: facts.occurredAt,
      amount: amount ?? null,
      currency: facts.currency,
      category: category ?? null,
      sku: sku ?? null,
      properties,
      idempotency_key: raw.idempotencyKey ?? null,
      received_at: now.toISOString(),
    },
  };
}

/**
 * Stores a batch of events. Answers per item, in the order given.
 *
 * @example
 *   await recordEvents(ctx, [{ type: 'purchase', contact: { externalId: 'c-1' },
 *     occurredAt: '2025-03-01T10:00:00Z', properties: { amount: 99, currency: 'CNY' } }],
 *     { now: new Date() });
 *   // { accepted: 1, duplicates: 0, rejected: 0, results: [{ index: 0, outcome: 'accepted' }] }
 */
export async function recordEvents(
  ctx: AppContext,
  items: readonly unknown[],
  opts: { readonly now: Date },
): Promise<EventBatchResult> {
  const results = new Map<number, EventItemResult>();
  const candidates: Candidate[] = [];
  const keysInBatch = new Set<string>();
  items.forEach((raw, index) => {
    const checked = checkItem(ctx, raw, index, opts.now);
    if ('outcome' in checked) return void results.set(index, checked);
    const key = checked.row.idempotency_key;
    if (key != null) {
      if (keysInBatch.has(key)) return void results.set(index, { index, outcome: 'duplicate' });
      keysInBatch.add(key);
    }
    candidates.push(checked);
  });

  const db = ctx.store.db;
  const found = await resolveContactRefs(db, {
    ids: candidates.flatMap((c) => (c.ref.by === 'id' ? [c.ref.id] : [])),
    externalIds: candidates.flatMap((c) => (c.ref.by === 'externalId' ? [c.ref.externalId] : [])),
    phoneIndexes: candidates.flatMap((c) => (c.ref.by === 'phone' ? [c.ref.phoneIndex] : [])),
  });
  const seen = await findIdempotencyKeys(db, [...keysInBatch]);
  const rows: (NewEventRow & { index: number })[] = [];
  for (const c of candidates) {
    const contactId =
      c.ref.by === 'id'
        ? found.ids.has(c.ref.id)
          ? c.ref.id
          : undefined
        : c.ref.by === 'externalId'
          ? found.byExternalId.get(c.ref.externalId)
          : found.byPhoneIndex.get(c.ref.phoneIndex);
    if (contactId === undefined) {
      results.set(c.index, reject(c.index, 'unknown_contact', 'No contact matches this reference'));
    } else if (c.row.idempotency_key != null && seen.has(c.row.idempotency_key)) {
      results.set(c.index, { index: c.index, outcome: 'duplicate' });
    } else {
      rows.push({ ...c.row, contact_id: contactId, index: c.index });
    }
  }

  if (rows.length > 0) {
    const { insertedKeys } = await db.transaction().execute(async (tx) => {
      const inserted = await insertEvents(
        tx,
        rows.map(({ index: _index, ...row }) => row),
      );
      const latest = new Map<number, string>();
      for (const r of rows) {
        // A key another request stored meanwhile: that request already moved the engagement.
        if (r.idempotency_key != null && !inserted.insertedKeys.has(r.idempotency_key)) continue;
        const prev = latest.get(r.contact_id);
        if (prev === undefined || prev < r.occurred_at) latest.set(r.contact_id, r.occurred_at);
      }
      for (const [contactId, at] of latest) await touchEngagement(tx, { contactId, at });
      return inserted;
    });
    for (const r of rows) {
      const raced = r.idempotency_key != null && !insertedKeys.has(r.idempotency_key);
      results.set(r.index, { index: r.index, outcome: raced ? 'duplicate' : 'accepted' });
    }
  }

  const ordered = [...results.values()].sort((a, b) => a.index - b.index);
  const count = (o: EventOutcome) => ordered.filter((r) => r.outcome === o).length;
  return {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
    results: ordered,
  };
}

/** An event as the API shows it. */
export interface EventView {
  readonly id: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly properties: Record<string, unknown>;
  readonly idempotencyKey: string | null;
}

export function eventView(row: EventRow): EventView {
  const properties = JSON.parse(row.properties) as Record<string, unknown>;
  for (const [k, v] of [
    ['amount', row.amount],
    ['currency', row.currency],
    ['category', row.category],
    ['sku', row.sku],
  ] as const) {
    if (v !== null) properties[k] = v;
  }
  return {
    id: row.id,
    type: row.type,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    properties,
    idempotencyKey: row.idempotency_key,
  };
}

export { EVENT_REJECTIONS };
