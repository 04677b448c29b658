import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CarrierRequest } from '../../src/carriers/carrier.js';
import { createTwilioCarrier, type TwilioCarrierOptions } from '../../src/carriers/twilio.js';
import { twilioFailure } from '../../src/carriers/twilio-errors.js';
import {
  twilioSignature,
  urlPortVariants,
  verifyTwilioBody,
  verifyTwilioSignature,
} from '../../src/carriers/twilio-signature.js';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio.js';
import { loopbackHttp } from '../helpers/outbound.js';
import { outgoing, runCarrierContract } from './contract.js';

const STATUS_URL = 'https://herald.example.com/webhooks/twilio/receipts';

async function setup(options: Partial<TwilioCarrierOptions> = {}) {
  const fake = await startTwilioFake();
  const carrier = createTwilioCarrier({
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    from: '+14155550100',
    baseUrl: fake.baseUrl,
    http: loopbackHttp,
    statusCallbackUrl: STATUS_URL,
    timeoutMs: 300,
    ...options,
  });
  return { carrier, fake };
}

runCarrierContract('twilio', setup);

describe('X-Twilio-Signature', () => {
  // The example of Twilio's "Secure webhooks" page, and the one twilio-node's own tests sign.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = (caller: string) => ({
    CallSid: 'CA1234567890ABCDE',
    Caller: caller,
    Digits: '1234',
    From: caller,
    To: '+18005551212',
  });

  it('matches the published examples', () => {
    expect(twilioSignature('12345', url, params('+14158675310'))).toBe(
      'GvWf1cFY/Q7PnoempGyD5oXAezc=',
    );
    expect(twilioSignature('12345', url, params('+14158675309'))).toBe(
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    );
  });

  it('sorts by name whatever the order given, and includes unknown parameters', () => {
    const reversed = Object.fromEntries(Object.entries(params('+14158675310')).reverse());
    expect(verifyTwilioSignature('12345', 'GvWf1cFY/Q7PnoempGyD5oXAezc=', url, reversed)).toBe(
      true,
    );
    const withNew = { ...params('+14158675310'), NewParameter2031: 'x' };
    const signed = twilioSignature('12345', url, withNew);
    expect(verifyTwilioSignature('12345', signed, url, withNew)).toBe(true);
    expect(verifyTwilioSignature('12345', signed, url, params('+14158675310'))).toBe(false);
  });

  it('signs every value of a repeated parameter, sorted', () => {
    const signed = twilioSignature('tok', 'https://h/x', { A: ['2', '1'], B: '3' });
    expect(signed).toBe(twilioSignature('tok', 'https://h/x', { B: '3', A: ['1', '2'] }));
    expect(verifyTwilioSignature('tok', signed, 'https://h/x', { A: '1', B: '3' })).toBe(false);
  });

  it('rejects a forged, altered or missing signature', () => {
    const good = 'GvWf1cFY/Q7PnoempGyD5oXAezc=';
    const p = params('+14158675310');
    expect(verifyTwilioSignature('12345', undefined, url, p)).toBe(false);
    expect(verifyTwilioSignature('12345', '', url, p)).toBe(false);
    expect(verifyTwilioSignature('54321', good, url, p)).toBe(false);
    expect(verifyTwilioSignature('12345', good, `${url}&baz=3`, p)).toBe(false);
    expect(verifyTwilioSignature('12345', good, url, { ...p, Digits: '9999' })).toBe(false);
    expect(verifyTwilioSignature('12345', good.replace('G', 'g'), url, p)).toBe(false);
  });

  it('accepts the URL with or without its default port', () => {
    expect(urlPortVariants('https://a.example/x?y=1')).toEqual([
      'https://a.example/x?y=1',
      'https://a.example:443/x?y=1',
    ]);
    expect(urlPortVariants('http://a.example:80/x')).toEqual([
      'http://a.example:80/x',
      'http://a.example/x',
    ]);
    expect(urlPortVariants('https://a.example:8443/x')).toEqual(['https://a.example:8443/x']);
    const signed = twilioSignature('tok', 'https://a.example:443/hook', { A: '1' });
    expect(verifyTwilioSignature('tok', signed, 'https://a.example/hook', { A: '1' })).toBe(true);
  });

  it('checks JSON bodies by their bodySHA256', () => {
    const raw = '{"MessageSid":"SM1","MessageStatus":"delivered"}';
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const good = `https://h.example/hook?bodySHA256=${sha(raw)}`;
    expect(verifyTwilioBody('tok', twilioSignature('tok', good), good, raw)).toBe(true);
    expect(verifyTwilioBody('tok', twilioSignature('tok', good), good, `${raw} `)).toBe(false);
    const other = `https://h.example/hook?bodySHA256=${sha('{}')}`;
    expect(verifyTwilioBody('tok', twilioSignature('tok', other), other, raw)).toBe(false);
    expect(verifyTwilioBody('tok', twilioSignature('tok', good), other, raw)).toBe(false);
  });
});

describe('Twilio error codes', () => {
  const table: [number, number, string, boolean][] = [
    [400, 21610, 'opted_out', true],
    [400, 21211, 'invalid_number', true],
    [400, 21614, 'invalid_number', true],
    [400, 30005, 'invalid_number', true],
    [400, 30006, 'TWILIO_30006', true],
    [400, 30003, 'TWILIO_30003', false],
    [400, 30007, 'TWILIO_30007', true],
    [429, 20429, 'CARRIER_THROTTLED', false],
    [503, 20503, 'CARRIER_UNAVAILABLE', false],
    [500, 99999, 'CARRIER_UNAVAILABLE', false],
    [429, 99998, 'CARRIER_THROTTLED', false],
    [401, 20003, 'TWILIO_20003', false],
    [400, 21408, 'TWILIO_21408', false],
    [400, 21699, 'TWILIO_21699', true],
  ];

  it.each(table)('HTTP %i code %i is %s (permanent: %s)', (http, code, errorCode, permanent) => {
    expect(twilioFailure(http, code, 'x')).toMatchObject({
      status: 'failed',
      errorCode,
      permanent,
    });
  });

  describe('as the API answers them', () => {
    let fake: TwilioFake;
    afterEach(() => fake.close());

    it('maps what the fake answers, and keeps numbers out of the detail', async () => {
      const ctx = await setup();
      fake = ctx.fake;
      fake.failNextWith({
        httpStatus: 400,
        code: 21610,
        message: 'Attempt to send to unsubscribed recipient +8613912345678',
      });
      const result = await ctx.carrier.send(outgoing('Hi'));
      expect(result).toMatchObject({ status: 'failed', errorCode: 'opted_out', permanent: true });
      expect(result.status === 'failed' && result.detail).toMatch(/^twilio 21610: /);
      expect(JSON.stringify(result)).not.toContain('13912345678');
      await ctx.carrier.close();
    });

    it('fails temporarily on wrong credentials, and on a carrier that is not there', async () => {
      const ctx = await setup({ authToken: 'wrong' });
      fake = ctx.fake;
      expect(await ctx.carrier.send(outgoing('Hi'))).toMatchObject({
        errorCode: 'TWILIO_20003',
        permanent: false,
      });
      const gone = createTwilioCarrier({
        accountSid: 'AC1',
        authToken: 't',
        from: '+14155550100',
        baseUrl: 'http://127.0.0.1:9',
        http: loopbackHttp,
      });
      expect(await gone.send(outgoing('Hi'))).toMatchObject({
        errorCode: 'CARRIER_UNAVAILABLE',
        permanent: false,
      });
    });
  });
});

describe('Twilio carrier', () => {
  let fake: TwilioFake;
  afterEach(() => fake.close());

  it('posts To, From, Body and StatusCallback; a message sender or a service may replace From', async () => {
    const ctx = await setup({ messagingServiceSid: 'MG' + '1'.repeat(32) });
    fake = ctx.fake;
    await ctx.carrier.send(outgoing('One', '+447700900123'));
    await ctx.carrier.send({ ...outgoing('Two'), sender: 'HERALD' });
    expect(fake.forms()).toEqual([
      {
        To: '+447700900123',
        Body: 'One',
        From: '+14155550100',
        MessagingServiceSid: 'MG' + '1'.repeat(32),
        StatusCallback: STATUS_URL,
      },
      expect.objectContaining({ From: 'HERALD', Body: 'Two' }),
    ]);
    expect(() =>
      createTwilioCarrier({ accountSid: 'AC1', authToken: 't', baseUrl: fake.baseUrl }),
    ).toThrow(/from number or a messagingServiceSid/);
  });

  it('reads status callbacks: outcomes with their error codes, nothing for the steps before', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const sent = await ctx.carrier.send(outgoing('Hi'));
    const id = sent.status === 'accepted' ? sent.carrierMessageId : '';
    const callback = (status: string, errorCode?: string) =>
      fake.callback(
        STATUS_URL,
        new URLSearchParams({
          MessageSid: id,
          MessageStatus: status,
          ...(errorCode ? { ErrorCode: errorCode } : {}),
          RawDlrDoneDate: '2603021000',
        }),
      );
    expect(ctx.carrier.parseReceipts(callback('sent'))).toEqual([]);
    expect(ctx.carrier.parseReceipts(callback('queued'))).toEqual([]);
    expect(ctx.carrier.parseReceipts(callback('undelivered', '30003'))).toMatchObject([
      { carrierMessageId: id, status: 'undelivered', errorCode: 'TWILIO_30003' },
    ]);
    expect(ctx.carrier.parseReceipts(callback('failed', '21610'))).toMatchObject([
      { status: 'failed', errorCode: 'opted_out', at: new Date('2026-03-02T10:00:00Z') },
    ]);
    expect(ctx.carrier.parseReceipts(callback('delivered'))[0]).not.toHaveProperty('errorCode');
    expect(ctx.carrier.parseInbound(callback('delivered'))).toEqual([]);
  });

  it('reads an inbound message from a parsed form body as well as from the raw body', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const genuine = await fake.injectInbound('+447700900123', 'STOP');
    const parsedOnly: CarrierRequest = { ...genuine, rawBody: undefined };
    expect(ctx.carrier.parseInbound(parsedOnly)).toMatchObject([
      { from: '+447700900123', to: '+14155550100', text: 'STOP' },
    ]);
    expect(ctx.carrier.parseReceipts(genuine)).toEqual([]);
    expect(() => ctx.carrier.parseInbound({ ...genuine, url: `${genuine.url}/` })).toThrow(
      /signature/,
    );
  });

  it('reads a JSON-bodied callback by its bodySHA256, and refuses webhook-rule signatures', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const raw = JSON.stringify({ MessageSid: 'SM1', MessageStatus: 'delivered' });
    const url = `${STATUS_URL}?bodySHA256=${createHash('sha256').update(raw).digest('hex')}`;
    const request: CarrierRequest = {
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': twilioSignature(fake.authToken, url),
      },
      body: JSON.parse(raw),
      rawBody: raw,
    };
    expect(ctx.carrier.parseReceipts(request)).toMatchObject([
      { carrierMessageId: 'SM1', status: 'delivered' },
    ]);
    const altered = { ...request, rawBody: raw.replace('delivered', 'failed') };
    expect(() => ctx.carrier.parseReceipts(altered)).toThrow(/signature/);
    const genuine = await fake.deliverReceipt(
      ((await ctx.carrier.send(outgoing('Hi'))) as { carrierMessageId: string }).carrierMessageId,
      'delivered',
    );
    const ruled = {
      ...genuine,
      headers: {
        ...genuine.headers,
        'x-twilio-webhooks-signature-settings': 'key=abc,algorithm=HMAC_SHA256',
      },
    };
    expect(() => ctx.carrier.parseReceipts(ruled)).toThrow(/webhook rule/);
  });

  it('answers callbacks as Twilio expects', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    expect(ctx.carrier.webhookReply('inbound')).toMatchObject({
      status: 200,
      contentType: 'text/xml',
      body: expect.stringContaining('<Response></Response>'),
    });
    expect(ctx.carrier.webhookReply('receipts').status).toBe(204);
  });
});
