import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSimulator, type SimulatorCarrier } from '../../src/carriers/simulator.js';
import { createContact } from '../../src/contacts/contacts.js';
import { receiveInbound } from '../../src/contacts/inbound.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { currentConsents } from '../../src/store/consents.js';
import { listInboundOf } from '../../src/store/inbound.js';
import { findMessage, listMessagesOf } from '../../src/store/messages.js';
import { findSuppressions } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

const US = '+14155550123';
const CN = '+8613912345679';

describe.each(DIALECTS)('[%s] inbound SMS', (dialect) => {
  let t: TestApp;
  let sim: SimulatorCarrier;
  let admin: Record<string, string>;
  const ids: Record<string, number> = {};

  const inbound = (from: string, text: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/simulator/inbound',
      headers: admin,
      payload: { from, text },
    });
  const marketingOf = async (e164: string) =>
    (await currentConsents(t.ctx.store.db, ids[e164]!)).find((c) => c.purpose === 'marketing');
  const suppressionsOf = (e164: string) =>
    findSuppressions(t.ctx.store.db, t.ctx.cipher.blindIndex(e164));
  const messagesOf = (e164: string) =>
    listMessagesOf(t.ctx.store.db, { phoneIndex: t.ctx.cipher.blindIndex(e164) });

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const carrier = t.ctx.carriers.default();
    if (!isSimulator(carrier)) throw new Error('the simulator is the default carrier');
    sim = carrier;
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    const text = await t.app.inject({
      method: 'POST',
      url: '/v1/consent-texts',
      headers: admin,
      payload: { key: 'news', purpose: 'marketing', locale: 'en', body: 'Texts about our offers.' },
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/forms',
      headers: admin,
      payload: { key: 'flora-web', name: 'Web', consentTextId: text.json().id, brand: 'Flora' },
    });
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
      ids[phone] = contact.id;
    }
  });
  afterAll(async () => t.close());

  it('STOP with noise revokes consent at once, suppresses, replies once, and blocks what was queued', async () => {
    const queued = await enqueueMessage(t.ctx, {
      to: US,
      purpose: 'marketing',
      kind: 'campaign',
      body: 'Flora: 20% off this weekend. Reply STOP to opt out',
      contactId: ids[US],
    });
    const res = await inbound(US, ' Stop please!! ');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ intent: 'opt_out', matched: 'STOP', action: 'opted_out' });
    expect(await marketingOf(US)).toMatchObject({
      granted: 0,
      method: 'keyword',
      source: 'keyword:STOP',
    });
    expect(await suppressionsOf(US)).toMatchObject([{ scope: 'marketing', reason: 'opt_out' }]);

    // A second STOP a moment later changes nothing and is not answered again.
    expect((await inbound(US, 'STOP')).json().action).toBe('opted_out');
    const replies = (await messagesOf(US)).filter((m) => m.kind === 'opt_out_confirmation');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ purpose: 'transactional', status: 'queued' });

    sim.clear();
    await dispatchDue(t.ctx);
    expect(await findMessage(t.ctx.store.db, queued.id)).toMatchObject({
      status: 'blocked',
      error_code: 'suppressed',
    });
    expect(sim.sentTo(US).map((m) => m.body)).toEqual([
      'Flora: you are unsubscribed and will receive no further messages. Reply START to resubscribe.',
    ]);
    expect(
      (await listInboundOf(t.ctx.store.db, { phoneIndex: t.ctx.cipher.blindIndex(US) })).map(
        (m) => m.intent,
      ),
    ).toEqual(['opt_out', 'opt_out']);
  });

  it.each(['【退订】', '回复TD退订', '退订，谢谢！', '不要再发了'])(
    'a Chinese opt-out (%s) gets the Chinese confirmation with the 【signature】',
    async (text) => {
      sim.clear();
      const res = await inbound(CN, text);
      expect(res.json()).toMatchObject({ intent: 'opt_out', action: 'opted_out' });
      expect((await marketingOf(CN))!.granted).toBe(0);
      await dispatchDue(t.ctx);
      const sent = sim.sentTo(CN);
      // One confirmation per opt-out burst: only the first of these gets one.
      expect(sent.length).toBeLessThanOrEqual(1);
      if (sent.length === 1)
        expect(sent[0]!.body).toBe('【Flora】退订成功，您将不再收到营销短信。');
    },
  );

  it('sent exactly one confirmation for the whole burst of Chinese opt-outs', async () => {
    const replies = (await messagesOf(CN)).filter((m) => m.kind === 'opt_out_confirmation');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.status).toBe('sent');
  });

  it('leaves a word used in another sense alone', async () => {
    const res = await inbound('+14155550124', "don't stop the deals!");
    expect(res.json()).toMatchObject({ intent: 'other', action: 'stored' });
    expect(await suppressionsOf('+14155550124')).toEqual([]);
  });

  it('START re-subscribes someone who opted out, on their own word; nobody else', async () => {
    const res = await inbound(US, 'start');
    expect(res.json()).toMatchObject({ intent: 'opt_in', action: 'opted_in' });
    expect(await marketingOf(US)).toMatchObject({ granted: 1, method: 'keyword' });
    expect(await suppressionsOf(US)).toEqual([]);
    const reply = (await messagesOf(US)).filter((m) => m.kind === 'opt_in_confirmation');
    expect(reply.map((m) => m.body)).toEqual([
      'Flora: you are subscribed again. Reply STOP to unsubscribe.',
    ]);
    // Not a contact, or never opted out: START grants nothing.
    expect((await inbound('+14155550125', 'START')).json().action).toBe('stored');
    expect((await inbound(US, 'UNSTOP')).json().action).toBe('stored');
  });

  it('answers HELP once in a while, without marketing', async () => {
    expect((await inbound(US, 'HELP')).json()).toMatchObject({
      intent: 'help',
      action: 'help_sent',
    });
    expect((await inbound(US, 'help!')).json()).toMatchObject({ intent: 'help', action: 'stored' });
    const help = (await messagesOf(US)).filter((m) => m.kind === 'help_reply');
    // The US pack's HELP text (CTIA: the program, rates, how to stop).
    expect(help.map((m) => m.body)).toEqual([
      'Flora: Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out, START to opt back in.',
    ]);
  });

  it('answers 帮助 from a Chinese number with the CN pack’s help text, in Chinese', async () => {
    expect((await inbound(CN, '帮助')).json()).toMatchObject({
      intent: 'help',
      action: 'help_sent',
    });
    const help = (await messagesOf(CN)).filter((m) => m.kind === 'help_reply');
    expect(help.map((m) => m.body)).toEqual([
      '【Flora】客服帮助：回复TD退订营销短信，回复“订阅”重新订阅。',
    ]);
  });

  it('suppresses a number that is not a contact when it says STOP', async () => {
    const stranger = '+14155550126';
    expect((await receiveInbound(t.ctx, sim.injectInbound(stranger, 'UNSUBSCRIBE'))).action).toBe(
      'opted_out',
    );
    expect(await suppressionsOf(stranger)).toMatchObject([
      { scope: 'marketing', reason: 'opt_out' },
    ]);
    expect((await messagesOf(stranger)).map((m) => m.kind)).toEqual(['opt_out_confirmation']);
  });

  it('reads a text an SMSC ended with a NUL, and keeps it without the NUL', async () => {
    const stranger = '+14155550177';
    const outcome = await receiveInbound(t.ctx, sim.injectInbound(stranger, 'STOP\u0000'));
    expect(outcome).toMatchObject({ intent: 'opt_out', action: 'opted_out' });
    const [kept] = await listInboundOf(t.ctx.store.db, {
      phoneIndex: t.ctx.cipher.blindIndex(stranger),
    });
    expect(kept?.body).toBe('STOP');
  });

  it('lets someone who opted out sign up again by double opt-in; a STOP closes an open request', async () => {
    // Opted in since the last STOP: this one changes their state and is confirmed again.
    sim.clear();
    expect((await inbound(US, 'STOP')).json().action).toBe('opted_out');
    await dispatchDue(t.ctx);
    expect(sim.sentTo(US).map((m) => m.body)).toContain(
      'Flora: you are unsubscribed and will receive no further messages. Reply START to resubscribe.',
    );
    const signUp = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/subscribe',
        payload: { formKey: 'flora-web', phone: US },
      });
    expect((await signUp()).statusCode).toBe(202);
    sim.clear();
    await dispatchDue(t.ctx);
    expect(sim.sentTo(US)).toHaveLength(1);
    expect((await inbound(US, 'Y')).json()).toMatchObject({
      intent: 'confirm',
      action: 'confirmed',
    });
    expect(await marketingOf(US)).toMatchObject({ granted: 1, method: 'double_opt_in_sms' });
    expect(await suppressionsOf(US)).toEqual([]);

    const other = '+14155550127';
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/subscribe',
          payload: { formKey: 'flora-web', phone: other },
        })
      ).statusCode,
    ).toBe(202);
    expect((await inbound(other, 'STOP')).json().action).toBe('opted_out');
    expect((await inbound(other, 'YES')).json()).toMatchObject({ action: 'stored' });
    const pending = await t.ctx.store.db
      .selectFrom('pending_subscriptions')
      .select(['status', 'phone_enc'])
      .where('phone_index', '=', t.ctx.cipher.blindIndex(other))
      .execute();
    expect(pending).toEqual([{ status: 'refused', phone_enc: null }]);
  });

  it('refuses an injected SMS from something that is not a number', async () => {
    const res = await inbound('hello', 'STOP');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('CONTACT_INVALID_NUMBER');
  });

  it('never writes a number in clear into the logs', () => {
    expect(t.logs()).not.toMatch(/4155550123|13912345679/);
  });
});
