// The importer on both dialects: every row of test/fixtures/numbers.csv lands with its E.164,
// type, zones and report line; other encodings and delimiters; re-runs change nothing;
// provenance, suppressions, refusals, merges; a crash mid-import resumed to the same end state.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { hashConsentText } from '../../src/contacts/consent.js';
import {
  importFile,
  runImport,
  startImport,
  startResume,
  type RunOptions,
} from '../../src/contacts/import/importer.js';
import type { ImportRequest } from '../../src/contacts/import/plan.js';
import { maskPhone } from '../../src/core/phone.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { appendConsentEvent, consentHistory, insertConsentText } from '../../src/store/consents.js';
import { findImport, listImportLines, type ImportLine } from '../../src/store/imports.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestContext } from '../helpers/context.js';

export const FIXTURES = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  'fixtures',
);
export const fixture = (name: string) => path.join(FIXTURES, 'import', name);
export const NUMBERS_CSV = path.join(FIXTURES, 'numbers.csv');

export interface NumbersRow {
  line: number;
  phone: string;
  default_country: string;
  expected_e164: string;
  expected_type: string;
  expected_zones: string;
  expected_result: string;
  note: string;
}

/** test/fixtures/numbers.csv with each row's line (the header is line 1). */
export function numbersFixture(): NumbersRow[] {
  const rows = parse(readFileSync(NUMBERS_CSV, 'utf8'), { columns: true }) as Omit<
    NumbersRow,
    'line'
  >[];
  return rows.map((row, i) => ({ ...row, line: i + 2 }));
}

export async function addConsentTexts(ctx: AppContext) {
  const at = new Date().toISOString();
  const text = (key: string, purpose: string, body: string) =>
    insertConsentText(ctx.store.db, {
      key,
      version: 1,
      purpose,
      locale: 'en',
      body,
      hash: hashConsentText(body),
      created_by: 'test',
      created_at: at,
    });
  return {
    marketing: await text('trade-show', 'marketing', 'Yes, text me offers. Reply STOP to opt out.'),
    transactional: await text('service', 'transactional', 'Text me about my orders.'),
  };
}

export const MARKETING = {
  actor: 'user:test',
  source: '2025 trade show sign-up sheets',
  purpose: 'marketing',
  consentMethod: 'paper',
  consentText: 'trade-show',
} as const;

export async function runFile(
  ctx: AppContext,
  file: string,
  request: Partial<ImportRequest> = {},
  opts: RunOptions = {},
) {
  const result = await importFile(ctx, { ...MARKETING, file, ...request }, { workers: 0, ...opts });
  const lines = await listImportLines(ctx.store.db, { importId: result.id, limit: 100_000 });
  return { ...result, lines, byLine: new Map(lines.map((l) => [l.line, l])) };
}

export async function count(
  ctx: AppContext,
  table: 'contacts' | 'consent_events' | 'contact_consents' | 'import_rows' | 'imports',
): Promise<number> {
  const row = await ctx.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Report lines with the contact's number (decrypted) in place of its id, for comparisons. */
export async function normalisedReport(ctx: AppContext, lines: readonly ImportLine[]) {
  const contacts = await ctx.store.db.selectFrom('contacts').select(['id', 'phone_enc']).execute();
  const e164 = new Map(contacts.map((c) => [c.id, ctx.cipher.decrypt(c.phone_enc)]));
  return lines.map((l) => ({
    line: l.line,
    outcome: l.outcome,
    reason: l.reason,
    masked: l.masked_phone,
    contact: l.contact_id === null ? null : (e164.get(l.contact_id) ?? 'missing'),
  }));
}

/** Every contact as (number, type, zones, consents): what an import leaves behind. */
export async function contactState(ctx: AppContext) {
  const db = ctx.store.db;
  const contacts = await db.selectFrom('contacts').selectAll().execute();
  const consents = await db.selectFrom('contact_consents').selectAll().execute();
  const events = await db.selectFrom('consent_events').selectAll().execute();
  return contacts
    .map((c) => ({
      e164: ctx.cipher.decrypt(c.phone_enc),
      type: c.number_type,
      zones: c.zones,
      city: c.city,
      tags: c.tags,
      consents: consents
        .filter((s) => s.contact_id === c.id)
        .map((s) => `${s.purpose}:${s.granted}:${s.method}`),
      evidence: events
        .filter((e) => e.contact_id === c.id)
        .map((e) => (JSON.parse(e.evidence) as { line: number }).line),
    }))
    .sort((a, b) => a.e164.localeCompare(b.e164));
}

type Opened = Awaited<ReturnType<typeof openTestContext>>;

describe.each(DIALECTS)('[%s] import', (dialect) => {
  const opened: Opened[] = [];
  const fresh = async () => {
    const t = await openTestContext(dialect);
    opened.push(t);
    const texts = await addConsentTexts(t.ctx);
    return { ctx: t.ctx, texts, logs: t.logs };
  };
  afterAll(async () => {
    for (const t of opened) {
      await t.ctx.close();
      await t.database.drop();
    }
  });

  describe('test/fixtures/numbers.csv', () => {
    let ctx: AppContext;
    let first: Awaited<ReturnType<typeof runFile>>;
    const rows = numbersFixture();

    beforeAll(async () => {
      ({ ctx } = await fresh());
      // Through the worker threads, as large imports run (they load from TypeScript here).
      first = await runFile(ctx, NUMBERS_CSV, {}, { workers: 2, chunkRows: 16, batchRows: 40 });
    });

    it('reports every line, and counts them', () => {
      expect(first.lines.map((l) => l.line)).toEqual(rows.map((r) => r.line));
      const created = rows.filter((r) => r.expected_result === 'ok').length;
      const duplicate = rows.filter((r) => r.expected_result.startsWith('duplicate_of:')).length;
      expect(first.counts).toEqual({
        created,
        merged: 0,
        duplicate,
        invalid: rows.length - created - duplicate,
        suppressed: 0,
        refused: 0,
      });
    });

    it.each(rows)('line $line ($phone, $default_country): $expected_result', async (row) => {
      const line = first.byLine.get(row.line)!;
      if (row.expected_result.startsWith('invalid:')) {
        expect(line).toMatchObject({
          outcome: 'invalid',
          reason: row.expected_result.slice('invalid:'.length),
          contact_id: null,
          masked_phone: null,
        });
        return;
      }
      expect(line.masked_phone).toBe(maskPhone(row.expected_e164));
      if (row.expected_result.startsWith('duplicate_of:')) {
        const of = Number(row.expected_result.slice('duplicate_of:'.length));
        expect(line).toMatchObject({ outcome: 'duplicate', reason: `same number as line ${of}` });
        return;
      }
      expect(line.outcome).toBe('created');
      const contact = await ctx.store.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', line.contact_id!)
        .executeTakeFirstOrThrow();
      expect(ctx.cipher.decrypt(contact.phone_enc)).toBe(row.expected_e164);
      expect(contact.phone_index).toBe(ctx.cipher.blindIndex(row.expected_e164));
      expect(contact.number_type).toBe(row.expected_type);
      expect(JSON.parse(contact.zones)).toEqual(row.expected_zones.split('|'));
      expect(contact).toMatchObject({
        status: 'active',
        source: `import:${first.id}`,
        import_id: first.id,
        tags: '[]',
        custom: '{}',
      });
    });

    it('records one marketing grant per created contact, with the evidence of its line', async () => {
      const events = await ctx.store.db.selectFrom('consent_events').selectAll().execute();
      const created = first.lines.filter((l) => l.outcome === 'created');
      expect(events).toHaveLength(created.length);
      const text = await ctx.store.db
        .selectFrom('consent_texts')
        .selectAll()
        .where('key', '=', 'trade-show')
        .executeTakeFirstOrThrow();
      const sha256 = (await findImport(ctx.store.db, first.id))!.file_hash;
      for (const line of created) {
        const event = events.find((e) => e.contact_id === line.contact_id)!;
        expect(event).toMatchObject({
          purpose: 'marketing',
          action: 'grant',
          method: 'paper',
          source: `import:${first.id}`,
          consent_text_id: text.id,
          consent_text_hash: text.hash,
          recorded_by: 'user:test',
        });
        // Stored short; every reader of the ledger sees it whole, from the import's record.
        expect(JSON.parse(event.evidence)).toEqual({ import: first.id, line: line.line });
        const [read] = await consentHistory(ctx.store.db, event.contact_id);
        expect(JSON.parse(read!.evidence)).toEqual({
          import: first.id,
          provenance: MARKETING.source,
          file: 'numbers.csv',
          sha256,
          line: line.line,
        });
      }
      const states = await ctx.store.db.selectFrom('contact_consents').selectAll().execute();
      expect(states).toHaveLength(created.length);
      expect(states.every((s) => s.granted === 1 && s.purpose === 'marketing')).toBe(true);
    });

    it('audits the start and the finish with the counts', async () => {
      const [start] = await queryAuditRows(ctx.store.db, { action: 'import.start', limit: 5 });
      const [finish] = await queryAuditRows(ctx.store.db, { action: 'import.finish', limit: 5 });
      expect(start).toMatchObject({ actor: 'user:test', target: `import:${first.id}` });
      expect(JSON.parse(start!.details)).toMatchObject({
        file: 'numbers.csv',
        purpose: 'marketing',
        consentMethod: 'paper',
        source: MARKETING.source,
      });
      expect(JSON.parse(finish!.details)).toMatchObject({
        rows: rows.length,
        counts: first.counts,
      });
    });

    it('changes nothing when the same file is imported again', async () => {
      const before = {
        contacts: await count(ctx, 'contacts'),
        events: await count(ctx, 'consent_events'),
        states: await contactState(ctx),
      };
      const again = await runFile(ctx, NUMBERS_CSV);
      expect(await count(ctx, 'contacts')).toBe(before.contacts);
      expect(await count(ctx, 'consent_events')).toBe(before.events);
      expect(await contactState(ctx)).toEqual(before.states);
      expect(again.counts).toEqual({ ...first.counts, created: 0, merged: first.counts.created });
      for (const line of again.lines) {
        const was = first.byLine.get(line.line)!;
        if (was.outcome === 'created') {
          expect(line).toMatchObject({
            outcome: 'merged',
            reason: 'no change',
            contact_id: was.contact_id,
          });
        } else {
          expect([line.outcome, line.reason]).toEqual([was.outcome, was.reason]);
        }
      }
    });
  });

  it('reads the GBK file like its UTF-8 twin: the same lines, numbers and attributes', async () => {
    const { ctx } = await fresh();
    const utf8 = await runFile(ctx, fixture('contacts-zh.csv'));
    expect(utf8.counts).toMatchObject({ created: 8, duplicate: 2, invalid: 2 });
    expect([7, 13].map((l) => utf8.byLine.get(l)!.reason)).toEqual([
      'same number as line 2',
      'same number as line 3',
    ]);
    expect(utf8.byLine.get(8)!.reason).toBe('invalid_for_region');
    expect(utf8.byLine.get(14)!.reason).toBe('birth_year: must be at least 1900');
    // The quoted note over lines 4 and 5 is one record: the next one is on line 6.
    expect(utf8.byLine.get(6)!.masked_phone).toBe('+86 186****1234');
    const contact = await ctx.store.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', utf8.byLine.get(2)!.contact_id!)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({
      city: '上海',
      tags: JSON.stringify(['vip', '新客']),
      gender: 'male',
      birth_year: 1990,
      country: 'CN',
    });

    const before = await contactState(ctx);
    const gbk = await runFile(ctx, fixture('contacts-zh-gbk.csv'));
    expect(await contactState(ctx)).toEqual(before);
    expect(gbk.lines.map((l) => [l.line, l.masked_phone])).toEqual(
      utf8.lines.map((l) => [l.line, l.masked_phone]),
    );
    expect(gbk.counts).toMatchObject({ merged: 8, duplicate: 2, invalid: 2 });
  });

  it('reads semicolons with a BOM and tabs, and their attributes', async () => {
    const { ctx } = await fresh();
    const eu = await runFile(ctx, fixture('contacts-eu-semicolon.csv'));
    expect(eu.lines.map((l) => [l.line, l.outcome, l.reason])).toEqual([
      [2, 'created', null],
      [4, 'created', null],
      [5, 'created', null],
      [6, 'created', null],
      [7, 'created', null],
      [8, 'created', null],
      [9, 'duplicate', 'same number as line 2'],
      [10, 'invalid', 'invalid_for_region'],
      [11, 'duplicate', 'same number as line 7'],
    ]);
    const byNumber = new Map(
      (await ctx.store.db.selectFrom('contacts').selectAll().execute()).map((c) => [
        ctx.cipher.decrypt(c.phone_enc),
        c,
      ]),
    );
    expect(byNumber.get('+33612345678')).toMatchObject({
      tags: JSON.stringify(['vip', 'newsletter']),
      gender: 'female',
      locale: 'fr-FR',
    });
    expect(byNumber.get('+442079460123')).toMatchObject({ locale: 'en-GB', city: 'London' });
    expect(byNumber.get('+4915123456789')).toMatchObject({ gender: 'male', locale: 'de-DE' });

    const apac = await runFile(ctx, fixture('contacts-apac.tsv'), {
      purpose: 'transactional',
      consentMethod: undefined,
      consentText: undefined,
    });
    expect(apac.lines.map((l) => [l.line, l.outcome, l.reason])).toEqual([
      [2, 'created', null],
      [3, 'created', null],
      [4, 'created', null],
      [5, 'created', null],
      [6, 'created', null],
      [7, 'created', null],
      [8, 'duplicate', 'same number as line 6'],
      [9, 'invalid', 'too_short'],
      [10, 'refused', 'external_id already given to line 2 (another number)'],
    ]);
    const jp = byNumberAfter(await ctx.store.db.selectFrom('contacts').selectAll().execute(), ctx);
    expect(jp.get('+81312345678')).toMatchObject({ external_id: 'jp-2', city: '東京' });
    // A transactional import without a consent basis records no consent at all.
    expect(
      await ctx.store.db
        .selectFrom('consent_events')
        .select('id')
        .where('source', '=', `import:${apac.id}`)
        .execute(),
    ).toEqual([]);
  });

  describe('provenance', () => {
    it('refuses a marketing import without a consent basis, before reading anything', async () => {
      const { ctx } = await fresh();
      for (const missing of [
        { consentMethod: undefined },
        { consentText: undefined },
        { consentMethod: undefined, consentText: undefined },
      ]) {
        await expect(
          importFile(ctx, { ...MARKETING, ...missing, file: NUMBERS_CSV }),
        ).rejects.toMatchObject({
          code: 'CONSENT_BASIS_MISSING',
          message: expect.stringContaining('Bought or unproven lists are refused for marketing'),
        });
      }
      expect(await count(ctx, 'imports')).toBe(0);
      expect(await count(ctx, 'contacts')).toBe(0);
    });

    it.each([
      [{ source: '  ' }, 'VALIDATION_FAILED', /source/],
      [{ purpose: 'promo' }, 'VALIDATION_FAILED', /purpose/],
      [{ consentMethod: 'bought' }, 'VALIDATION_FAILED', /consent method/],
      [{ consentText: 'no-such-text' }, 'VALIDATION_FAILED', /No consent text/],
      [{ consentText: 'service' }, 'VALIDATION_FAILED', /is for transactional/],
      [{ purpose: 'transactional', consentText: undefined }, 'CONSENT_BASIS_MISSING', /both/],
      [{ defaultCountry: 'XX' }, 'VALIDATION_FAILED', /country/],
      [{ delimiter: ':' }, 'VALIDATION_FAILED', /delimiter/],
      [{ mapping: { phone: 'nope' } }, 'VALIDATION_FAILED', /no column/],
      [{ file: '/no/such/file.csv' }, 'IMPORT_FILE_INVALID', /Cannot read/],
    ])('refuses %j with %s', async (change, code, message) => {
      const { ctx } = await fresh();
      await expect(
        importFile(ctx, { ...MARKETING, file: NUMBERS_CSV, ...(change as Partial<ImportRequest>) }),
      ).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
      expect(await count(ctx, 'imports')).toBe(0);
    });
  });

  describe('suppressions, refusals and merges', () => {
    const file = fixture('contacts-eu-semicolon.csv');
    const suppress = (ctx: AppContext, e164: string, scope: string, reason: string) =>
      addSuppression(ctx.store.db, {
        phone_index: ctx.cipher.blindIndex(e164),
        scope,
        reason,
        note: null,
        created_by: 'test',
        created_at: new Date().toISOString(),
      });

    it('never makes a suppressed number sendable, not even after erasure', async () => {
      const { ctx, texts } = await fresh();
      await suppress(ctx, '+33612345678', 'all', 'erased');
      await suppress(ctx, '+4915123456789', 'marketing', 'opt_out');
      const marketing = await runFile(ctx, file);
      expect(marketing.byLine.get(2)).toMatchObject({
        outcome: 'suppressed',
        reason: 'suppressed for all (erased)',
        contact_id: null,
        masked_phone: '+33 61***5678',
      });
      expect(marketing.byLine.get(5)).toMatchObject({
        outcome: 'suppressed',
        reason: 'suppressed for marketing (opt_out)',
      });
      // The later writing of the erased number is still a repeat within the file.
      expect(marketing.byLine.get(9)!.outcome).toBe('duplicate');
      const numbers = (await ctx.store.db.selectFrom('contacts').select('phone_enc').execute()).map(
        (c) => ctx.cipher.decrypt(c.phone_enc),
      );
      expect(numbers).not.toContain('+33612345678');
      expect(numbers).not.toContain('+4915123456789');

      // Transactional: `all` still blocks; `marketing` does not, and no marketing consent appears.
      const service = await runFile(ctx, file, {
        purpose: 'transactional',
        consentText: String(texts.transactional.id),
      });
      expect(service.byLine.get(2)!.outcome).toBe('suppressed');
      expect(service.byLine.get(5)).toMatchObject({ outcome: 'created', reason: null });
      const consents = await ctx.store.db
        .selectFrom('contact_consents')
        .selectAll()
        .where('contact_id', '=', service.byLine.get(5)!.contact_id!)
        .execute();
      expect(consents.map((c) => [c.purpose, c.granted])).toEqual([['transactional', 1]]);
    });

    it('refuses a contact who withdrew, and merges changes with a reason', async () => {
      const { ctx } = await fresh();
      const first = await runFile(ctx, file, {
        purpose: 'transactional',
        consentMethod: undefined,
        consentText: undefined,
      });
      const paris = first.byLine.get(2)!.contact_id!;
      const london = first.byLine.get(7)!.contact_id!;
      await appendConsentEvent(ctx.store.db, {
        contact_id: london,
        purpose: 'marketing',
        action: 'revoke',
        method: 'keyword',
        source: 'inbound',
        ip: null,
        user_agent: null,
        form_url: null,
        consent_text_id: null,
        consent_text_hash: null,
        evidence: '{}',
        recorded_by: 'test',
        at: '2025-03-01T10:00:00.000Z',
      });
      await ctx.store.db
        .updateTable('contacts')
        .set({ city: 'Marseille', tags: '["vip"]' })
        .where('id', '=', paris)
        .execute();
      const events = await count(ctx, 'consent_events');
      const second = await runFile(ctx, file);
      expect(second.byLine.get(7)).toMatchObject({
        outcome: 'refused',
        reason: 'marketing consent withdrawn on 2025-03-01 (keyword); an import cannot renew it',
        contact_id: london,
      });
      expect(second.byLine.get(2)).toMatchObject({
        outcome: 'merged',
        reason: 'updated city, tags; marketing consent granted',
        contact_id: paris,
      });
      expect(second.byLine.get(4)!.reason).toBe('marketing consent granted');
      const city = await ctx.store.db
        .selectFrom('contacts')
        .select(['city', 'tags'])
        .where('id', '=', paris)
        .executeTakeFirstOrThrow();
      expect(city).toEqual({ city: 'Paris', tags: JSON.stringify(['vip', 'newsletter']) });
      expect(await count(ctx, 'consent_events')).toBe(events + second.counts.merged);
    });
  });

  describe('a crash mid-import', () => {
    it('leaves nothing of the failed batch and resumes to the state of an uninterrupted run', async () => {
      const small = { chunkRows: 7, batchRows: 10 };
      const whole = await fresh();
      const uninterrupted = await runFile(whole.ctx, NUMBERS_CSV, {}, small);

      const { ctx } = await fresh();
      const plan = await startImport(ctx, { ...MARKETING, file: NUMBERS_CSV });
      const crash = new Error('power cut');
      await expect(
        runImport(ctx, plan, {
          ...small,
          workers: 0,
          beforeCommit: ({ index }) => {
            if (index === 3) throw crash;
          },
        }),
      ).rejects.toBe(crash);
      const stopped = (await findImport(ctx.store.db, plan.record.id))!;
      expect(stopped).toMatchObject({ status: 'failed', processed_rows: 30, error: 'power cut' });
      const written = await listImportLines(ctx.store.db, { importId: stopped.id, limit: 1000 });
      expect(written.map((l) => l.line)).toEqual(
        uninterrupted.lines.slice(0, 30).map((l) => l.line),
      );
      const createdSoFar = written.filter((l) => l.outcome === 'created').length;
      expect(await count(ctx, 'contacts')).toBe(createdSoFar);
      expect(await count(ctx, 'consent_events')).toBe(createdSoFar);

      const resumed = await runImport(
        ctx,
        await startResume(ctx, stopped.id, { actor: 'user:other' }),
        { ...small, workers: 0 },
      );
      expect(resumed).toMatchObject({
        id: stopped.id,
        processedRows: 95,
        counts: uninterrupted.counts,
      });
      const lines = await listImportLines(ctx.store.db, { importId: stopped.id, limit: 1000 });
      expect(await normalisedReport(ctx, lines)).toEqual(
        await normalisedReport(whole.ctx, uninterrupted.lines),
      );
      expect(await contactState(ctx)).toEqual(await contactState(whole.ctx));
      const [resume] = await queryAuditRows(ctx.store.db, { action: 'import.resume', limit: 1 });
      expect(resume).toMatchObject({ actor: 'user:other', target: `import:${stopped.id}` });
      await expect(startResume(ctx, stopped.id, { actor: 'x' })).rejects.toMatchObject({
        code: 'IMPORT_CONFLICT',
      });
    });

    it('refuses to resume with another file, and a second run of a running import', async () => {
      const { ctx } = await fresh();
      const plan = await startImport(ctx, { ...MARKETING, file: NUMBERS_CSV });
      await expect(
        startResume(ctx, plan.record.id, { actor: 'x', file: fixture('contacts-zh.csv') }),
      ).rejects.toMatchObject({ code: 'IMPORT_CONFLICT', message: /SHA-256/ });
      // Two runs of one import: the second finds the checkpoint moved and stops.
      const runs = await Promise.allSettled([
        runImport(ctx, plan, { workers: 0, batchRows: 10, chunkRows: 10 }),
        runImport(ctx, plan, { workers: 0, batchRows: 10, chunkRows: 10 }),
      ]);
      expect(runs.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = runs.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ code: 'IMPORT_CONFLICT' });
      await expect(startResume(ctx, 999, { actor: 'x' })).rejects.toMatchObject({
        code: 'IMPORT_NOT_FOUND',
      });
    });
  });
});

function byNumberAfter(rows: { phone_enc: string }[], ctx: AppContext) {
  return new Map(rows.map((c) => [ctx.cipher.decrypt(c.phone_enc), c]));
}
