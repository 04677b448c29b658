import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashConsentText } from '../../src/contacts/consent.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

describe.each(DIALECTS)('[%s] contacts API', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let marketer: Record<string, string>;
  let compliance: Record<string, string>;
  let support: Record<string, string>;
  let analyst: Record<string, string>;

  const post = (url: string, headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as object });
  const get = (url: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const bearer = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });
    admin = await bearer('admin');
    marketer = await bearer('marketer');
    compliance = await bearer('compliance');
    support = await bearer('support');
    analyst = await bearer('analyst');
  });
  afterAll(async () => t.close());

  it('creates a contact from a national writing and derives country, type, zones and carrier', async () => {
    const res = await post('/v1/contacts', marketer, {
      phone: '139 1234 5678',
      country: 'CN',
      externalId: 'shop-1',
      attributes: {
        city: '常州',
        tags: ['vip', 'vip', 'new'],
        birth_year: 1990,
        gender: 'female',
        locale: 'zh-cn',
      },
    });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({
      phone: '+86 139****5678',
      country: 'CN',
      numberType: 'mobile',
      zones: ['Asia/Shanghai'],
      externalId: 'shop-1',
      status: 'active',
      attributes: {
        city: '常州',
        tags: ['vip', 'new'],
        birth_year: 1990,
        gender: 'female',
        locale: 'zh-CN',
      },
    });
    expect(c.carrier).toBeTruthy();
    expect(JSON.stringify(c)).not.toContain('12345678');
  });

  it.each([
    ['+86 139-1234-5678', undefined],
    ['0086 13912345678', 'US'],
    ['＋８６１３９１２３４５６７８', undefined],
  ])(
    'refuses the same number written as %s with 409 and the existing id',
    async (phone, country) => {
      const res = await post('/v1/contacts', marketer, { phone, country });
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({
        code: 'CONTACT_EXISTS',
        details: { id: expect.any(Number) },
      });
    },
  );

  it.each([
    ['12345', 'CN'],
    ['+86 110 1234 5678', undefined],
    ['hello', 'US'],
    ['020 7946 0123', undefined],
  ])('answers 400 CONTACT_INVALID_NUMBER for %s', async (phone, country) => {
    const res = await post('/v1/contacts', marketer, { phone, country });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('CONTACT_INVALID_NUMBER');
    expect(res.body).not.toContain(phone);
  });

  it('validates attributes against their declared types', async () => {
    const bad = await post('/v1/contacts', marketer, {
      phone: '+14155550123',
      attributes: { gender: 'robot' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('ATTRIBUTE_INVALID');
    const undeclared = await post('/v1/contacts', marketer, {
      phone: '+14155550123',
      attributes: { custom: { tier: 'gold' } },
    });
    expect(undeclared.json().error.code).toBe('ATTRIBUTE_INVALID');
    const declared = await t.app.inject({
      method: 'PUT',
      url: '/v1/attributes/tier',
      headers: admin,
      payload: { type: 'enum', values: ['gold', 'silver'] },
    });
    expect(declared.statusCode).toBe(200);
    const wrong = await post('/v1/contacts', marketer, {
      phone: '+14155550123',
      attributes: { custom: { tier: 'bronze' } },
    });
    expect(wrong.json().error).toMatchObject({
      code: 'ATTRIBUTE_INVALID',
      details: { errors: [{ field: 'tier' }] },
    });
    const ok = await post('/v1/contacts', marketer, {
      phone: '+1 (415) 555-0123',
      attributes: { custom: { tier: 'gold' } },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().attributes.custom).toEqual({ tier: 'gold' });
    expect(ok.json().zones).toEqual(['America/Los_Angeles']);
  });

  it('looks a contact up by number in any writing through the blind index', async () => {
    const res = await get('/v1/contacts?phone=%2B86%20139%201234%205678', support);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(1);
    expect(res.json().items[0].phone).toBe('+86 139****5678');
    const none = await get('/v1/contacts?phone=%2B8613800138000', support);
    expect(none.json().items).toEqual([]);
  });

  it('lists with filters and keyset paging; analysts see no personal data', async () => {
    const page1 = await get('/v1/contacts?limit=1', marketer);
    expect(page1.json().items).toHaveLength(1);
    const page2 = await get(`/v1/contacts?limit=1&after=${page1.json().nextAfter}`, marketer);
    expect(page2.json().items[0].id).toBeGreaterThan(page1.json().items[0].id);
    const cn = await get('/v1/contacts?country=CN&tag=vip', marketer);
    expect(cn.json().items.map((c: { country: string }) => c.country)).toEqual(['CN']);
    expect((await get('/v1/contacts', analyst)).statusCode).toBe(403);
  });

  it('reveals the clear number only with contacts:reveal, and audits the reason', async () => {
    const id = (await get('/v1/contacts?phone=%2B8613912345678', support)).json().items[0].id;
    const denied = await post(`/v1/contacts/${id}/reveal`, marketer, { reason: 'curious' });
    expect(denied.statusCode).toBe(403);
    const res = await post(`/v1/contacts/${id}/reveal`, compliance, {
      reason: 'data subject called',
    });
    expect(res.json()).toEqual({ id, phone: '+8613912345678' });
    const audit = await queryAuditRows(t.ctx.store.db, { action: 'contact.reveal', limit: 5 });
    expect(audit[0]).toMatchObject({ target: `contact:${id}` });
    expect(JSON.parse(audit[0]!.details)).toEqual({ reason: 'data subject called' });
    expect(audit[0]!.actor).toMatch(/^apikey:/);
  });

  it('keeps the whole hash of a published consent text in the audit log, digit runs and all', async () => {
    // A body whose SHA-256 holds a run of seven decimal digits: once masked there as a "number".
    let body = '';
    for (let n = 0; !/[0-9]{7}/.test(hashConsentText(body)); n++) body = `I agree (v${n}).`;
    const published = await post('/v1/consent-texts', marketer, {
      key: 'hash-evidence',
      purpose: 'marketing',
      locale: 'en',
      body,
    });
    expect(published.statusCode).toBe(201);
    const [entry] = await queryAuditRows(t.ctx.store.db, {
      action: 'consent_text.publish',
      limit: 1,
    });
    expect(JSON.parse(entry!.details)).toMatchObject({
      key: 'hash-evidence',
      hash: hashConsentText(body),
    });
  });

  it('keeps a consent ledger: grants with evidence, revokes suppress, suppressed numbers cannot be re-granted', async () => {
    const text = await post('/v1/consent-texts', marketer, {
      key: 'newsletter',
      purpose: 'marketing',
      locale: 'zh-CN',
      body: '我同意接收【小店】的营销短信，回复TD退订。',
    });
    expect(text.statusCode).toBe(201);
    expect(text.json()).toMatchObject({
      version: 1,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const v2 = await post('/v1/consent-texts', marketer, {
      key: 'newsletter',
      purpose: 'marketing',
      locale: 'zh-CN',
      body: '我同意接收【小店】的优惠短信，回复TD退订。',
    });
    expect(v2.json().version).toBe(2);

    const created = await post('/v1/contacts', marketer, {
      phone: '+33 6 12 34 56 78',
      consents: [
        {
          purpose: 'marketing',
          action: 'grant',
          method: 'web_form',
          source: 'checkout page',
          consentTextId: text.json().id,
          userAgent: 'Mozilla/5.0',
          formUrl: 'https://shop.example/checkout',
        },
      ],
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    expect(created.json().consents.marketing).toMatchObject({ granted: true, method: 'web_form' });

    const optOut = await post(`/v1/contacts/${id}/opt-out`, support, {
      note: 'asked on the phone',
    });
    expect(optOut.statusCode).toBe(200);
    expect(optOut.json().consents.marketing.granted).toBe(false);
    expect(optOut.json().suppressions).toEqual([
      { scope: 'marketing', reason: 'opt_out', since: expect.any(String) },
    ]);

    const regrant = await post(`/v1/contacts/${id}/consents`, marketer, {
      purpose: 'marketing',
      action: 'grant',
      method: 'api',
      source: 'crm sync',
    });
    expect(regrant.statusCode).toBe(409);
    expect(regrant.json().error.code).toBe('CONTACT_SUPPRESSED');

    const ledger = await get(`/v1/contacts/${id}/consents`, compliance);
    expect(
      ledger
        .json()
        .history.map((e: { action: string; method: string }) => `${e.action}:${e.method}`),
    ).toEqual(['grant:web_form', 'revoke:support']);
    expect(ledger.json().history[0]).toMatchObject({
      consentTextId: text.json().id,
      consentTextHash: text.json().hash,
      formUrl: 'https://shop.example/checkout',
    });
  });

  it('blocks and unblocks numbers by hand, audited, and a block stops consent', async () => {
    const block = await post('/v1/suppressions', compliance, {
      phone: '+49 151 23456789',
      scope: 'all',
      reason: 'complaint',
      note: 'complained to the regulator',
    });
    expect(block.statusCode).toBe(201);
    const create = await post('/v1/contacts', marketer, {
      phone: '0151 23456789',
      country: 'DE',
      consents: [{ purpose: 'transactional', action: 'grant', method: 'api', source: 'signup' }],
    });
    expect(create.statusCode).toBe(409);
    expect(create.json().error.code).toBe('CONTACT_SUPPRESSED');
    const listed = await get('/v1/suppressions?phone=%2B4915123456789', compliance);
    expect(listed.json().items).toMatchObject([{ scope: 'all', reason: 'complaint' }]);
    expect(JSON.stringify(listed.json())).not.toContain('23456789');
    const unblock = await post('/v1/suppressions/unblock', compliance, {
      phone: '+4915123456789',
      scope: 'all',
      note: 'complaint withdrawn',
    });
    expect(unblock.json()).toEqual({ removed: true });
    const audit = await queryAuditRows(t.ctx.store.db, { action: 'suppression.unblock', limit: 5 });
    expect(JSON.parse(audit[0]!.details)).toMatchObject({
      previousReason: 'complaint',
      note: 'complaint withdrawn',
    });
    expect(
      (
        await post('/v1/suppressions', marketer, {
          phone: '+4915123456789',
          scope: 'all',
          reason: 'blocklist',
          note: 'nope',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('lists the suppression list by scope and reason, newest first, without numbers', async () => {
    const block = (phone: string, scope: string, reason: string) =>
      post('/v1/suppressions', compliance, { phone, scope, reason, note: 'list filter test' });
    expect((await block('+44 7911 123451', 'all', 'blocklist')).statusCode).toBe(201);
    expect((await block('+44 7911 123452', 'marketing', 'blocklist')).statusCode).toBe(201);
    expect((await block('+44 7911 123453', 'marketing', 'complaint')).statusCode).toBe(201);
    type Item = { scope: string; reason: string; note: string; createdAt: string };
    const list = async (query: string) =>
      (await get(`/v1/suppressions?${query}`, compliance)).json().items as Item[];

    const marketing = await list('scope=marketing&limit=500');
    expect(marketing.length).toBeGreaterThanOrEqual(2);
    expect(marketing.every((s) => s.scope === 'marketing')).toBe(true);
    const both = await list('scope=marketing&reason=blocklist&limit=500');
    expect(both.filter((s) => s.note === 'list filter test')).toHaveLength(1);
    expect(both.every((s) => s.scope === 'marketing' && s.reason === 'blocklist')).toBe(true);
    const all = await list('scope=all&reason=blocklist');
    expect(all.filter((s) => s.note === 'list filter test')).toHaveLength(1);
    const times = (await list('limit=500')).map((s) => s.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(JSON.stringify(await list('limit=500'))).not.toMatch(/7911\s?12345/);
    const bad = await get('/v1/suppressions?scope=everything', compliance);
    expect(bad.statusCode).toBe(400);
  });

  it('pages the suppression list with cursors, losing no row that shares a millisecond', async () => {
    // An erasure run or an import of complaints suppresses many numbers in the same millisecond.
    const at = '2001-02-03T04:05:06.789Z';
    const refs = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const index = t.ctx.cipher.blindIndex(`+3361234560${i}`);
      for (const scope of ['all', 'marketing'] as const) {
        await addSuppression(t.ctx.store.db, {
          phone_index: index,
          scope,
          reason: 'complaint',
          note: 'same millisecond',
          created_by: 'test',
          created_at: at,
        });
      }
      refs.add(index.slice(0, 10));
    }
    type Page = {
      items: { ref: string; scope: string; createdAt: string }[];
      nextCursor: string | null;
    };
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = `reason=complaint&before=2001-02-04T00:00:00.000Z&limit=3${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      }`;
      const res = await get(`/v1/suppressions?${query}`, compliance);
      expect(res.statusCode).toBe(200);
      const page = res.json() as Page;
      seen.push(...page.items.map((s) => `${s.ref}/${s.scope}`));
      expect(page.nextCursor ?? '').not.toContain(t.ctx.cipher.blindIndex('+33612345600'));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toHaveLength(14);
    expect(new Set(seen).size).toBe(14);
    expect(new Set(seen.map((s) => s.split('/')[0]))).toEqual(refs);

    const forged = await get('/v1/suppressions?cursor=not-a-cursor', compliance);
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('updates attributes and clears them with null', async () => {
    const id = (await get('/v1/contacts?phone=%2B8613912345678', support)).json().items[0].id;
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/contacts/${id}`,
      headers: marketer,
      payload: { timeZone: 'Asia/Urumqi', attributes: { city: null, region: '江苏' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      timeZone: 'Asia/Urumqi',
      attributes: { city: null, region: '江苏', birth_year: 1990 },
    });
    const badZone = await t.app.inject({
      method: 'PATCH',
      url: `/v1/contacts/${id}`,
      headers: marketer,
      payload: { timeZone: 'Mars/Base' },
    });
    expect(badZone.statusCode).toBe(400);
  });
});
