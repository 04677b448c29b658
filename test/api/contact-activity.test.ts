/**
 * What a contact's page in the console needs besides the contact itself: its clicks on tracked
 * links (GET /v1/contacts/:id/clicks), the list filtered by attribute (city, region), and a block
 * by contact id (the console only ever holds the masked number).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShortLink } from '../../src/campaigns/short-links.js';
import { createContact } from '../../src/contacts/contacts.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { queryAuditRows } from '../../src/store/audit-log.js';

const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';

describe.each(DIALECTS)('[%s] contact activity API', (dialect) => {
  let t: TestApp;
  let marketer: Record<string, string>;
  let support: Record<string, string>;
  let compliance: Record<string, string>;
  let shopper: number;
  let other: number;

  const get = (url: string, headers = marketer) => t.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    t = await openTestApp(dialect, {
      HERALD_LINK_DOMAINS: 'shop.example',
      HERALD_PUBLIC_URL: 'https://go.example',
    });
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    support = { authorization: `Bearer ${await t.keyFor('support')}` };
    compliance = { authorization: `Bearer ${await t.keyFor('compliance')}` };
    shopper = (
      await createContact(
        t.ctx,
        {
          phone: '+86 139 1234 5678',
          source: 'test',
          attributes: { city: '杭州', region: '浙江省', tags: ['vip'] },
        },
        'test',
      )
    ).id;
    other = (
      await createContact(
        t.ctx,
        { phone: '+44 7400 123456', source: 'test', attributes: { city: 'Leeds' } },
        'test',
      )
    ).id;
  });
  afterAll(async () => t.close());

  it("lists a contact's clicks newest first, bots marked, other contacts' clicks apart", async () => {
    const sale = await createShortLink(t.ctx, 'https://shop.example/sale', {
      contactId: shopper,
      campaignId: 7,
      variant: 'B',
      messageId: 41,
    });
    const tea = await createShortLink(t.ctx, 'https://shop.example/tea', { contactId: shopper });
    const theirs = await createShortLink(t.ctx, 'https://shop.example/x', { contactId: other });
    const click = async (code: string, ua = PHONE_UA) =>
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: `/s/${code}`,
            headers: { 'user-agent': ua },
          })
        ).statusCode,
      ).toBe(302);
    await click(sale.code, 'facebookexternalhit/1.1');
    await click(sale.code);
    await click(tea.code);
    await click(theirs.code);

    const res = await get(`/v1/contacts/${shopper}/clicks`);
    expect(res.statusCode).toBe(200);
    const { items, nextBefore } = res.json();
    expect(nextBefore).toBeNull();
    expect(items).toMatchObject([
      { code: tea.code, target: 'https://shop.example/tea', campaignId: null, bot: false },
      {
        code: sale.code,
        target: 'https://shop.example/sale',
        campaignId: 7,
        variant: 'B',
        messageId: 41,
        bot: false,
      },
      { code: sale.code, bot: true },
    ]);

    const page = await get(`/v1/contacts/${shopper}/clicks?limit=2`);
    expect(page.json().items).toHaveLength(2);
    const rest = await get(
      `/v1/contacts/${shopper}/clicks?limit=2&before=${page.json().nextBefore}`,
    );
    expect(rest.json().items).toMatchObject([{ code: sale.code, bot: true }]);

    expect((await get(`/v1/contacts/${other}/clicks`)).json().items).toHaveLength(1);
    expect((await get('/v1/contacts/999999/clicks')).statusCode).toBe(404);
    expect((await get(`/v1/contacts/${shopper}/clicks`, support)).statusCode).toBe(403);
  });

  it('filters the list by city and region', async () => {
    const ids = async (query: string) =>
      ((await get(`/v1/contacts?${query}`)).json().items as { id: number }[]).map((c) => c.id);
    expect(await ids(`city=${encodeURIComponent('杭州')}`)).toEqual([shopper]);
    expect(await ids(`region=${encodeURIComponent('浙江省')}`)).toEqual([shopper]);
    expect(await ids('city=Leeds')).toEqual([other]);
    expect(await ids('city=Leeds&tag=vip')).toEqual([]);
    const body = (await get('/v1/contacts?city=Leeds')).body;
    expect(body).not.toContain('7400 123456');
  });

  it('blocks a contact by its id, audited, and the contact shows the suppression', async () => {
    const block = (payload: object, headers = compliance) =>
      t.app.inject({ method: 'POST', url: '/v1/suppressions', headers, payload });
    const note = 'asked us on the phone never to text again';
    expect(
      (await block({ contactId: other, scope: 'all', reason: 'blocklist', note }, marketer))
        .statusCode,
    ).toBe(403);
    const both = await block({
      contactId: other,
      phone: '+44 7400 123456',
      scope: 'all',
      reason: 'blocklist',
      note,
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.code).toBe('VALIDATION_FAILED');
    expect((await block({ scope: 'all', reason: 'blocklist', note })).statusCode).toBe(400);
    const missing = await block({ contactId: 999999, scope: 'all', reason: 'blocklist', note });
    expect(missing.statusCode).toBe(404);

    const res = await block({ contactId: other, scope: 'all', reason: 'blocklist', note });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ created: true });
    const view = (await get(`/v1/contacts/${other}`)).json();
    expect(view.suppressions).toMatchObject([{ scope: 'all', reason: 'blocklist' }]);
    // The same number written in clear finds the same suppression.
    const listed = await t.app.inject({
      method: 'GET',
      url: '/v1/suppressions?phone=%2B447400123456',
      headers: compliance,
    });
    expect(listed.json().items).toMatchObject([{ scope: 'all', reason: 'blocklist' }]);
    const [entry] = await queryAuditRows(t.ctx.store.db, {
      action: 'suppression.block',
      limit: 1,
    });
    expect(JSON.parse(entry!.details)).toMatchObject({ contactId: other, reason: 'blocklist' });
    expect(entry!.details).not.toContain('123456');
  });
});
