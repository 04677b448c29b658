// /v1/imports on both dialects: upload -> poll -> report, permissions, provenance up front.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashConsentText } from '../../src/contacts/consent.js';
import { insertConsentText } from '../../src/store/consents.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures');
const NUMBERS = readFileSync(path.join(FIXTURES, 'numbers.csv'));
const MARKETING =
  'source=2025%20trade%20show&purpose=marketing&consentMethod=paper&consentText=trade-show';

describe.each(DIALECTS)('[%s] imports API', (dialect) => {
  let t: TestApp;
  let marketer: Record<string, string>;
  let compliance: Record<string, string>;
  let analyst: Record<string, string>;

  const upload = (query: string, body: Buffer | string, headers = marketer, type = 'text/csv') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/imports?${query}`,
      headers: { ...headers, 'content-type': type },
      payload: body,
    });
  const get = (url: string, headers = marketer) => t.app.inject({ method: 'GET', url, headers });
  const finished = async (id: number) => {
    for (let i = 0; i < 1200; i++) {
      const view = get(`/v1/imports/${id}`).then((r) => r.json());
      const { status } = await view;
      if (status !== 'running') return view;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the import did not finish');
  };
  // The run removes its upload just after it records the import done: wait for that step too.
  const uploadsLeft = async () => {
    const dir = path.join(t.database.dataDir, 'imports');
    for (let i = 0; i < 1200 && readdirSync(dir).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return readdirSync(dir);
  };

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
    const bearer = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });
    marketer = await bearer('marketer');
    compliance = await bearer('compliance');
    analyst = await bearer('analyst');
  });
  afterAll(async () => t.close());

  it('uploads, runs in the background, and reports every line', async () => {
    const res = await upload(`${MARKETING}&fileName=numbers.csv`, NUMBERS);
    expect(res.statusCode).toBe(202);
    const started = res.json();
    expect(started).toMatchObject({
      status: 'running',
      fileName: 'numbers.csv',
      purpose: 'marketing',
      consentMethod: 'paper',
      mapping: { phone: 'phone', country: 'default_country' },
      processedRows: 0,
      estimatedRows: 95,
    });
    const done = await finished(started.id);
    expect(done).toMatchObject({
      status: 'done',
      processedRows: 95,
      counts: { created: 34, merged: 0, duplicate: 35, invalid: 26, suppressed: 0, refused: 0 },
    });
    // The upload held numbers in clear: it is gone once the import is done.
    expect(await uploadsLeft()).toEqual([]);

    const page1 = (await get(`/v1/imports/${started.id}/report?limit=60`)).json();
    expect(page1.items).toHaveLength(60);
    expect(page1.items[0]).toEqual({
      line: 2,
      outcome: 'created',
      reason: null,
      maskedPhone: '+86 138****8000',
      contactId: expect.any(Number),
    });
    const page2 = (
      await get(`/v1/imports/${started.id}/report?limit=60&afterLine=${page1.nextAfterLine}`)
    ).json();
    expect(page2.items).toHaveLength(35);
    expect(page2.nextAfterLine).toBeNull();
    const invalid = (await get(`/v1/imports/${started.id}/report?outcome=invalid`)).json();
    expect(invalid.items).toHaveLength(26);
    expect(invalid.items.every((l: { maskedPhone: null }) => l.maskedPhone === null)).toBe(true);

    const csv = await get(`/v1/imports/${started.id}/report?format=csv`, compliance);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('line,outcome,reason,masked_phone,contact_id');
    expect(lines).toHaveLength(96);
    // The masked number starts with +: the CSV neutralises it so a spreadsheet shows it as text.
    expect(lines[3]).toBe("4,duplicate,same number as line 2,'+86 138****8000,");
    expect(csv.body).not.toContain('13800138000');

    const list = (await get('/v1/imports?limit=10', compliance)).json();
    expect(list.items.map((i: { id: number }) => i.id)).toContain(started.id);

    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/imports/${started.id}/resume`,
      headers: marketer,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('IMPORT_CONFLICT');
  }, 90_000);

  it('leaves out the columns it is told to ignore, even those named like a field', async () => {
    const csv = '手机号,城市,性别,备注\n+8613800138111,上海,女,VIP\n+8613800138112,北京,男,\n';
    const res = await upload(
      `${MARKETING}&fileName=ignore.csv&ignore=${encodeURIComponent('城市')}&ignore=${encodeURIComponent('性别')}`,
      csv,
    );
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({
      mapping: { phone: '手机号' },
      ignoredColumns: ['城市', '性别', '备注'],
    });
    const done = await finished(res.json().id);
    expect(done.counts).toMatchObject({ created: 2 });
    const created = await t.ctx.store.db
      .selectFrom('contacts')
      .select(['city', 'gender'])
      .where('phone_index', 'in', [
        t.ctx.cipher.blindIndex('+8613800138111'),
        t.ctx.cipher.blindIndex('+8613800138112'),
      ])
      .execute();
    expect(created).toEqual([
      { city: null, gender: null },
      { city: null, gender: null },
    ]);
    const missing = await upload(`${MARKETING}&ignore=${encodeURIComponent('省份')}`, csv);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('省份');
  });

  it('refuses a marketing upload without a consent basis, before reading the body', async () => {
    const res = await upload('source=bought%20list&purpose=marketing', NUMBERS);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'CONSENT_BASIS_MISSING',
      message: expect.stringContaining('Bought or unproven lists are refused for marketing'),
    });
  });

  it('refuses what cannot be imported with a clear error, keeping no upload', async () => {
    const noPhone = await upload(MARKETING, 'name,city\nAnna,Paris\n');
    expect(noPhone.statusCode).toBe(400);
    expect(noPhone.json().error.code).toBe('IMPORT_FILE_INVALID');
    const json = await upload(MARKETING, '{"phone":"1"}', marketer, 'application/json');
    expect(json.statusCode).toBe(415);
    const badQuery = await upload('source=x&purpose=promo', NUMBERS);
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().error.code).toBe('VALIDATION_FAILED');
    expect((await get('/v1/imports/99999')).json().error.code).toBe('IMPORT_NOT_FOUND');
    expect(readdirSync(path.join(t.database.dataDir, 'imports'))).toEqual([]);
  });

  it('needs imports:write to upload and contacts:read to read', async () => {
    expect((await upload(MARKETING, NUMBERS, compliance)).statusCode).toBe(403);
    expect((await upload(MARKETING, NUMBERS, analyst)).statusCode).toBe(403);
    expect((await get('/v1/imports', analyst)).statusCode).toBe(403);
    expect((await get('/v1/imports', {})).statusCode).toBe(401);
  });
});
