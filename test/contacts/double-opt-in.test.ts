import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSimulator, type SimulatorCarrier } from '../../src/carriers/simulator.js';
import { findContactByPhone } from '../../src/contacts/contacts.js';
import { doiExpiryJob } from '../../src/contacts/double-opt-in.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { consentHistory } from '../../src/store/consents.js';
import { listMessagesOf } from '../../src/store/messages.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

const PUBLIC_URL = 'https://herald.example';
const ACCEPTED = {
  status: 'accepted',
  message: 'If this number can receive our messages, a confirmation SMS is on its way.',
};

describe.each(DIALECTS)('[%s] double opt-in', (dialect) => {
  let t: TestApp;
  let sim: SimulatorCarrier;
  let admin: Record<string, string>;
  let marketer: Record<string, string>;
  let textId: number;
  let ipCounter = 0;

  const subscribeFrom = (ip: string, payload: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/subscribe',
      remoteAddress: ip,
      headers: { 'user-agent': 'Mozilla/5.0 (test)' },
      payload: { formKey: 'spring-signup', pageUrl: 'https://shop.example/join', ...payload },
    });
  const subscribe = (payload: Record<string, unknown>) =>
    subscribeFrom(`10.0.0.${++ipCounter}`, payload);
  const dispatch = () => dispatchDue(t.ctx);
  const tokenOf = (e164: string) => {
    const last = sim.sentTo(e164).at(-1);
    const token = last?.body.match(/\/c\/([A-Za-z0-9_-]+)/)?.[1];
    if (!token) throw new Error('no confirmation link was sent');
    return token;
  };
  const inbound = (from: string, text: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/simulator/inbound',
      headers: admin,
      payload: { from, text },
    });
  const confirmPage = (method: 'GET' | 'POST', token: string) =>
    t.app.inject({
      method,
      url: `/c/${token}`,
      remoteAddress: '192.0.2.1',
      headers: {
        'user-agent': 'Phone Browser',
        ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(method === 'POST' ? { payload: '' } : {}),
    });
  const pendingOf = (e164: string) =>
    t.ctx.store.db
      .selectFrom('pending_subscriptions')
      .selectAll()
      .where('phone_index', '=', t.ctx.cipher.blindIndex(e164))
      .orderBy('id')
      .execute();

  beforeAll(async () => {
    t = await openTestApp(dialect, {
      HERALD_PUBLIC_URL: PUBLIC_URL,
      HERALD_SUBSCRIBE_MAX_PER_IP_HOUR: '4',
      // These tests sign up many numbers of one range on purpose; bursts are pumping.test.ts's.
      HERALD_PUMPING: JSON.stringify({
        perPrefix: { max: 1000, windowSeconds: 3600 },
        burst: { consecutiveRun: 1000, blockMax: 1000 },
      }),
    });
    const carrier = t.ctx.carriers.default();
    if (!isSimulator(carrier)) throw new Error('the simulator is the default carrier');
    sim = carrier;
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    const text = await t.app.inject({
      method: 'POST',
      url: '/v1/consent-texts',
      headers: marketer,
      payload: {
        key: 'newsletter',
        purpose: 'marketing',
        locale: 'zh-CN',
        body: '我同意花语通过短信向我发送促销信息，可随时回复TD退订。',
      },
    });
    textId = text.json().id;
  });
  afterAll(async () => t.close());

  it('creates forms only with a marketing consent text, for admins and marketers', async () => {
    const transactional = await t.app.inject({
      method: 'POST',
      url: '/v1/consent-texts',
      headers: marketer,
      payload: {
        key: 'orders',
        purpose: 'transactional',
        locale: 'en',
        body: 'Order updates by SMS.',
      },
    });
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/forms',
      headers: marketer,
      payload: { name: 'Orders', consentTextId: transactional.json().id, brand: 'Flora' },
    });
    expect(refused.statusCode).toBe(400);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/forms',
      headers: marketer,
      payload: {
        key: 'spring-signup',
        name: 'Spring sign-up',
        consentTextId: textId,
        brand: '花语',
        defaultCountry: 'CN',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ key: 'spring-signup', brand: '花语', disabled: false });
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/forms',
      headers: admin,
      payload: { key: 'spring-signup', name: 'x', consentTextId: textId, brand: 'xx' },
    });
    expect(again.statusCode).toBe(409);
    const list = await t.app.inject({ method: 'GET', url: '/v1/forms', headers: admin });
    expect(list.json().items.map((f: { key: string }) => f.key)).toEqual(['spring-signup']);
    const analyst = { authorization: `Bearer ${await t.keyFor('analyst')}` };
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/forms', headers: analyst })).statusCode,
    ).toBe(403);
  });

  it('sends a Chinese confirmation to a +86 number; a reply of 是 grants marketing consent with its evidence', async () => {
    const e164 = '+8613912345678';
    const res = await subscribe({ phone: '139 1234 5678', attributes: { city: '上海' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual(ACCEPTED);
    expect(await findContactByPhone(t.ctx, e164)).toBeUndefined();

    expect((await dispatch()).sent).toBe(1);
    const [sms] = sim.sentTo(e164);
    expect(sms!.body).toMatch(
      /^【花语】请回复“是”确认订阅，或点击 https:\/\/herald\.example\/c\/[A-Za-z0-9_-]{22} 。$/,
    );
    const [message] = await listMessagesOf(t.ctx.store.db, {
      phoneIndex: t.ctx.cipher.blindIndex(e164),
    });
    expect(message).toMatchObject({
      purpose: 'transactional',
      kind: 'doi_confirmation',
      status: 'sent',
    });
    // Once sent, the stored body no longer holds the (secret) confirmation link.
    expect(message!.body).toContain('【花语】请回复“是”确认订阅，或点击 https://herald.example/c/');
    expect(message!.body).not.toContain(tokenOf(e164));

    const reply = await inbound('+86 139 1234 5678', ' 是！');
    expect(reply.json()).toMatchObject({
      intent: 'confirm',
      action: 'confirmed',
      from: '+86 139****5678',
    });

    const contact = (await findContactByPhone(t.ctx, e164))!;
    expect(contact).toMatchObject({ source: 'form:spring-signup', city: '上海', country: 'CN' });
    const [event] = await consentHistory(t.ctx.store.db, contact.id);
    expect(event).toMatchObject({
      purpose: 'marketing',
      action: 'grant',
      method: 'double_opt_in_sms',
      source: 'form:spring-signup',
      ip: '10.0.0.1',
      user_agent: 'Mozilla/5.0 (test)',
      form_url: 'https://shop.example/join',
      consent_text_id: textId,
    });
    expect(event!.consent_text_hash).toMatch(/^[0-9a-f]{64}$/);
    const inboundRow = await t.ctx.store.db
      .selectFrom('inbound_messages')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event!.evidence)).toMatchObject({
      formKey: 'spring-signup',
      pageUrl: 'https://shop.example/join',
      signup: { ip: '10.0.0.1', userAgent: 'Mozilla/5.0 (test)' },
      confirmationMessageId: message!.id,
      confirmation: { channel: 'sms', inboundMessageId: inboundRow.id, at: event!.at },
    });
    expect(inboundRow).toMatchObject({ intent: 'confirm', body: ' 是！', contact_id: null });
    expect((await pendingOf(e164))[0]).toMatchObject({
      status: 'confirmed',
      confirm_method: 'double_opt_in_sms',
    });

    const listed = await t.app.inject({
      method: 'GET',
      url: '/v1/simulator/messages',
      headers: admin,
    });
    const item = listed
      .json()
      .items.find((m: { messageId: number }) => m.messageId === message!.id);
    expect(item.to).toBe('+86 139****5678');
    expect(item.body).not.toContain(tokenOf(e164));
    expect(listed.body).not.toContain('13912345678');
    const marketerList = await t.app.inject({
      method: 'GET',
      url: '/v1/simulator/messages',
      headers: marketer,
    });
    expect(marketerList.statusCode).toBe(403);
  });

  it('confirms by link only when the button is pressed, never on GET', async () => {
    const e164 = '+14155550142';
    expect((await subscribe({ phone: '+1 (415) 555-0142', locale: 'en-US' })).json()).toEqual(
      ACCEPTED,
    );
    await dispatch();
    const token = tokenOf(e164);
    expect(sim.sentTo(e164)[0]!.body).toBe(
      `花语: reply YES to confirm your subscription, or tap ${PUBLIC_URL}/c/${token}.`,
    );
    for (let i = 0; i < 2; i++) {
      const preview = await confirmPage('GET', token);
      expect(preview.statusCode).toBe(200);
      expect(preview.headers['content-type']).toContain('text/html');
      expect(preview.body).toContain('<button type="submit">Confirm subscription</button>');
    }
    expect(await findContactByPhone(t.ctx, e164)).toBeUndefined();

    const confirmed = await confirmPage('POST', token);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('your subscription to 花语 is confirmed');
    const contact = (await findContactByPhone(t.ctx, e164))!;
    expect(contact.locale).toBe('en-US');
    const [event] = await consentHistory(t.ctx.store.db, contact.id);
    expect(event).toMatchObject({ method: 'double_opt_in_link', action: 'grant' });
    expect(JSON.parse(event!.evidence)).toMatchObject({
      confirmation: { channel: 'link', ip: '192.0.2.1', userAgent: 'Phone Browser' },
    });
    expect((await confirmPage('POST', token)).body).toContain('already confirmed');
    expect((await confirmPage('GET', token)).body).toContain('already confirmed');
    expect((await consentHistory(t.ctx.store.db, contact.id)).length).toBe(1);
    expect((await confirmPage('GET', 'not-a-real-token-at-all')).statusCode).toBe(404);
  });

  it('expires requests after the window: the number is dropped and neither the link nor YES confirms', async () => {
    const e164 = '+14155550143';
    await subscribe({ phone: e164 });
    await dispatch();
    const token = tokenOf(e164);
    const soon = new Date(Date.now() + 47 * 3_600_000);
    expect(await doiExpiryJob.run(t.ctx, soon)).toEqual({ expiredSignUps: 0 });
    const later = new Date(Date.now() + 49 * 3_600_000);
    expect(await doiExpiryJob.run(t.ctx, later)).toEqual({ expiredSignUps: 1 });
    expect((await pendingOf(e164))[0]).toMatchObject({ status: 'expired', phone_enc: null });
    expect((await confirmPage('GET', token)).statusCode).toBe(410);
    expect((await confirmPage('POST', token)).statusCode).toBe(410);
    expect((await inbound(e164, 'YES')).json()).toMatchObject({ action: 'stored' });
    expect(await findContactByPhone(t.ctx, e164)).toBeUndefined();
  });

  it('answers the same for new, pending, subscribed and suppressed numbers, and sends nothing to the suppressed', async () => {
    const blocked = '+14155550144';
    await addSuppression(t.ctx.store.db, {
      phone_index: t.ctx.cipher.blindIndex(blocked),
      scope: 'all',
      reason: 'blocklist',
      note: null,
      created_by: 'test',
      created_at: new Date().toISOString(),
    });
    sim.clear();
    const answers = [
      await subscribe({ phone: '+14155550145' }), // new
      await subscribe({ phone: '+14155550145' }), // pending
      await subscribe({ phone: '+8613912345678' }), // subscribed
      await subscribe({ phone: blocked }), // suppressed
    ];
    for (const a of answers) {
      expect(a.statusCode).toBe(202);
      expect(a.body).toBe(answers[0]!.body);
    }
    await dispatch();
    expect(sim.sentTo(blocked)).toEqual([]);
    expect(sim.sentTo('+8613912345678')).toEqual([]);
    expect(sim.sentTo('+14155550145')).toHaveLength(2);
    // Only the newest request stays open; the older link no longer confirms.
    const statuses = (await pendingOf('+14155550145')).map((p) => p.status);
    expect(statuses).toEqual(['superseded', 'pending']);
    const [first] = sim.sentTo('+14155550145');
    const oldToken = first!.body.match(/\/c\/([A-Za-z0-9_-]+)/)![1]!;
    expect((await confirmPage('POST', oldToken)).statusCode).toBe(410);
    const skipped = await pendingOf(blocked);
    expect(skipped).toMatchObject([{ status: 'skipped', phone_enc: null }]);
  });

  it('limits sign-ups per number and per IP (store-backed) with a 429 that reveals nothing', async () => {
    const e164 = '+14155550146';
    for (let i = 0; i < 3; i++) expect((await subscribe({ phone: e164 })).statusCode).toBe(202);
    const limited = await subscribe({ phone: e164 });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({
      code: 'SEND_LIMIT_REACHED',
      details: { reason: 'number_limit' },
    });
    expect(limited.body).not.toMatch(/4155550146|pending|suppress/i);
    // A suppressed number is limited at the same count: the limit reveals nothing either.
    const blocked = '+14155550144';
    for (let i = 0; i < 2; i++) expect((await subscribe({ phone: blocked })).statusCode).toBe(202);
    expect((await subscribe({ phone: blocked })).statusCode).toBe(429);

    const ip = '198.51.100.7';
    for (let i = 0; i < 4; i++) {
      expect((await subscribeFrom(ip, { phone: `+1415555016${i}` })).statusCode).toBe(202);
    }
    const perIp = await subscribeFrom(ip, { phone: '+14155550170' });
    expect(perIp.statusCode).toBe(429);
    expect(perIp.json().error).toMatchObject({
      code: 'SEND_LIMIT_REACHED',
      details: { reason: 'ip_limit' },
    });
    expect(perIp.headers['retry-after']).toBe('3600');
    expect((await subscribeFrom('198.51.100.8', { phone: '+14155550170' })).statusCode).toBe(202);
  });

  it('keeps no number in clear in the rows it wrote, nor in the logs', async () => {
    const db = t.ctx.store.db;
    const rows = [
      await db.selectFrom('messages').selectAll().execute(),
      await db.selectFrom('pending_subscriptions').selectAll().execute(),
      await db.selectFrom('inbound_messages').selectAll().execute(),
      await db.selectFrom('consent_events').selectAll().execute(),
      await db.selectFrom('contacts').selectAll().execute(),
      await db.selectFrom('audit_log').selectAll().execute(),
    ];
    const dump = JSON.stringify(rows) + t.logs();
    for (const digits of ['13912345678', '4155550142', '4155550143', '4155550145', '4155550146']) {
      expect(dump).not.toContain(digits);
    }
  });

  it('refuses unknown forms and invalid numbers without echoing them', async () => {
    const unknown = await subscribe({ formKey: 'nope', phone: '+14155550147' });
    expect(unknown.statusCode).toBe(404);
    const invalid = await subscribe({ phone: '12345' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.code).toBe('CONTACT_INVALID_NUMBER');
    expect(invalid.body).not.toContain('12345');
    const badLocale = await subscribe({ phone: '+14155550148', locale: 'not a locale' });
    expect(badLocale.json().error.code).toBe('ATTRIBUTE_INVALID');
  });

  it('writes in Chinese to any number whose locale is Chinese', async () => {
    expect((await subscribe({ phone: '+14155550149', locale: 'zh-cn' })).statusCode).toBe(202);
    await dispatch();
    expect(sim.sentTo('+14155550149')[0]!.body).toMatch(/^【花语】请回复“是”确认订阅/);
  });
});
