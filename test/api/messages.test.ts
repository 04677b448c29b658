import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { findMessage } from '../../src/store/messages.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { consentingContact, NOON_LA, PROMO } from '../delivery/helpers.js';

const STRANGER = '+14155550177';
const CUSTOMER = '+14155550123';
const ELEVEN_PM_LA = '2030-01-08T07:00:00.000Z';

describe.each(DIALECTS)('[%s] messages API', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let other: Record<string, string>;
  let support: Record<string, string>;
  let analyst: Record<string, string>;
  let customerId: number;

  const send = (payload: object, headers = admin, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: key ? { ...headers, 'idempotency-key': key } : headers,
      payload,
    });
  const get = (url: string, headers = admin) => t.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const bearer = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });
    admin = await bearer('admin');
    other = await bearer('admin');
    support = await bearer('support');
    analyst = await bearer('analyst');
    customerId = await consentingContact(t.ctx, CUSTOMER);
  });
  afterAll(async () => t.close());

  it('sends a transactional message to a number that is not a contact: 202 with its decision', async () => {
    const res = await send({
      to: '(415) 555-0177',
      country: 'US',
      body: 'Your order A-17 has shipped',
      purpose: 'transactional',
    });
    expect(res.statusCode).toBe(202);
    const { message, decision } = res.json();
    expect(decision).toMatchObject({ action: 'send' });
    expect(decision.explanation).toMatch(/^Send now/);
    expect(message).toMatchObject({
      to: '+1 415***0177',
      contactId: null,
      country: 'US',
      purpose: 'transactional',
      kind: 'api',
      status: 'queued',
      errorCode: null,
      segments: 1,
      decision: { action: 'send' },
    });
    expect(res.body).not.toContain('5550177');

    const one = await get(`/v1/messages/${message.id}`, support);
    expect(one.statusCode).toBe(200);
    expect(one.json().history).toMatchObject([{ status: 'queued', detail: null }]);
  });

  it('is idempotent per caller and key; another request under the same key is refused', async () => {
    const body = { to: STRANGER, body: 'Your code is 4711', purpose: 'transactional' };
    const first = await send(body, admin, 'order-17-code');
    expect(first.statusCode).toBe(202);
    const again = await send(body, admin, 'order-17-code');
    expect(again.statusCode).toBe(200);
    expect(again.json().message.id).toBe(first.json().message.id);
    expect(again.json().decision).toEqual({ action: 'send' });

    const changed = await send({ ...body, body: 'Your code is 4712' }, admin, 'order-17-code');
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // Keys belong to their caller.
    const theirs = await send(body, other, 'order-17-code');
    expect(theirs.statusCode).toBe(202);
    expect(theirs.json().message.id).not.toBe(first.json().message.id);

    // The same request several times at once still makes one message.
    const racing = await Promise.all([1, 2, 3].map(() => send(body, admin, 'order-18')));
    expect(new Set(racing.map((r) => r.json().message.id)).size).toBe(1);
    expect(racing.map((r) => r.statusCode).sort()).toEqual([200, 200, 202]);
  });

  it('records marketing to a number without consent as blocked, with the reason', async () => {
    const res = await send({
      to: STRANGER,
      body: PROMO,
      brand: 'Acme',
      purpose: 'marketing',
      sendAt: NOON_LA.toISOString(),
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().decision).toMatchObject({ action: 'block', reason: 'no_consent' });
    expect(res.json().message).toMatchObject({ status: 'blocked', errorCode: 'no_consent' });
  });

  it('defers marketing due in quiet hours to the earliest lawful instant', async () => {
    const res = await send({
      to: CUSTOMER,
      body: PROMO,
      brand: 'Acme',
      purpose: 'marketing',
      sendAt: ELEVEN_PM_LA,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().decision).toMatchObject({
      action: 'defer',
      reason: 'quiet_hours',
      until: '2030-01-08T16:00:00.000Z',
    });
    expect(res.json().decision.explanation).toMatch(/^Deferred until 2030-01-08 08:00/);
    expect(res.json().message).toMatchObject({
      status: 'deferred',
      contactId: customerId,
      notBefore: '2030-01-08T16:00:00.000Z',
    });
    // At the lawful hour it leaves, and its history tells the whole story.
    await dispatchDue(t.ctx, { now: new Date('2030-01-08T16:00:00.000Z') });
    const one = (await get(`/v1/messages/${res.json().message.id}`)).json();
    expect(one).toMatchObject({ status: 'sent', carrier: 'simulator' });
    expect(one.history.map((e: { status: string }) => e.status)).toEqual([
      'deferred',
      'sending',
      'submitted',
      'sent',
    ]);
    expect(one.history[0]).toMatchObject({ detail: 'quiet_hours' });
  });

  it('renders a template with the caller’s variables and the contact’s attributes', async () => {
    const res = await send({
      to: CUSTOMER,
      template:
        'Hi {{ name }}, order {{ order }} has shipped{% if contact.city %} to {{ contact.city }}{% endif %}.',
      variables: { name: 'Ann', order: 'A-17' },
      purpose: 'transactional',
      oneTimeCode: false,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().message).toMatchObject({
      body: 'Hi Ann, order A-17 has shipped.',
      contactId: customerId,
    });
    // A template-only carrier gets the approved template and the values, kept until it left.
    const keyed = await send({
      to: CUSTOMER,
      template: 'Order {{ order }} has shipped.',
      templateKey: 'order_shipped',
      variables: { order: 'A-18' },
      purpose: 'transactional',
    });
    const stored = await findMessage(t.ctx.store.db, keyed.json().message.id);
    expect(JSON.parse(stored!.template!)).toEqual({
      key: 'order_shipped',
      variables: { order: 'A-18' },
    });
    await dispatchDue(t.ctx, { now: NOON_LA });
    expect(await findMessage(t.ctx.store.db, stored!.id)).toMatchObject({
      status: 'sent',
      template: null,
    });
    const missing = await send({
      to: CUSTOMER,
      template: 'Hi {{ name }}',
      purpose: 'transactional',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('TEMPLATE_UNKNOWN_VARIABLE');
    const both = await send({ to: CUSTOMER, body: 'x', template: 'y', purpose: 'transactional' });
    expect(both.json().error.code).toBe('VALIDATION_FAILED');
    const otp = await send({
      to: CUSTOMER,
      body: 'Your code is 1234',
      purpose: 'transactional',
      oneTimeCode: true,
    });
    expect(otp.json().message.kind).toBe('otp');
  });

  it('lists messages newest first, filtered, with keyset paging', async () => {
    const all = (await get('/v1/messages?limit=500')).json();
    expect(all.items.length).toBeGreaterThanOrEqual(8);
    const ids = all.items.map((m: { id: number }) => m.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const blocked = (await get('/v1/messages?status=blocked')).json().items;
    expect(blocked.map((m: { errorCode: string }) => m.errorCode)).toEqual(['no_consent']);
    const marketing = (await get(`/v1/messages?purpose=marketing&contactId=${customerId}`)).json();
    expect(marketing.items).toHaveLength(1);
    const byNumber = (await get(`/v1/messages?to=${encodeURIComponent(STRANGER)}`)).json().items;
    expect(byNumber.every((m: { to: string }) => m.to === '+1 415***0177')).toBe(true);
    expect(byNumber.length).toBeGreaterThanOrEqual(4);
    const since = (await get('/v1/messages?since=2999-01-01T00:00:00Z')).json().items;
    expect(since).toEqual([]);

    const page1 = (await get('/v1/messages?limit=3')).json();
    expect(page1.items).toHaveLength(3);
    const page2 = (await get(`/v1/messages?limit=3&before=${page1.nextBefore}`)).json();
    expect(page2.items[0].id).toBeLessThan(page1.items[2].id);
    expect((await get('/v1/messages?status=nonsense')).statusCode).toBe(400);
  });

  it('checks permissions and never shows or logs a number in clear', async () => {
    const body = { to: STRANGER, body: 'Hello', purpose: 'transactional' };
    expect((await send(body, analyst)).statusCode).toBe(403);
    expect((await send(body, support)).statusCode).toBe(403);
    expect((await get('/v1/messages', analyst)).statusCode).toBe(403);
    expect((await get('/v1/messages', support)).statusCode).toBe(200);
    expect((await get('/v1/messages/999999')).statusCode).toBe(404);
    expect(t.logs()).not.toContain('5550177');
    expect(t.logs()).not.toContain('5550123');
  });
});
