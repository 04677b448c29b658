// Issue 3's acceptance for the import, at the service level: every line of the 95-row fixture
// (nine countries, every writing, duplicates in other writings, invalid numbers) lands with the
// right E.164, type, zones and report line; provenance is enforced; a re-run changes nothing;
// an erased number comes back only as `suppressed`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src/contacts/import/importer.js';
import { eraseSubject } from '../../src/contacts/privacy.js';
import { insertConsentText } from '../../src/store/consents.js';
import { listImportLines } from '../../src/store/imports.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestContext } from '../helpers/context.js';
import type { AppContext } from '../../src/app-context.js';
import type { TestDatabase } from '../helpers/databases.js';

const FIXTURE = path.join(process.cwd(), 'test', 'fixtures', 'numbers.csv');
type Row = Record<string, string>;
const rows = parse(readFileSync(FIXTURE, 'utf8'), { columns: true }) as Row[];

describe.each(DIALECTS)('[%s] import of the numbers fixture', (dialect) => {
  let ctx: AppContext;
  let database: TestDatabase;
  let textKey: string;
  const counts = async () => ({
    contacts: Number(
      (
        await ctx.store.db
          .selectFrom('contacts')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    consents: Number(
      (
        await ctx.store.db
          .selectFrom('consent_events')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });
  const marketing = (file: string) =>
    importFile(
      ctx,
      {
        file,
        source: 'trade show 2026 sign-up sheets',
        purpose: 'marketing',
        consentMethod: 'paper',
        consentText: textKey,
        actor: 'test',
      },
      { workers: 0 },
    );

  beforeAll(async () => {
    ({ ctx, database } = await openTestContext(dialect));
    const text = await insertConsentText(ctx.store.db, {
      key: 'show-2026',
      version: 1,
      purpose: 'marketing',
      locale: 'en',
      body: 'Yes, text me offers. Reply STOP to opt out.',
      hash: 'a'.repeat(64),
      created_by: 'test',
      created_at: new Date().toISOString(),
    });
    textKey = text.key;
  });
  afterAll(async () => {
    await ctx.close();
    await database.drop();
  });

  it('refuses a marketing import without a declared consent basis', async () => {
    await expect(
      importFile(ctx, {
        file: FIXTURE,
        source: 'bought list',
        purpose: 'marketing',
        actor: 'test',
      }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/CONSENT_BASIS_MISSING|VALIDATION_FAILED/),
    });
    expect((await counts()).contacts).toBe(0);
  });

  it('lands every line with the right number, type, zones and report line', async () => {
    const result = await marketing(FIXTURE);
    const lines = await listImportLines(ctx.store.db, { importId: result.id, limit: 1000 });
    expect(lines).toHaveLength(rows.length);
    const byLine = new Map(lines.map((l) => [l.line, l]));
    for (const [i, row] of rows.entries()) {
      const line = byLine.get(i + 2)!;
      const where = `line ${i + 2} (${row.note})`;
      const [kind, detail] = row.expected_result!.split(':');
      if (kind === 'ok') {
        expect(line.outcome, where).toBe('created');
        const contact = await ctx.store.db
          .selectFrom('contacts')
          .selectAll()
          .where('id', '=', line.contact_id!)
          .executeTakeFirstOrThrow();
        expect(ctx.cipher.decrypt(contact.phone_enc), where).toBe(row.expected_e164);
        expect(contact.number_type, where).toBe(row.expected_type);
        expect(JSON.parse(contact.zones), where).toEqual(
          row.expected_zones ? row.expected_zones.split('|') : [],
        );
        expect(line.masked_phone, where).not.toContain(row.expected_e164!.slice(-8));
      } else if (kind === 'duplicate_of') {
        expect(line.outcome, where).toBe('duplicate');
        expect(line.reason ?? '', where).toContain(detail);
      } else {
        expect(line.outcome, where).toBe('invalid');
        expect(line.reason ?? '', where).toContain(detail);
      }
    }
    const created = rows.filter((r) => r.expected_result === 'ok').length;
    expect(result.counts.created).toBe(created);
    expect((await counts()).consents).toBe(created);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await counts();
    const again = await marketing(FIXTURE);
    expect(await counts()).toEqual(before);
    expect(again.counts.created).toBe(0);
    expect(again.counts.merged).toBe(rows.filter((r) => r.expected_result === 'ok').length);
  });

  it('reports an erased number as suppressed and never makes it sendable again', async () => {
    await eraseSubject(
      ctx,
      { phone: '+8613800138000' },
      { actor: 'test', reason: 'data subject request' },
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-import-'));
    const file = path.join(dir, 'again.csv');
    writeFileSync(file, 'phone\n+86 138 0013 8000\n');
    const result = await marketing(file);
    expect(result.counts).toMatchObject({ suppressed: 1, created: 0 });
    const stillGone = await ctx.store.db
      .selectFrom('contacts')
      .select('id')
      .where('phone_index', '=', ctx.cipher.blindIndex('+8613800138000'))
      .execute();
    expect(stillGone).toEqual([]);
  });
});
