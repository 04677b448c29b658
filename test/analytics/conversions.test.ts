/**
 * Conversions: campaign messages carry tracked links per contact; an order is credited to the
 * message whose link the contact clicked last within the window (never to a bot's click), and
 * an order id counts once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConversion, type ConversionInput } from '../../src/campaigns/conversions.js';
import { runCampaigns } from '../../src/campaigns/lifecycle-job.js';
import { followShortLink } from '../../src/campaigns/short-links.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { consentingContact, NOON_LA } from '../delivery/helpers.js';
import { launch, promoCampaign } from '../campaigns/helpers.js';

const HUMAN = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1';
const BODY =
  'Acme: spring sale, 20% off at https://shop.acme.example/sale today. Reply STOP to opt out';
const hours = (n: number) => new Date(NOON_LA.getTime() + n * 3_600_000);

describe.each(DIALECTS)('[%s] conversions', (dialect) => {
  let t: TestApp;
  let shop: Record<string, string>;
  const contacts: number[] = [];
  let campaignId: number;
  const codeOf = new Map<number, string>();

  beforeAll(async () => {
    t = await openTestApp(dialect, {
      HERALD_LINK_DOMAINS: 'acme.example',
      HERALD_ATTRIBUTION_WINDOW_HOURS: '48',
    });
    shop = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    for (let i = 0; i < 3; i++)
      contacts.push(await consentingContact(t.ctx, `+1415555${7000 + i}`));
    const campaign = await launch(
      t.ctx,
      promoCampaign({
        variants: [
          { key: 'A', body: BODY },
          { key: 'B', body: BODY.replace('20%', '25%') },
        ],
      }),
      NOON_LA,
    );
    campaignId = campaign.id;
    await runCampaigns(t.ctx, { now: NOON_LA });
    const links = await t.ctx.store.db
      .selectFrom('short_links')
      .innerJoin('messages', 'messages.id', 'short_links.message_id')
      .select([
        'short_links.code',
        'short_links.contact_id',
        'messages.body',
        'messages.variant as mv',
        'short_links.variant',
      ])
      .where('short_links.campaign_id', '=', campaignId)
      .execute();
    expect(links).toHaveLength(3);
    for (const l of links) {
      // The message carries the contact's own short link, under the message's variant.
      expect(l.body).toContain(`/s/${l.code}`);
      expect(l.body).not.toContain('shop.acme.example');
      expect(l.variant).toBe(l.mv);
      codeOf.set(l.contact_id!, l.code);
    }
  });
  afterAll(async () => t.close());

  const post = (payload: object) =>
    t.app.inject({ method: 'POST', url: '/v1/conversions', headers: shop, payload });
  // The campaign lives in 2030: orders are recorded as of their own time.
  const record = (input: ConversionInput) =>
    recordConversion(t.ctx, input, { now: new Date(input.occurredAt!) });

  it('credits the campaign message last clicked, once per order id', async () => {
    const [first] = contacts;
    await followShortLink(
      t.ctx,
      codeOf.get(first!)!,
      { ip: '203.0.113.5', userAgent: HUMAN },
      hours(1),
    );
    const order = {
      contact: { id: first! },
      orderId: 'ord-1',
      value: 59.5,
      currency: 'USD',
      occurredAt: hours(3).toISOString(),
    };
    const created = await record(order);
    expect(created.created).toBe(true);
    const message = await t.ctx.store.db
      .selectFrom('messages')
      .select(['id', 'variant'])
      .where('campaign_id', '=', campaignId)
      .where('contact_id', '=', first!)
      .executeTakeFirstOrThrow();
    expect(created.conversion).toMatchObject({
      orderId: 'ord-1',
      value: 59.5,
      attribution: { campaignId, messageId: message.id, variant: message.variant },
    });
    const again = await record(order);
    expect(again).toEqual({ created: false, conversion: created.conversion });
    await expect(record({ ...order, value: 10 })).rejects.toMatchObject({
      code: 'CONVERSION_CONFLICT',
    });
    // Also a purchase event of the contact, once.
    const purchases = await t.ctx.store.db
      .selectFrom('events')
      .select('amount')
      .where('contact_id', '=', first!)
      .where('type', '=', 'purchase')
      .execute();
    expect(purchases).toEqual([{ amount: 59.5 }]);
  });

  it('does not credit a click outside the window, a bot, or a click after the order', async () => {
    const [, second, third] = contacts;
    await followShortLink(
      t.ctx,
      codeOf.get(second!)!,
      { ip: '203.0.113.6', userAgent: HUMAN },
      hours(1),
    );
    const late = await record({
      contact: { id: second! },
      orderId: 'ord-2',
      value: 20,
      currency: 'USD',
      occurredAt: hours(60).toISOString(), // 59 h after the click: the window is 48 h
    });
    expect(late).toMatchObject({ created: true, conversion: { attribution: null } });
    await followShortLink(
      t.ctx,
      codeOf.get(third!)!,
      { ip: '203.0.113.7', userAgent: 'facebookexternalhit/1.1' },
      hours(1),
    );
    await followShortLink(
      t.ctx,
      codeOf.get(third!)!,
      { ip: '203.0.113.7', userAgent: HUMAN },
      hours(5),
    );
    const bot = await record({
      contact: { id: third! },
      orderId: 'ord-3',
      value: 20,
      currency: 'USD',
      occurredAt: hours(2).toISOString(),
    });
    expect(bot.conversion.attribution).toBeNull();
  });

  it("lists a contact's orders in their data export; erasure unlinks them, revenue stays", async () => {
    const compliance = { authorization: `Bearer ${await t.keyFor('compliance')}` };
    const first = contacts[0]!;
    const doc = await t.app.inject({
      method: 'POST',
      url: '/v1/privacy/export',
      headers: compliance,
      payload: { contactId: first, reason: 'access request' },
    });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().conversions).toEqual([
      expect.objectContaining({ orderId: 'ord-1', value: 59.5, currency: 'USD', campaignId }),
    ]);
    const erased = await t.app.inject({
      method: 'POST',
      url: '/v1/privacy/erase',
      headers: compliance,
      payload: { contactId: first, reason: 'erasure request' },
    });
    expect(erased.statusCode).toBe(200);
    const row = await t.ctx.store.db
      .selectFrom('conversions')
      .select(['contact_id', 'campaign_id', 'value'])
      .where('order_id', '=', 'ord-1')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ contact_id: null, campaign_id: campaignId, value: 59.5 });
  });

  it('answers 201, then 200 for the same order, 409 for the order id with other details', async () => {
    const order = { contact: { id: contacts[1] }, orderId: 'api-1', value: 5, currency: 'CNY' };
    const created = await post(order);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ orderId: 'api-1', value: 5, currency: 'CNY' });
    const again = await post({ ...order, occurredAt: created.json().occurredAt });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(created.json().id);
    const changed = await post({ ...order, occurredAt: created.json().occurredAt, value: 6 });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('CONVERSION_CONFLICT');
    const future = await post({ ...order, orderId: 'api-2', occurredAt: '2099-01-01T00:00:00Z' });
    expect(future.statusCode).toBe(400);
  });

  it('refuses bad input and unknown contacts with clear errors', async () => {
    const bad = await post({
      contact: { id: contacts[0] },
      orderId: 'x',
      value: -1,
      currency: 'usd',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const unknown = await post({
      contact: { id: 999_999 },
      orderId: 'x',
      value: 1,
      currency: 'USD',
    });
    expect(unknown.statusCode).toBe(404);
    const analyst = { authorization: `Bearer ${await t.keyFor('analyst')}` };
    const denied = await t.app.inject({
      method: 'POST',
      url: '/v1/conversions',
      headers: analyst,
      payload: { contact: { id: contacts[0] }, orderId: 'y', value: 1, currency: 'USD' },
    });
    expect(denied.statusCode).toBe(403);
  });
});
