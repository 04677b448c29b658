/**
 * No phone number in clear, anywhere Herald persists or logs: a realistic flow (contacts created
 * in many writings, consents, events by number, a look-up, a reveal, an export, an erasure,
 * failed requests carrying numbers, the scheduled jobs), then a scan of the SQLite file and its
 * WAL byte by byte, of every row of every PostgreSQL table, and of every log line, for each number
 * in its E.164, international, national and bare-digit forms. Answers to the caller (an export,
 * a reveal) may hold the number; nothing stored may.
 */
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPhone, parsePhone, type CountryCode } from '../src/core/phone.js';
import { JOBS } from '../src/jobs/index.js';
import { startScheduler } from '../src/jobs/scheduler.js';
import { DIALECTS, PG_URL } from './helpers/databases.js';
import { openTestApp, type TestApp } from './helpers/context.js';

// [as written, default country]: every one a valid number; CN twice, once in full-width digits.
const WRITINGS: readonly (readonly [string, CountryCode | undefined])[] = [
  ['138 0013 8000', 'CN'],
  ['＋８６ １３９ １２３４ ５６７８', undefined],
  ['(201) 555-0123', 'US'],
  ['07400 123456', 'GB'],
  ['0151 1234 5678', 'DE'],
  ['090-1234-5678', 'JP'],
  ['+33 6 12 34 56 78', undefined],
  ['98765 43210', 'IN'],
];
const INVALID = '+86 110 1234 5678';

/** Every form of a number that must not appear in clear. */
function forms(written: string, country: CountryCode | undefined): string[] {
  const p = parsePhone(written, country);
  if (!p.ok) throw new Error(`not a valid test number: ${written}`);
  const digits = (s: string) => s.replace(/\D/g, '');
  return [
    p.e164,
    p.e164.slice(1),
    p.nationalNumber,
    digits(formatPhone(p.e164, 'national')),
    formatPhone(p.e164, 'international'),
    formatPhone(p.e164, 'national'),
  ];
}

/**
 * The text with separators between digits removed and full-width digits folded, so that a number
 * typed as `0151 1234 5678` or `１３９` is found by its bare digits too.
 */
function collapse(text: string): string {
  return text.normalize('NFKC').replace(/(\d)[\s\-.()/]+(?=\d)/g, '$1');
}

describe.each(DIALECTS)('[%s] privacy scan: no number in clear at rest or in logs', (dialect) => {
  let t: TestApp;
  const haystacks: Record<string, string> = {};
  const collapsed: Record<string, string> = {};
  const e164s = WRITINGS.map(([w, c]) => (parsePhone(w, c) as { e164: string }).e164);

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const key = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });
    const marketer = await key('marketer');
    const support = await key('support');
    const compliance = await key('compliance');
    const analyst = await key('analyst');
    const call = (method: string, url: string, headers: Record<string, string>, payload?: object) =>
      t.app.inject({ method: method as 'POST', url, headers, payload });

    const ids: number[] = [];
    for (const [i, [phone, country]] of WRITINGS.entries()) {
      const res = await call('POST', '/v1/contacts', marketer, {
        phone,
        country,
        externalId: `c-${i}`,
        attributes: { city: 'Springfield', tags: ['scan'] },
        consents: [
          { purpose: 'marketing', action: 'grant', method: 'web_form', source: 'signup' },
          { purpose: 'transactional', action: 'grant', method: 'api', source: 'checkout' },
        ],
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    // Events linked by number, in other writings than at creation.
    const events = await call('POST', '/v1/events', marketer, {
      events: [
        {
          type: 'purchase',
          contact: { phone: '+86 138-0013-8000' },
          occurredAt: '2025-05-01T10:00:00Z',
          properties: { amount: 12, currency: 'CNY' },
        },
        {
          type: 'purchase',
          contact: { phone: '2015550123', country: 'US' },
          occurredAt: '2025-05-01T10:00:00Z',
          properties: { amount: 3.5, currency: 'USD' },
        },
        { type: 'view', contact: { phone: INVALID }, occurredAt: '2025-05-01T10:00:00Z' },
      ],
    });
    expect(events.json()).toMatchObject({ accepted: 2, rejected: 1 });
    // A look-up by number, a reveal and a consent revoke.
    const found = await call(
      'GET',
      `/v1/contacts?phone=${encodeURIComponent('+44 7400 123456')}`,
      support,
    );
    expect(found.json().items).toHaveLength(1);
    const reveal = await call('POST', `/v1/contacts/${ids[2]}/reveal`, compliance, {
      reason: 'caller asked to confirm their number 07400 123456',
    });
    expect(reveal.statusCode).toBe(200);
    await call('POST', `/v1/contacts/${ids[3]}/consents`, marketer, {
      purpose: 'marketing',
      action: 'revoke',
      method: 'support',
      source: 'support call from +49 151 12345678',
      evidence: { note: 'called from 0151 1234 5678' },
    });
    // A manual block with a note that quotes the number.
    const block = await call('POST', '/v1/suppressions', compliance, {
      phone: '+33 6 12 34 56 78',
      scope: 'marketing',
      reason: 'complaint',
      note: 'complaint by +33 6 12 34 56 78 to the regulator',
    });
    expect(block.statusCode).toBe(201);
    // A data-subject export (the answer holds the number: allowed) and an erasure.
    const exported = await call('POST', '/v1/privacy/export', compliance, {
      phone: '0086 138 0013 8000',
      reason: 'DSAR from 138 0013 8000',
    });
    expect(exported.json().subject.phone).toBe(e164s[0]);
    const erased = await call('POST', '/v1/privacy/erase', compliance, {
      phone: '090 1234 5678',
      country: 'JP',
    });
    expect(erased.statusCode).toBe(200);
    // Failed requests that carry numbers: invalid, duplicate, forbidden, unknown route, bad body.
    expect((await call('POST', '/v1/contacts', marketer, { phone: INVALID })).statusCode).toBe(400);
    expect(
      (await call('POST', '/v1/contacts', marketer, { phone: '+1 201 555 0123' })).statusCode,
    ).toBe(409);
    expect((await call('GET', '/v1/contacts?phone=%2B919876543210', analyst)).statusCode).toBe(403);
    expect((await call('GET', '/v1/nothing/+33612345678', marketer)).statusCode).toBe(404);
    expect(
      (
        await call('POST', '/v1/privacy/export', compliance, {
          phone: '+8613912345678',
          extra: '+8613912345678',
        })
      ).statusCode,
    ).toBe(400);
    // The scheduled jobs (hygiene, retention, ...) log what they did.
    const scheduler = startScheduler(t.ctx, JOBS);
    await scheduler.runAll();
    await scheduler.stop();

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
      await t.ctx.close(); // checkpoints the WAL into the file
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
        // The whole row as text: every column, whatever its type.
        const rows = await client.query<{ row: string }>(
          `select (t.*)::text as row from "${t.database.schema}"."${table_name}" t`,
        );
        parts.push(`${table_name}: ${rows.rows.map((r) => r.row).join('\n')}`);
      }
      await client.end();
      haystacks.postgres = parts.join('\n');
    }
    for (const [where, text] of Object.entries(haystacks)) collapsed[where] = collapse(text);
  });
  afterAll(async () => {
    if (dialect === 'sqlite') await t.database.drop();
    else await t.close();
  });

  it('the scan reads real data (a live contact’s blind index is found)', () => {
    const index = t.ctx.cipher.blindIndex(e164s[1]!);
    for (const [where, text] of Object.entries(haystacks)) {
      if (where !== 'logs') expect(text, where).toContain(index);
    }
    expect(haystacks.logs).toContain('incoming request');
  });

  it.each(WRITINGS.map(([w, c]) => [w, c] as const))(
    '%s appears nowhere in clear',
    (written, country) => {
      for (const needle of forms(written, country)) {
        for (const [where, text] of Object.entries(haystacks)) {
          expect(text.includes(needle), `${where} holds ${needle}`).toBe(false);
          if (/^\d+$/.test(needle)) {
            expect(collapsed[where]!.includes(needle), `${where} holds ${needle} spaced`).toBe(
              false,
            );
          }
        }
      }
    },
  );

  it('nor does the invalid number a request carried', () => {
    for (const needle of ['+8611012345678', '8611012345678', '11012345678', INVALID]) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(needle), `${where} holds ${needle}`).toBe(false);
      }
    }
  });
});
