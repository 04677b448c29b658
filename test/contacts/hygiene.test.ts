import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { createContact } from '../../src/contacts/contacts.js';
import { runHygiene, type HygieneReport } from '../../src/contacts/hygiene.js';
import { cleanCommand } from '../../src/cli/commands/privacy.js';
import { appendConsentEvent } from '../../src/store/consents.js';
import { insertContact } from '../../src/store/contacts.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { openTestContext } from '../helpers/context.js';

const NOW = new Date('2025-06-01T00:00:00.000Z');
const LONG_AGO = '2023-01-01T00:00:00.000Z';

/** Inserts a contact row as an older Herald (or older metadata) would have stored it. */
async function storeRaw(
  ctx: AppContext,
  e164: string,
  extra: { createdAt?: string; hardBounces?: number; externalId?: string; tags?: string[] } = {},
) {
  const at = extra.createdAt ?? '2024-01-01T00:00:00.000Z';
  return insertContact(ctx.store.db, {
    phone_enc: ctx.cipher.encrypt(e164),
    phone_index: ctx.cipher.blindIndex(e164),
    country: null,
    number_type: 'mobile',
    zones: '[]',
    own_zone: null,
    carrier: null,
    place: null,
    external_id: extra.externalId ?? null,
    status: 'active',
    invalid_reason: null,
    birth_year: null,
    age_band: null,
    city: null,
    region: null,
    gender: null,
    locale: null,
    tags: JSON.stringify(extra.tags ?? []),
    custom: '{}',
    source: 'legacy',
    import_id: null,
    hard_bounces: extra.hardBounces ?? 0,
    last_engaged_at: null,
    repermission_at: null,
    created_at: at,
    updated_at: at,
  });
}

async function snapshot(ctx: AppContext) {
  const db = ctx.store.db;
  return {
    contacts: await db.selectFrom('contacts').selectAll().orderBy('id').execute(),
    suppressions: await db.selectFrom('suppressions').selectAll().orderBy('phone_index').execute(),
    consentEvents: await db.selectFrom('consent_events').selectAll().orderBy('id').execute(),
    consents: await db.selectFrom('contact_consents').selectAll().orderBy('contact_id').execute(),
    events: await db.selectFrom('events').selectAll().orderBy('id').execute(),
    messages: await db.selectFrom('messages').selectAll().orderBy('id').execute(),
  };
}

describe.each(DIALECTS)('[%s] hygiene', (dialect) => {
  let ctx: AppContext;
  let database: TestDatabase;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ({ ctx, database } = await openTestContext(dialect, {
      HERALD_HARD_BOUNCE_LIMIT: '3',
      HERALD_REPERMISSION_DAYS: '540',
    }));
    const db = ctx.store.db;
    // Valid when stored; Côte d'Ivoire's 2021 plan made 8-digit numbers too short.
    ids.invalid = (await storeRaw(ctx, '+22501234567')).id;
    ids.bounced = (await storeRaw(ctx, '+8613900139000', { hardBounces: 3 })).id;
    ids.bouncing = (await storeRaw(ctx, '+8613900139001', { hardBounces: 2 })).id;
    // Stale: marketing consent from 2023 and no engagement since.
    const grant = (at: string) => ({
      purpose: 'marketing' as const,
      action: 'grant' as const,
      method: 'web_form' as const,
      source: 'test',
      at: new Date(at),
    });
    ids.stale = (
      await createContact(
        ctx,
        { phone: '+447400123456', source: 'test', consents: [grant(LONG_AGO)] },
        'test',
      )
    ).id;
    ids.engaged = (
      await createContact(
        ctx,
        { phone: '+447400123457', source: 'test', consents: [grant(LONG_AGO)] },
        'test',
      )
    ).id;
    await db
      .updateTable('contacts')
      .set({ last_engaged_at: '2025-05-01T00:00:00.000Z' })
      .where('id', '=', ids.engaged)
      .execute();
    ids.clicked = (
      await createContact(
        ctx,
        { phone: '+447400123458', source: 'test', consents: [grant(LONG_AGO)] },
        'test',
      )
    ).id;
    await db
      .insertInto('short_links')
      .values({
        code: 'abc123',
        target: 'https://shop.example/x',
        message_id: null,
        contact_id: ids.clicked,
        campaign_id: null,
        variant: null,
        created_at: '2025-04-01T00:00:00.000Z',
        expires_at: null,
      })
      .execute();
    await db
      .insertInto('link_clicks')
      .values({ code: 'abc123', at: '2025-04-02T00:00:00.000Z', is_bot: 0, visitor: 'v' })
      .execute();

    // Duplicates: the older row holds a stale writing (trunk zero after +49); the newer one the
    // current normalisation. The older one survives and takes the current normalisation.
    ids.oldDe = (
      await storeRaw(ctx, '+49015112345678', { createdAt: '2023-05-01T00:00:00.000Z', tags: ['a'] })
    ).id;
    ids.newDe = (
      await storeRaw(ctx, '+4915112345678', {
        createdAt: '2024-05-01T00:00:00.000Z',
        externalId: 'de-1',
        tags: ['b'],
      })
    ).id;
    // ...and the other way round: the stale writing is the newer row, so it is merged away.
    ids.oldCn = (
      await storeRaw(ctx, '+8613800138000', { createdAt: '2023-05-01T00:00:00.000Z' })
    ).id;
    ids.newCn = (
      await storeRaw(ctx, '+86013800138000', { createdAt: '2024-05-01T00:00:00.000Z' })
    ).id;
    // A stale writing with no twin: simply re-keyed.
    ids.fr = (await storeRaw(ctx, '+330612345678')).id;

    // Data hanging off the duplicates, to see it move.
    for (const [contact, key] of [
      [ids.oldDe, 'e-1'],
      [ids.newDe, 'e-2'],
      [ids.newCn, 'e-3'],
    ] as const) {
      await db
        .insertInto('events')
        .values({
          contact_id: contact,
          type: 'purchase',
          occurred_at: '2025-01-01T00:00:00.000Z',
          amount: 1,
          currency: 'EUR',
          category: null,
          sku: null,
          properties: '{}',
          idempotency_key: key,
          received_at: '2025-01-01T00:00:00.000Z',
        })
        .execute();
    }
    const newDeIndex = ctx.cipher.blindIndex('+4915112345678');
    await db.transaction().execute(async (tx) => {
      await appendConsentEvent(tx, {
        contact_id: ids.oldDe!,
        purpose: 'marketing',
        action: 'grant',
        method: 'web_form',
        source: 'old',
        ip: null,
        user_agent: null,
        form_url: null,
        consent_text_id: null,
        consent_text_hash: null,
        evidence: '{}',
        recorded_by: 'test',
        at: '2023-05-01T00:00:00.000Z',
      });
      // The newer contact revoked later: the revoke must win after the merge.
      await appendConsentEvent(tx, {
        contact_id: ids.newDe!,
        purpose: 'marketing',
        action: 'revoke',
        method: 'keyword',
        source: 'sms',
        ip: null,
        user_agent: null,
        form_url: null,
        consent_text_id: null,
        consent_text_hash: null,
        evidence: '{}',
        recorded_by: 'test',
        at: '2024-06-01T00:00:00.000Z',
      });
      await tx
        .insertInto('suppressions')
        .values({
          phone_index: newDeIndex,
          scope: 'marketing',
          reason: 'opt_out',
          note: null,
          created_by: 'test',
          created_at: '2024-06-01T00:00:00.000Z',
        })
        .execute();
    });
    await db
      .insertInto('messages')
      .values({
        contact_id: ids.newDe,
        phone_index: newDeIndex,
        phone_enc: ctx.cipher.encrypt('+4915112345678'),
        purpose: 'marketing',
        kind: 'campaign',
        body: 'hi',
        segments: 1,
        status: 'delivered',
        carrier: 'simulator',
        carrier_message_id: null,
        error_code: null,
        not_before: LONG_AGO,
        lease_until: null,
        campaign_id: null,
        created_at: LONG_AGO,
        sent_at: LONG_AGO,
        delivered_at: LONG_AGO,
      })
      .execute();
  });
  afterAll(async () => {
    await ctx.close();
    await database.drop();
  });

  let dry: HygieneReport;

  it('a dry run reports every change and changes nothing', async () => {
    const before = await snapshot(ctx);
    const out: string[] = [];
    dry = await cleanCommand(
      ctx,
      { dryRun: true, now: NOW, batchSize: '3' },
      { write: (s) => out.push(s) },
    );
    expect(await snapshot(ctx)).toEqual(before);
    expect(dry.counts).toMatchObject({
      scanned: 10,
      invalid_number: 1,
      hard_bounce: 1,
      merged: 2,
      renormalised: 1,
      repermission_flagged: 1,
      repermission_cleared: 0,
      suppressionsAdded: 0,
    });
    const text = out.join('');
    expect(text).toContain('dry run');
    expect(text).toContain(`contact ${ids.invalid}\t+225 0***4567\tinvalid_number\ttoo_short`);
    expect(text).toContain(
      `contact ${ids.oldDe}\t+49 151****5678\tmerged\tcontact ${ids.newDe} merged into ${ids.oldDe}`,
    );
    expect(text).not.toMatch(/\+?49015112345678|4915112345678|8613800138000|22501234567/);
  });

  it('invalidates, suppresses, merges, re-keys and flags as the dry run said', async () => {
    const report = await runHygiene(ctx, { now: NOW, actor: 'test', batchSize: 3 });
    expect(report.counts).toEqual({ ...dry.counts, suppressionsAdded: 2 });
    const db = ctx.store.db;
    const contact = (id: number) =>
      db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
    const suppressions = (e164: string) =>
      db
        .selectFrom('suppressions')
        .select(['scope', 'reason'])
        .where('phone_index', '=', ctx.cipher.blindIndex(e164))
        .orderBy('scope')
        .execute();

    expect(await contact(ids.invalid!)).toMatchObject({
      status: 'invalid',
      invalid_reason: 'too_short',
    });
    expect(await suppressions('+22501234567')).toEqual([{ scope: 'all', reason: 'invalid' }]);
    expect(await contact(ids.bounced!)).toMatchObject({
      status: 'invalid',
      invalid_reason: 'hard_bounce',
    });
    expect(await suppressions('+8613900139000')).toEqual([{ scope: 'all', reason: 'hard_bounce' }]);
    expect(await contact(ids.bouncing!)).toMatchObject({ status: 'active' });

    expect((await contact(ids.stale!))!.repermission_at).toBe(NOW.toISOString());
    expect((await contact(ids.engaged!))!.repermission_at).toBeNull();
    expect((await contact(ids.clicked!))!.repermission_at).toBeNull();

    // Older German row kept, now on the current normalisation, with everything of both.
    expect(await contact(ids.newDe!)).toBeUndefined();
    const de = (await contact(ids.oldDe!))!;
    expect(ctx.cipher.decrypt(de.phone_enc)).toBe('+4915112345678');
    expect(de).toMatchObject({
      phone_index: ctx.cipher.blindIndex('+4915112345678'),
      external_id: 'de-1',
      country: 'DE',
    });
    expect(JSON.parse(de.tags)).toEqual(['a', 'b']);
    const moved = await db
      .selectFrom('events')
      .select('idempotency_key')
      .where('contact_id', '=', ids.oldDe!)
      .orderBy('idempotency_key')
      .execute();
    expect(moved.map((e) => e.idempotency_key)).toEqual(['e-1', 'e-2']);
    const ledger = await db
      .selectFrom('consent_events')
      .select('action')
      .where('contact_id', '=', ids.oldDe!)
      .orderBy('id')
      .execute();
    expect(ledger.map((e) => e.action)).toEqual(['grant', 'revoke']);
    const state = await db
      .selectFrom('contact_consents')
      .selectAll()
      .where('contact_id', '=', ids.oldDe!)
      .execute();
    expect(state).toMatchObject([{ purpose: 'marketing', granted: 0, method: 'keyword' }]);
    expect(await suppressions('+4915112345678')).toEqual([
      { scope: 'marketing', reason: 'opt_out' },
    ]);
    const message = await db.selectFrom('messages').selectAll().executeTakeFirstOrThrow();
    expect(message).toMatchObject({
      contact_id: ids.oldDe,
      phone_index: ctx.cipher.blindIndex('+4915112345678'),
    });

    // Newer Chinese row (stale writing) merged into the older one, which keeps its number.
    expect(await contact(ids.newCn!)).toBeUndefined();
    const cn = (await contact(ids.oldCn!))!;
    expect(ctx.cipher.decrypt(cn.phone_enc)).toBe('+8613800138000');
    const cnEvents = await db
      .selectFrom('events')
      .select('idempotency_key')
      .where('contact_id', '=', ids.oldCn!)
      .execute();
    expect(cnEvents.map((e) => e.idempotency_key)).toEqual(['e-3']);

    const fr = (await contact(ids.fr!))!;
    expect(ctx.cipher.decrypt(fr.phone_enc)).toBe('+33612345678');
    expect(fr.phone_index).toBe(ctx.cipher.blindIndex('+33612345678'));

    const audit = await queryAuditRows(db, { action: 'hygiene.run', limit: 10 });
    expect(audit).toHaveLength(2);
    expect(JSON.parse(audit[0]!.details)).toEqual({ dryRun: false, counts: report.counts });
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ dryRun: true });
  });

  it('a second run finds nothing left to do', async () => {
    const before = await snapshot(ctx);
    const report = await runHygiene(ctx, { now: NOW, actor: 'test' });
    expect(report.lines).toEqual([]);
    expect(report.counts.scanned).toBe(9);
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('clears the re-permission flag once the contact engages again', async () => {
    await ctx.store.db
      .updateTable('contacts')
      .set({ last_engaged_at: '2025-05-30T00:00:00.000Z' })
      .where('id', '=', ids.stale!)
      .execute();
    const report = await runHygiene(ctx, { now: NOW, actor: 'test' });
    expect(report.counts.repermission_cleared).toBe(1);
    expect(report.lines).toEqual([
      { contactId: ids.stale, phone: '+44 740***3456', change: 'repermission_cleared' },
    ]);
  });
});
