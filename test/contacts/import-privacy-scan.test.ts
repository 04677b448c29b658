// After imports (an API upload running in the background, GBK, semicolon and tab files, a
// re-run), no imported number is anywhere in clear: not in the bytes of the SQLite file and its
// WAL, not in any PostgreSQL table, not in the logs, not left behind in the upload folder. Every
// number is looked for as E.164, without its +, as national digits and as formatted.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashConsentText } from '../../src/contacts/consent.js';
import { importFile } from '../../src/contacts/import/importer.js';
import { formatPhone, parsePhone, type CountryCode } from '../../src/core/phone.js';
import { insertConsentText } from '../../src/store/consents.js';
import { DIALECTS, PG_URL } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures');
const FILES: readonly [file: string, encoding: string, delimiter: string][] = [
  ['import/contacts-zh-gbk.csv', 'gbk', ','],
  ['import/contacts-eu-semicolon.csv', 'utf8', ';'],
  ['import/contacts-apac.tsv', 'utf8', '\t'],
];

/** Every number cell of the fixtures with its country: [valid E.164s, digits of invalid cells]. */
function numbersOfFixtures(): { valid: Set<string>; invalidDigits: Set<string> } {
  const valid = new Set<string>();
  const invalidDigits = new Set<string>();
  const add = (cell: string, country: string) => {
    const parsed = parsePhone(cell, (country || undefined) as CountryCode | undefined);
    if (parsed.ok) valid.add(parsed.e164);
    else if (cell.replace(/\D/g, '').length >= 7) invalidDigits.add(cell.replace(/\D/g, ''));
  };
  const numbers = parse(readFileSync(path.join(FIXTURES, 'numbers.csv'), 'utf8'), {
    columns: true,
  }) as { phone: string; default_country: string }[];
  for (const row of numbers) add(row.phone, row.default_country);
  for (const [file, encoding, delimiter] of FILES) {
    const text = iconv.decode(readFileSync(path.join(FIXTURES, file)), encoding);
    const rows = parse(text, { delimiter, bom: true, relax_column_count: true }) as string[][];
    for (const row of rows.slice(1)) add(row[0]!.normalize('NFKC'), row[1] ?? '');
  }
  return { valid, invalidDigits };
}

function forms(e164: string): string[] {
  const p = parsePhone(e164);
  if (!p.ok) throw new Error('not a valid number');
  const digits = (s: string) => s.replace(/\D/g, '');
  return [
    e164,
    e164.slice(1),
    p.nationalNumber,
    digits(formatPhone(e164, 'national')),
    formatPhone(e164, 'international'),
    formatPhone(e164, 'national'),
  ];
}

/** Digits with separators between them removed, full width folded: `0151 2345` -> `01512345`. */
function collapse(text: string): string {
  return text.normalize('NFKC').replace(/(\d)[\s\-.()/]+(?=\d)/g, '$1');
}

describe.each(DIALECTS)('[%s] no imported number in clear', (dialect) => {
  let t: TestApp;
  const haystacks: Record<string, string> = {};
  const collapsed: Record<string, string> = {};
  const { valid, invalidDigits } = numbersOfFixtures();

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const body = 'Yes, text me offers. Reply STOP to opt out.';
    await insertConsentText(t.ctx.store.db, {
      key: 'trade-show',
      version: 1,
      purpose: 'marketing',
      locale: 'en',
      body,
      hash: hashConsentText(body),
      created_by: 'test',
      created_at: new Date().toISOString(),
    });
    const headers = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    const upload = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?source=sheets&purpose=marketing&consentMethod=paper&consentText=trade-show',
      headers: { ...headers, 'content-type': 'text/csv' },
      payload: readFileSync(path.join(FIXTURES, 'numbers.csv')),
    });
    expect(upload.statusCode).toBe(202);
    for (let i = 0; i < 1200; i++) {
      const view = await t.app.inject({
        method: 'GET',
        url: `/v1/imports/${upload.json().id}`,
        headers,
      });
      if (view.json().status !== 'running') {
        expect(view.json().status).toBe('done');
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const request = {
      actor: 'test',
      source: 'sheets',
      purpose: 'marketing',
      consentMethod: 'paper',
      consentText: 'trade-show',
    };
    for (const [file] of [...FILES, ...FILES]) {
      await importFile(t.ctx, { ...request, file: path.join(FIXTURES, file) }, { workers: 0 });
    }
    expect(readdirSync(path.join(t.database.dataDir, 'imports'))).toEqual([]);

    haystacks.logs = t.logs();
    if (dialect === 'sqlite') {
      const file = t.ctx.config.database.dialect === 'sqlite' ? t.ctx.config.database.file : '';
      const read = () =>
        [file, `${file}-wal`]
          .filter(existsSync)
          .map((f) => readFileSync(f).toString('utf8'))
          .join('\n');
      haystacks.sqliteOpen = read();
      await t.app.close();
      await t.ctx.close();
      haystacks.sqliteClosed = read();
    } else {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      const tables = await client.query<{ table_name: string }>(
        'select table_name from information_schema.tables where table_schema = $1',
        [t.database.schema],
      );
      const parts: string[] = [];
      for (const { table_name } of tables.rows) {
        const rows = await client.query<{ row: string }>(
          `select (t.*)::text as row from "${t.database.schema}"."${table_name}" t`,
        );
        parts.push(`${table_name}: ${rows.rows.map((r) => r.row).join('\n')}`);
      }
      await client.end();
      haystacks.postgres = parts.join('\n');
    }
    for (const [where, text] of Object.entries(haystacks)) collapsed[where] = collapse(text);
  }, 120_000);
  afterAll(async () => {
    if (dialect === 'sqlite') await t.database.drop();
    else await t.close();
  });

  it('scans real data: the imported contacts and report lines are there', () => {
    // numbers.csv has 34 distinct numbers; the other files write some of them again.
    expect(valid.size).toBeGreaterThanOrEqual(34);
    const store = dialect === 'sqlite' ? haystacks.sqliteClosed! : haystacks.postgres!;
    expect(store).toContain('+86 138****8000');
    expect(store).toContain('same number as line 2');
  });

  it('finds none of the imported numbers in any form', () => {
    for (const e164 of valid) {
      for (const needle of forms(e164)) {
        for (const [where, text] of Object.entries(haystacks)) {
          expect(text.includes(needle), `${where} holds ${needle}`).toBe(false);
          if (/^\d+$/.test(needle)) {
            expect(collapsed[where]!.includes(needle), `${where} holds ${needle}`).toBe(false);
          }
        }
      }
    }
  });

  it('nor the digits of the invalid cells, which are reported by reason only', () => {
    for (const needle of invalidDigits) {
      for (const [where, text] of Object.entries(collapsed)) {
        expect(text.includes(needle), `${where} holds ${needle}`).toBe(false);
      }
    }
  });
});
