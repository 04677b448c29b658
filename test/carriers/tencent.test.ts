import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingSms } from '../../src/carriers/carrier.js';
import { createTencentCarrier, type TencentCarrierOptions } from '../../src/carriers/tencent.js';
import { tencentCallbackAnswer } from '../../src/carriers/tencent-callbacks.js';
import { tencentFailure } from '../../src/carriers/tencent-errors.js';
import {
  tc3Authorization,
  tc3CanonicalRequest,
  tc3StringToSign,
} from '../../src/carriers/tencent-signature.js';
import { startTencentFake, type TencentFake } from '../fakes/tencent.js';
import { loopbackHttp } from '../helpers/outbound.js';
import { outgoing, runCarrierContract } from './contract.js';

const TOKEN = 'callback-token-0123456789abcdef';
const RECEIPT_URL = `https://herald.example.com/webhooks/tencent/receipts?token=${TOKEN}`;
const INBOUND_URL = `https://herald.example.com/webhooks/tencent/inbound?token=${TOKEN}`;

async function setup(options: Partial<TencentCarrierOptions> = {}) {
  const fake = await startTencentFake({
    signNames: ['Herald', '赫拉德'],
    templates: { '1000001': '{1}', '2000002': '您的验证码是{1}，{2}分钟内有效。' },
    receiptUrl: RECEIPT_URL,
    inboundUrl: INBOUND_URL,
  });
  const carrier = createTencentCarrier({
    secretId: fake.secretId,
    secretKey: fake.secretKey,
    region: 'ap-guangzhou',
    sdkAppId: fake.sdkAppId,
    signName: 'Herald',
    templateMap: {
      'contract.text': { templateId: '1000001', params: ['text'] },
      'otp.login': { templateId: '2000002', params: ['code', 'minutes'] },
    },
    endpoint: fake.endpoint,
    http: loopbackHttp,
    callbackToken: TOKEN,
    timeoutMs: 300,
    ...options,
  });
  return { carrier, fake };
}

/** The contract's text travels as the value of a template that is nothing but {1}. */
const asTemplate = (sms: OutgoingSms): OutgoingSms => ({
  ...sms,
  template: { key: 'contract.text', variables: { text: sms.body } },
});

runCarrierContract('tencent', async () => ({ ...(await setup()), prepare: asTemplate }));

const otp = (to: string, code = '428913', messageId?: number): OutgoingSms => ({
  ...outgoing(`您的验证码是${code}，5分钟内有效。`, to),
  ...(messageId ? { messageId } : {}),
  template: { key: 'otp.login', variables: { code, minutes: '5' } },
});

describe('TC3-HMAC-SHA256', () => {
  // The worked example of Tencent Cloud's "Signature v3" page (CVM DescribeInstances).
  const example = {
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    timestamp: 1551113065,
    payload:
      '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  };
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('builds the documented canonical request and string to sign', () => {
    expect(tc3CanonicalRequest(example)).toBe(
      [
        'POST',
        '/',
        '',
        'content-type:application/json; charset=utf-8',
        'host:cvm.tencentcloudapi.com',
        '',
        'content-type;host',
        '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
      ].join('\n'),
    );
    expect(sha(tc3CanonicalRequest(example))).toBe(
      '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
    expect(tc3StringToSign(example)).toBe(
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n' +
        '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
  });

  it('produces the documented Authorization header', () => {
    expect(tc3Authorization(example)).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
        'SignedHeaders=content-type;host, ' +
        'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it('dates the scope in UTC (00:44 in Beijing is still the day before)', () => {
    expect(tc3StringToSign({ ...example, timestamp: 1551113065 })).toContain('\n2019-02-25/');
    expect(tc3Authorization({ ...example, payload: '{}' })).not.toContain('72e494ea');
  });

  describe('against the fake, which recomputes it', () => {
    let fake: TencentFake;
    afterEach(() => fake.close());

    it('is refused with a wrong key, or a clock five minutes off', async () => {
      const wrongKey = await setup({ secretKey: 'not-the-key' });
      fake = wrongKey.fake;
      expect(await wrongKey.carrier.send(otp('+8613912345678'))).toMatchObject({
        errorCode: 'TENCENT_AuthFailure.SignatureFailure',
        permanent: false,
      });
      const late = createTencentCarrier({
        ...optionsOf(fake),
        clock: () => new Date(Date.now() - 600_000),
      });
      expect(await late.send(otp('+8613912345678'))).toMatchObject({
        errorCode: 'TENCENT_AuthFailure.SignatureExpire',
      });
      expect(fake.sent()).toEqual([]);
    });
  });
});

function optionsOf(fake: TencentFake): TencentCarrierOptions {
  return {
    secretId: fake.secretId,
    secretKey: fake.secretKey,
    region: 'ap-guangzhou',
    sdkAppId: fake.sdkAppId,
    signName: 'Herald',
    templateMap: { 'otp.login': { templateId: '2000002', params: ['code', 'minutes'] } },
    endpoint: fake.endpoint,
    http: loopbackHttp,
    timeoutMs: 300,
  };
}

describe('Tencent error codes', () => {
  const table: [string, string, boolean][] = [
    ['FailedOperation.PhoneNumberInBlacklist', 'opted_out', true],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'invalid_number', true],
    ['FailedOperation.PhoneNumberParseFail', 'invalid_number', true],
    ['FailedOperation.ContainSensitiveWord', 'TENCENT_FailedOperation.ContainSensitiveWord', true],
    ['LimitExceeded.PhoneNumberDailyLimit', 'CARRIER_THROTTLED', false],
    ['LimitExceeded.DeliveryFrequencyLimit', 'CARRIER_THROTTLED', false],
    ['RequestLimitExceeded', 'CARRIER_THROTTLED', false],
    ['InternalError.Timeout', 'CARRIER_UNAVAILABLE', false],
    ['InternalError.OtherError', 'CARRIER_UNAVAILABLE', false],
    ['AuthFailure.SecretIdNotFound', 'TENCENT_AuthFailure.SecretIdNotFound', false],
    [
      'FailedOperation.TemplateIncorrectOrUnapproved',
      'TENCENT_FailedOperation.TemplateIncorrectOrUnapproved',
      false,
    ],
    ['SomethingNew.NeverSeen', 'TENCENT_SomethingNew.NeverSeen', false],
  ];

  it.each(table)('%s is %s (permanent: %s)', (code, errorCode, permanent) => {
    expect(tencentFailure(code, 'm')).toMatchObject({ status: 'failed', errorCode, permanent });
  });

  describe('as the API answers them', () => {
    let fake: TencentFake;
    afterEach(() => fake.close());

    it('per number, and for the whole call', async () => {
      const ctx = await setup();
      fake = ctx.fake;
      fake.failNextWith({
        code: 'FailedOperation.PhoneNumberInBlacklist',
        message: 'phone number +8613912345678 in blacklist',
        perNumber: true,
      });
      const blocked = await ctx.carrier.send(otp('+8613912345678'));
      expect(blocked).toMatchObject({ errorCode: 'opted_out', permanent: true });
      expect(JSON.stringify(blocked)).not.toContain('13912345678');
      fake.failNextWith({ code: 'LimitExceeded.PhoneNumberOneHourLimit', message: 'limit' });
      const results = await ctx.carrier.sendBatch([otp('+8613912345678'), otp('+8613912345679')]);
      expect(results).toEqual([
        expect.objectContaining({ errorCode: 'CARRIER_THROTTLED', permanent: false }),
        expect.objectContaining({ errorCode: 'CARRIER_THROTTLED', permanent: false }),
      ]);
    });
  });
});

describe('Tencent carrier', () => {
  let fake: TencentFake;
  afterEach(() => fake.close());

  it('maps a Herald template to the Tencent template and its values, in order', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const result = await ctx.carrier.send(otp('+8613912345678', '771204', 42));
    expect(result).toMatchObject({ status: 'accepted' });
    expect(fake.sent()).toMatchObject([
      {
        to: '+8613912345678',
        text: '您的验证码是771204，5分钟内有效。',
        sender: 'Herald',
        template: { id: '2000002', params: ['771204', '5'] },
      },
    ]);
    expect(fake.calls[0]!.payload).toEqual({
      PhoneNumberSet: ['+8613912345678'],
      SmsSdkAppId: fake.sdkAppId,
      SignName: 'Herald',
      TemplateId: '2000002',
      TemplateParamSet: ['771204', '5'],
      SessionContext: '42',
    });
    expect(fake.calls[0]!.headers).toMatchObject({
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-region': 'ap-guangzhou',
    });
  });

  it('fails permanently, without calling Tencent, when a message has no mapped template', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const plain = outgoing('Free text');
    const unmapped = { ...plain, template: { key: 'promo.spring', variables: {} } };
    const incomplete = { ...plain, template: { key: 'otp.login', variables: { code: '1' } } };
    expect(await ctx.carrier.send(plain)).toMatchObject({
      errorCode: 'TEMPLATE_UNMAPPED',
      permanent: true,
    });
    expect(await ctx.carrier.send(unmapped)).toMatchObject({
      errorCode: 'TEMPLATE_UNMAPPED',
      detail: expect.stringContaining('promo.spring'),
    });
    expect(await ctx.carrier.send(incomplete)).toMatchObject({
      errorCode: 'TEMPLATE_VARIABLE_MISSING',
      detail: expect.stringContaining('minutes'),
    });
    expect(fake.calls).toEqual([]);
  });

  it('batches up to 200 numbers per call, grouped by content, one result per message in order', async () => {
    // No fault here: a deadline a 200-number call meets on a loaded machine (300 ms did not).
    const ctx = await setup({ timeoutMs: 5_000 });
    fake = ctx.fake;
    const numbers = Array.from({ length: 450 }, (_, i) => `+86139${String(i).padStart(8, '0')}`);
    const messages = [
      ...numbers.map((to) => otp(to, '111111')),
      otp('+8613900000001', '222222'), // other values: a call of its own
      otp('+447700900123', '111111'), // abroad: never with mainland numbers
      outgoing('no template'),
    ];
    expect(ctx.carrier.maxBatchSize).toBe(200);
    const results = await ctx.carrier.sendBatch(messages);
    expect(results).toHaveLength(messages.length);
    expect(results.slice(0, 452).every((r) => r.status === 'accepted')).toBe(true);
    expect(results[452]).toMatchObject({ errorCode: 'TEMPLATE_UNMAPPED' });
    const sizes = fake.calls.map((c) => (c.payload.PhoneNumberSet as string[]).length);
    expect(sizes.sort((a, b) => b - a)).toEqual([200, 200, 50, 1, 1]);
    const withContext = fake.calls.filter((c) => c.payload.SessionContext !== undefined);
    expect(withContext.map((c) => (c.payload.PhoneNumberSet as string[]).length)).toEqual([1, 1]);
    const ids = results.map((r) => (r.status === 'accepted' ? r.carrierMessageId : null));
    const byId = new Map(fake.sent().map((m) => [m.carrierMessageId, m.to]));
    expect(ids.slice(0, 450).map((id) => byId.get(id!))).toEqual(numbers);
  });

  it('gives a number twice in a batch two calls, so each keeps its own status', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const results = await ctx.carrier.sendBatch([otp('+8613912345678'), otp('+8613912345678')]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(fake.calls).toHaveLength(2);
  });

  it('reads status reports and replies, from an array or a single object', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const report = fake.callback(RECEIPT_URL, [
      {
        user_receive_time: '2026-03-02 08:03:04',
        nationcode: '86',
        mobile: '13912345678',
        report_status: 'FAIL',
        errmsg: 'MK:0001',
        description: '用户短信未送达',
        sid: '2433:1',
      },
      { report_status: 'FAIL', errmsg: 'EXPIRED', sid: '2433:2' },
    ]);
    expect(ctx.carrier.parseReceipts(report)).toEqual([
      {
        carrier: 'tencent',
        carrierMessageId: '2433:1',
        status: 'undelivered',
        errorCode: 'TENCENT_MK:0001',
        at: new Date('2026-03-02T00:03:04Z'),
      },
      expect.objectContaining({ carrierMessageId: '2433:2', status: 'expired' }),
    ]);
    const reply = fake.callback(INBOUND_URL, {
      extend: '',
      mobile: '13912345678',
      nationcode: '86',
      sign: 'Herald',
      text: '退订',
      time: 1457336869,
    });
    expect(ctx.carrier.parseInbound(reply)).toEqual([
      {
        carrier: 'tencent',
        from: '+8613912345678',
        text: '退订',
        receivedAt: new Date(1457336869 * 1000),
      },
    ]);
    expect(ctx.carrier.parseReceipts(reply)).toEqual([]);
    expect(ctx.carrier.parseInbound(report)).toEqual([]);
    expect(() => ctx.carrier.parseReceipts({ ...report, rawBody: 'not json' })).toThrow(/JSON/);
  });

  it('refuses every callback when no token is configured, and answers as Tencent expects', async () => {
    const ctx = await setup({ callbackToken: undefined });
    fake = ctx.fake;
    const reply = await fake.injectInbound('+8613912345678', 'TD');
    expect(() => ctx.carrier.parseInbound(reply)).toThrow(/not configured/);
    expect(tencentCallbackAnswer()).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '{"result":0,"errmsg":"OK"}',
    });
    expect(ctx.carrier.webhookReply()).toEqual(tencentCallbackAnswer());
  });
});
