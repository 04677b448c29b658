// The events Herald emits where they happen: a click through /s/<code>, an inbound STOP; and no
// number in clear in any payload, delivery row, attempt or log line on the way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShortLink } from '../../src/campaigns/short-links.js';
import { createContact } from '../../src/contacts/contacts.js';
import { formatPhone, maskPhone, parsePhone } from '../../src/core/phone.js';
import {
  listWebhookAttempts,
  listWebhookDeliveries,
  type WebhookDeliveryRow,
} from '../../src/store/webhooks.js';
import { deliverDueWebhooks } from '../../src/webhooks/deliver.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { startReceiver, type Receiver } from './receiver.js';

const US = '+14155550123';
const CN = '+8613912345679';
const STRANGER = '+447400123456';
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

/** Every form of a number that must not appear in clear. */
function forms(e164: string): string[] {
  const p = parsePhone(e164);
  if (!p.ok) throw new Error(`not a valid test number: ${e164}`);
  return [
    e164,
    e164.slice(1),
    p.nationalNumber,
    formatPhone(e164, 'international'),
    formatPhone(e164, 'national'),
  ];
}

describe.each(DIALECTS)('[%s] webhook events', (dialect) => {
  let t: TestApp;
  let rx: Receiver;
  let admin: Record<string, string>;
  let endpointId: number;
  const contacts: Record<string, number> = {};
  /** Delivery rows as they rest in the outbox, before the job sends (and clears) them. */
  const resting: WebhookDeliveryRow[] = [];

  const sendAll = async () => {
    resting.push(
      ...(await listWebhookDeliveries(t.ctx.store.db, {
        endpointId,
        limit: 200,
        status: 'pending',
      })),
    );
    const before = rx.received.length;
    await deliverDueWebhooks(t.ctx);
    return rx.received.slice(before);
  };
  const inbound = (from: string, text: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/simulator/inbound',
      headers: admin,
      payload: { from, text },
    });

  beforeAll(async () => {
    t = await openTestApp(dialect, {
      HERALD_LINK_DOMAINS: 'shop.example',
      HERALD_PUBLIC_URL: 'https://go.example',
      HERALD_OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    });
    rx = await startReceiver();
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: admin,
      payload: {
        url: rx.url,
        events: ['link.clicked', 'contact.opted_out', 'message.inbound'],
      },
    });
    endpointId = res.json().id;
    rx.secrets = [res.json().secret];
    for (const phone of [US, CN]) {
      const contact = await createContact(
        t.ctx,
        {
          phone,
          source: 'test',
          consents: [{ purpose: 'marketing', action: 'grant', method: 'web_form', source: 'test' }],
        },
        'test',
      );
      contacts[phone] = contact.id;
    }
  });
  afterAll(async () => {
    await rx.close();
    await t.close();
  });

  it('emits link.clicked for a person through /s/<code>, not for preview bots', async () => {
    const link = await createShortLink(t.ctx, 'https://shop.example/sale', {
      contactId: contacts[CN],
      campaignId: 7,
      variant: 'B',
    });
    const click = (ua: string) =>
      t.app.inject({ method: 'GET', url: `/s/${link.code}`, headers: { 'user-agent': ua } });
    expect((await click('facebookexternalhit/1.1 Facebot Twitterbot/1.0')).statusCode).toBe(302);
    expect(
      (await click('Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)')).statusCode,
    ).toBe(302);
    expect((await click('')).statusCode).toBe(302);
    expect(await sendAll()).toHaveLength(0);

    expect((await click(PHONE_UA)).statusCode).toBe(302);
    const got = await sendAll();
    expect(got).toHaveLength(1);
    expect(got[0]!.signatureValid).toBe(true);
    expect(got[0]!.body).toMatchObject({
      type: 'link.clicked',
      data: {
        code: link.code,
        url: 'https://shop.example/sale',
        contactId: contacts[CN],
        phone: maskPhone(CN),
        campaignId: 7,
        variant: 'B',
        messageId: null,
      },
    });
  });

  it('emits message.inbound and contact.opted_out for a STOP, and only message.inbound for a repeat', async () => {
    expect((await inbound(US, 'Stop please')).json()).toMatchObject({ action: 'opted_out' });
    const first = await sendAll();
    expect(first.map((r) => r.event).sort()).toEqual(['contact.opted_out', 'message.inbound']);
    const optOut = first.find((r) => r.event === 'contact.opted_out')!.body;
    const message = first.find((r) => r.event === 'message.inbound')!.body;
    expect(optOut.data).toEqual({
      contactId: contacts[US],
      phone: maskPhone(US),
      purpose: 'marketing',
      method: 'keyword',
      keyword: 'STOP',
      inboundMessageId: message.data.inboundMessageId,
    });
    expect(message.data).toMatchObject({
      contactId: contacts[US],
      phone: maskPhone(US),
      body: 'Stop please',
      intent: 'opt_out',
      carrier: 'simulator',
    });

    await inbound(US, 'STOP');
    expect((await sendAll()).map((r) => r.event)).toEqual(['message.inbound']);
  });

  it('emits contact.opted_out for a number that is not a contact, and masks numbers in texts', async () => {
    await inbound(STRANGER, 'STOP');
    const got = await sendAll();
    expect(got.find((r) => r.event === 'contact.opted_out')!.body.data).toMatchObject({
      contactId: null,
      phone: maskPhone(STRANGER),
    });

    await inbound(CN, `call me on ${CN} or ${formatPhone(US, 'national')}`);
    const [msg] = await sendAll();
    expect(msg!.body.data).toMatchObject({ body: 'call me on [phone] or [phone]' });
  });

  it('never holds a number in clear: payloads, delivery rows, attempts, logs', async () => {
    expect(resting.length).toBeGreaterThan(5);
    expect(resting.every((r) => r.body !== null)).toBe(true);
    const rows = await listWebhookDeliveries(t.ctx.store.db, { endpointId, limit: 200 });
    const attempts = await listWebhookAttempts(t.ctx.store.db, {
      deliveryIds: rows.map((r) => r.id),
    });
    const haystack = [
      JSON.stringify(resting),
      JSON.stringify(rows),
      JSON.stringify(attempts),
      rx.received.map((r) => r.raw).join('\n'),
      t.logs(),
    ].join('\n');
    for (const phone of [US, CN, STRANGER]) {
      for (const form of forms(phone)) expect(haystack).not.toContain(form);
      expect(haystack).toContain(maskPhone(phone));
    }
  });
});
