// The carriers' way in, over real HTTP: the fakes build callbacks exactly as Twilio, Tencent Cloud
// and Alibaba Cloud post them (signed for Herald's public URL), and the test posts them to a
// Herald listening on 127.0.0.1, as a TLS-terminating proxy in front of it would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CarrierRequest } from '../../src/carriers/carrier.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { listInboundOf } from '../../src/store/inbound.js';
import { findMessage, listMessagesOf } from '../../src/store/messages.js';
import { listMessageEvents } from '../../src/store/message-events.js';
import { findSuppressions } from '../../src/store/suppressions.js';
import { startAliyunFake, type AliyunFake } from '../fakes/aliyun.js';
import { startTencentFake, type TencentFake } from '../fakes/tencent.js';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

const PUBLIC = 'https://herald.example.com';
const TENCENT_TOKEN = 'tencent-callback-token-0123456789';
const ALIYUN_TOKEN = 'aliyun-callback-token-0123456789';

describe.each(DIALECTS)('[%s] carrier webhooks', (dialect) => {
  let t: TestApp;
  let base: string;
  let twilio: TwilioFake;
  let tencent: TencentFake;
  let aliyun: AliyunFake;

  /** Posts a callback built for the public URL to the Herald listening on loopback. */
  const post = async (request: CarrierRequest) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (name !== 'host' && typeof value === 'string') headers[name] = value;
    }
    const res = await fetch(`${base}${url.pathname}${url.search}`, {
      method: 'POST',
      headers,
      body: request.rawBody ?? '',
    });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };
  const db = () => t.ctx.store.db;
  const indexOf = (e164: string) => t.ctx.cipher.blindIndex(e164);

  /** A transactional message sent through one carrier; its row once the carrier took it. */
  const sent = async (carrier: string, to: string, template?: string) => {
    const queued = await enqueueMessage(t.ctx, {
      to,
      purpose: 'transactional',
      kind: 'api',
      // Chinese numbers: the CN pack wants the signature in the text.
      body: to.startsWith('+86') ? '【Herald】您的订单已发货' : 'Your order has shipped',
      carrier,
      ...(template ? { template: { key: template, variables: { text: 'shipped' } } } : {}),
    });
    await dispatchDue(t.ctx, {});
    const row = (await findMessage(db(), queued.id))!;
    expect({ status: row.status, error: row.error_code, carrier: row.carrier }).toEqual({
      status: 'sent',
      error: null,
      carrier,
    });
    return row;
  };
  const history = async (id: number) =>
    (await listMessageEvents(db(), { messageId: id })).map((e) => e.status);

  beforeAll(async () => {
    twilio = await startTwilioFake({ inboundUrl: `${PUBLIC}/webhooks/twilio/inbound` });
    tencent = await startTencentFake({
      signNames: ['Herald'],
      templates: { '1000001': '{1}' },
      receiptUrl: `${PUBLIC}/webhooks/tencent/receipts?token=${TENCENT_TOKEN}`,
      inboundUrl: `${PUBLIC}/webhooks/tencent/inbound?token=${TENCENT_TOKEN}`,
    });
    aliyun = await startAliyunFake({
      signNames: ['Herald'],
      templates: { SMS_1000: '${text}' },
      receiptUrl: `${PUBLIC}/webhooks/aliyun/receipts?token=${ALIYUN_TOKEN}`,
      inboundUrl: `${PUBLIC}/webhooks/aliyun/inbound?token=${ALIYUN_TOKEN}`,
    });
    const carriers = [
      {
        name: 'twilio',
        type: 'twilio',
        settings: { accountSid: twilio.accountSid, from: '+14155550100', baseUrl: twilio.baseUrl },
        secrets: { authToken: twilio.authToken },
      },
      {
        name: 'tencent',
        type: 'tencent',
        settings: {
          secretId: tencent.secretId,
          region: 'ap-guangzhou',
          sdkAppId: tencent.sdkAppId,
          signName: 'Herald',
          templateMap: { shipped: { templateId: '1000001', params: ['text'] } },
          endpoint: tencent.endpoint,
        },
        secrets: { secretKey: tencent.secretKey, callbackToken: TENCENT_TOKEN },
      },
      {
        name: 'aliyun',
        type: 'aliyun',
        settings: {
          accessKeyId: aliyun.accessKeyId,
          signName: 'Herald',
          templateMap: { shipped: { templateCode: 'SMS_1000', params: { text: 'text' } } },
          endpoint: aliyun.endpoint,
        },
        secrets: { accessKeySecret: aliyun.accessKeySecret, callbackToken: ALIYUN_TOKEN },
      },
    ];
    t = await openTestApp(dialect, {
      HERALD_PUBLIC_URL: PUBLIC,
      HERALD_CARRIERS: JSON.stringify(carriers),
      // The fakes listen on 127.0.0.1: an admin's explicit allowance (docs/abuse.md).
      HERALD_OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([twilio?.close(), tencent?.close(), aliyun?.close()]);
  });

  it('records a Twilio status callback once, and answers as Twilio expects', async () => {
    const row = await sent('twilio', '+14155550160');
    const callback = await twilio.deliverReceipt(row.carrier_message_id!, 'delivered');
    // The message told Twilio to call Herald's own public status URL.
    expect(callback.url).toBe(`${PUBLIC}/webhooks/twilio/receipts`);
    expect((await post(callback)).status).toBeLessThan(300);
    expect((await post(callback)).status).toBeLessThan(300);
    expect((await findMessage(db(), row.id))!.status).toBe('delivered');
    expect((await history(row.id)).slice(-2)).toEqual(['sent', 'delivered']);
  });

  it('holds a Twilio status callback that came before the message id was written, and applies it then', async () => {
    const carrier = t.ctx.carriers.get('twilio')!;
    const send = carrier.send.bind(carrier);
    const early: { status: number; held: number; messageStatus: string }[] = [];
    const queued = await enqueueMessage(t.ctx, {
      to: '+14155550163',
      purpose: 'transactional',
      kind: 'api',
      body: 'Your order has shipped',
      carrier: 'twilio',
    });
    // Twilio calls back while Herald is still recording its answer to the send.
    carrier.send = async (sms) => {
      const result = await send(sms);
      if (result.status === 'accepted') {
        const callback = await twilio.deliverReceipt(result.carrierMessageId, 'delivered');
        const res = await post(callback);
        const held = await db()
          .selectFrom('held_receipts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('carrier', '=', 'twilio')
          .executeTakeFirstOrThrow();
        const row = (await findMessage(db(), queued.id))!;
        early.push({ status: res.status, held: Number(held.n), messageStatus: row.status });
      }
      return result;
    };
    try {
      await dispatchDue(t.ctx, {});
    } finally {
      carrier.send = send;
    }
    // Answered at once (no retry needed from Twilio), saved while the message was `submitted`.
    expect(early).toEqual([{ status: 204, held: 1, messageStatus: 'submitted' }]);
    expect((await findMessage(db(), queued.id))!.status).toBe('delivered');
    expect((await history(queued.id)).slice(-2)).toEqual(['sent', 'delivered']);
    const left = await db().selectFrom('held_receipts').selectAll().execute();
    expect(left).toEqual([]);
  });

  it('refuses forged or altered Twilio callbacks with 403, changing nothing', async () => {
    const row = await sent('twilio', '+14155550161');
    const genuine = await twilio.deliverReceipt(row.carrier_message_id!, 'undelivered');
    const forgeries = twilio.forgeries(genuine);
    expect(forgeries.length).toBeGreaterThan(3);
    for (const forged of forgeries) {
      const res = await post(forged);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).error.code).toBe('FORBIDDEN');
    }
    expect((await findMessage(db(), row.id))!.status).toBe('sent');
    expect((await history(row.id)).at(-1)).toBe('sent');
  });

  it('handles a STOP by Twilio: suppressed, one confirmation, empty TwiML; the same STOP again changes nothing', async () => {
    const from = '+14155550162';
    const stop = await twilio.injectInbound(from, 'STOP');
    for (let i = 0; i < 2; i++) {
      const res = await post(stop);
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^text\/xml/);
      expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    }
    expect(await listInboundOf(db(), { phoneIndex: indexOf(from) })).toHaveLength(1);
    expect(await findSuppressions(db(), indexOf(from))).toMatchObject([
      { scope: 'marketing', reason: 'opt_out' },
    ]);
    const replies = await listMessagesOf(db(), { phoneIndex: indexOf(from) });
    expect(replies.map((m) => m.kind)).toEqual(['opt_out_confirmation']);
    // A forged START from the same number does not lift it.
    const start = await twilio.injectInbound(from, 'START');
    for (const forged of twilio.forgeries(start)) expect((await post(forged)).status).toBe(403);
    expect(await listInboundOf(db(), { phoneIndex: indexOf(from) })).toHaveLength(1);
  });

  it('records Tencent status reports and replies, answering {"result":0,"errmsg":"OK"}', async () => {
    const row = await sent('tencent', '+8613912345670', 'shipped');
    const report = await tencent.deliverReceipt(row.carrier_message_id!, 'undelivered');
    const res = await post(report);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ result: 0, errmsg: 'OK' });
    expect((await findMessage(db(), row.id))!.status).toBe('undelivered');

    const from = '+8613912345671';
    const td = await tencent.injectInbound(from, '退订');
    expect((await post(td)).status).toBe(200);
    expect((await post(td)).status).toBe(200); // Tencent retried: one inbound message only
    expect(await listInboundOf(db(), { phoneIndex: indexOf(from) })).toMatchObject([
      { intent: 'opt_out', carrier: 'tencent' },
    ]);
    expect(await findSuppressions(db(), indexOf(from))).toHaveLength(1);
  });

  it('refuses Tencent callbacks without the right token', async () => {
    const from = '+8613912345672';
    const genuine = await tencent.injectInbound(from, 'TD');
    for (const forged of tencent.forgeries(genuine)) expect((await post(forged)).status).toBe(403);
    expect(await listInboundOf(db(), { phoneIndex: indexOf(from) })).toEqual([]);
    expect(await findSuppressions(db(), indexOf(from))).toEqual([]);
  });

  it('refuses a stale Tencent reply (a replay of days ago), acknowledging it', async () => {
    const fourDaysAgo = Math.floor(Date.now() / 1000) - 4 * 24 * 3600;
    const stale = tencent.callback(`${PUBLIC}/webhooks/tencent/inbound?token=${TENCENT_TOKEN}`, [
      {
        extend: '',
        nationcode: '86',
        mobile: '13912345673',
        sign: 'Herald',
        text: 'TD',
        time: fourDaysAgo,
      },
    ]);
    expect((await post(stale)).status).toBe(200);
    expect(await listInboundOf(db(), { phoneIndex: indexOf('+8613912345673') })).toEqual([]);
  });

  it('records Alibaba delivery reports and uplink messages, answering {"code":0,...}', async () => {
    const row = await sent('aliyun', '+8613912345674', 'shipped');
    const report = await aliyun.deliverReceipt(row.carrier_message_id!, 'delivered');
    const res = await post(report);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ code: 0, msg: '接收成功' });
    expect((await findMessage(db(), row.id))!.status).toBe('delivered');

    const from = '+8613912345675';
    const uplink = await aliyun.injectInbound(from, '帮助');
    expect((await post(uplink)).status).toBe(200);
    expect((await post(uplink)).status).toBe(200);
    expect(await listInboundOf(db(), { phoneIndex: indexOf(from) })).toMatchObject([
      { intent: 'help' },
    ]);
    const replies = await listMessagesOf(db(), { phoneIndex: indexOf(from) });
    expect(replies.map((m) => m.kind)).toEqual(['help_reply']);
    for (const forged of aliyun.forgeries(uplink)) {
      if (URL.canParse(forged.url)) expect((await post(forged)).status).toBe(403);
    }
  });

  it('answers 404 for a carrier that is not configured, 413 for an oversized body', async () => {
    const unknown = await fetch(`${base}/webhooks/nobody/receipts`, { method: 'POST', body: '' });
    expect(unknown.status).toBe(404);
    const big = await fetch(`${base}/webhooks/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Body=${'x'.repeat(300 * 1024)}`,
    });
    expect(big.status).toBe(413);
  });

  it('lists the webhook routes in the API document, authenticated by the carrier', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const kind of ['receipts', 'inbound']) {
      const op = doc.paths[`/webhooks/{carrier}/${kind}`]?.post;
      expect(op).toMatchObject({ tags: ['carrier webhooks'], security: [] });
      expect(op.description).toMatch(/signature/);
    }
  });
});
