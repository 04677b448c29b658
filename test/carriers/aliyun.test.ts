import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingSms } from '../../src/carriers/carrier.js';
import { createAliyunCarrier, type AliyunCarrierOptions } from '../../src/carriers/aliyun.js';
import {
  aliyunCallbackAnswer,
  fromAliyunNumber,
  toAliyunNumber,
} from '../../src/carriers/aliyun-callbacks.js';
import { aliyunFailure } from '../../src/carriers/aliyun-errors.js';
import {
  aliyunCanonicalQuery,
  aliyunPercentEncode,
  aliyunRpcSignature,
  aliyunStringToSign,
} from '../../src/carriers/aliyun-signature.js';
import { startAliyunFake, type AliyunFake } from '../fakes/aliyun.js';
import { loopbackHttp } from '../helpers/outbound.js';
import { outgoing, runCarrierContract } from './contract.js';

const TOKEN = 'aliyun-callback-token-0123456789';
const RECEIPT_URL = `https://herald.example.com/webhooks/aliyun/receipts?token=${TOKEN}`;
const INBOUND_URL = `https://herald.example.com/webhooks/aliyun/inbound?token=${TOKEN}`;

async function setup(options: Partial<AliyunCarrierOptions> = {}) {
  const fake = await startAliyunFake({
    signNames: ['Herald', '赫拉德'],
    templates: {
      SMS_100001: '${text}',
      SMS_154950909: '您的验证码为：${code}，该验证码${minutes}分钟内有效。',
      SMS_200000: '您的包裹已送达。',
    },
    receiptUrl: RECEIPT_URL,
    inboundUrl: INBOUND_URL,
  });
  const carrier = createAliyunCarrier({
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    signName: 'Herald',
    templateMap: {
      'contract.text': { templateCode: 'SMS_100001', params: { text: 'text' } },
      'otp.login': { templateCode: 'SMS_154950909', params: { code: 'otp', minutes: 'ttl' } },
      'parcel.delivered': { templateCode: 'SMS_200000', params: {} },
    },
    endpoint: fake.endpoint,
    http: loopbackHttp,
    callbackToken: TOKEN,
    timeoutMs: 300,
    ...options,
  });
  return { carrier, fake };
}

const asTemplate = (sms: OutgoingSms): OutgoingSms => ({
  ...sms,
  template: { key: 'contract.text', variables: { text: sms.body } },
});

runCarrierContract('aliyun', async () => ({ ...(await setup()), prepare: asTemplate }));

const otp = (to: string, code = '428913', sender?: string): OutgoingSms => ({
  ...outgoing(`您的验证码为：${code}，该验证码5分钟内有效。`, to),
  ...(sender ? { sender } : {}),
  template: { key: 'otp.login', variables: { otp: code, ttl: '5' } },
});

describe('Alibaba Cloud RPC signature', () => {
  it('matches the documented DescribeRegions example', () => {
    const params = {
      Timestamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    expect(aliyunStringToSign('GET', params)).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML' +
        '%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf' +
        '%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(aliyunRpcSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('matches the SMS documentation SendSms example (UTF-8 signature name, JSON parameter)', () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(aliyunCanonicalQuery(params)).toContain(
      'SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8',
    );
    expect(aliyunCanonicalQuery(params)).toContain(
      'TemplateParam=%7B%22customer%22%3A%22test%22%7D',
    );
    expect(aliyunRpcSignature('GET', params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    expect(aliyunCanonicalQuery({ ...params, Signature: 'x' })).toBe(aliyunCanonicalQuery(params));
  });

  it("percent-encodes as RFC 3986: space as %20, * ! ' ( ) encoded, ~ kept", () => {
    expect(aliyunPercentEncode("a b*c~d!'()+/")).toBe('a%20b%2Ac~d%21%27%28%29%2B%2F');
    expect(aliyunPercentEncode('😀')).toBe('%F0%9F%98%80');
  });

  describe('against the fake, which recomputes it', () => {
    let fake: AliyunFake;
    afterEach(() => fake.close());

    it('is refused with a wrong secret, an old clock, or a reused nonce', async () => {
      const ctx = await setup({ accessKeySecret: 'wrong' });
      fake = ctx.fake;
      expect(await ctx.carrier.send(otp('+8613912345678'))).toMatchObject({
        errorCode: 'ALIYUN_SignatureDoesNotMatch',
        permanent: false,
      });
      const base = { ...optionsOf(fake) };
      const late = createAliyunCarrier({ ...base, clock: () => new Date(Date.now() - 3_600_000) });
      expect(await late.send(otp('+8613912345678'))).toMatchObject({
        errorCode: 'ALIYUN_InvalidTimeStamp.Expired',
      });
      const replaying = createAliyunCarrier({ ...base, nonce: () => 'same-nonce' });
      expect(await replaying.send(otp('+8613912345678'))).toMatchObject({ status: 'accepted' });
      expect(await replaying.send(otp('+8613912345678'))).toMatchObject({
        errorCode: 'ALIYUN_SignatureNonceUsed',
      });
    });
  });
});

function optionsOf(fake: AliyunFake): AliyunCarrierOptions {
  return {
    accessKeyId: fake.accessKeyId,
    accessKeySecret: fake.accessKeySecret,
    signName: 'Herald',
    templateMap: {
      'otp.login': { templateCode: 'SMS_154950909', params: { code: 'otp', minutes: 'ttl' } },
    },
    endpoint: fake.endpoint,
    http: loopbackHttp,
    timeoutMs: 300,
  };
}

describe('Alibaba Cloud error codes', () => {
  const table: [string, string, boolean][] = [
    ['isv.MOBILE_NUMBER_ILLEGAL', 'invalid_number', true],
    ['isv.BUSINESS_LIMIT_CONTROL', 'CARRIER_THROTTLED', false],
    ['isv.DAY_LIMIT_CONTROL', 'CARRIER_THROTTLED', false],
    ['Throttling.User', 'CARRIER_THROTTLED', false],
    ['isv.BLACK_KEY_CONTROL_LIMIT', 'ALIYUN_isv.BLACK_KEY_CONTROL_LIMIT', true],
    ['isv.TEMPLATE_MISSING_PARAMETERS', 'ALIYUN_isv.TEMPLATE_MISSING_PARAMETERS', true],
    ['isv.DENY_IP_RANGE', 'ALIYUN_isv.DENY_IP_RANGE', false],
    ['isv.OUT_OF_SERVICE', 'ALIYUN_isv.OUT_OF_SERVICE', false],
    ['isp.SYSTEM_ERROR', 'CARRIER_UNAVAILABLE', false],
    ['isv.SOMETHING_NEW', 'ALIYUN_isv.SOMETHING_NEW', false],
  ];

  it.each(table)('%s is %s (permanent: %s)', (code, errorCode, permanent) => {
    expect(aliyunFailure(code, 'm')).toMatchObject({ status: 'failed', errorCode, permanent });
  });

  it('keeps numbers out of the detail', () => {
    const failure = aliyunFailure('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号 13912345678');
    expect(failure.detail).toBe('aliyun isv.MOBILE_NUMBER_ILLEGAL: 非法手机号 [phone]');
  });
});

describe('Alibaba Cloud carrier', () => {
  let fake: AliyunFake;
  afterEach(() => fake.close());

  it('sends a mapped template by SendSms: number, signature, code, JSON values, OutId', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const sms = otp('+8613912345678', '771204');
    const result = await ctx.carrier.send(sms);
    expect(result).toMatchObject({ status: 'accepted' });
    expect(fake.calls[0]).toMatchObject({
      action: 'SendSms',
      params: {
        PhoneNumbers: '13912345678',
        SignName: 'Herald',
        TemplateCode: 'SMS_154950909',
        TemplateParam: '{"code":"771204","minutes":"5"}',
        OutId: String(sms.messageId),
        Format: 'JSON',
        Version: '2017-05-25',
      },
    });
    expect(fake.sent()).toMatchObject([
      {
        to: '+8613912345678',
        text: '您的验证码为：771204，该验证码5分钟内有效。',
        template: { id: 'SMS_154950909', params: { code: '771204', minutes: '5' } },
      },
    ]);
    const parcel = { ...outgoing('x'), template: { key: 'parcel.delivered', variables: {} } };
    expect(await ctx.carrier.send(parcel)).toMatchObject({ status: 'accepted' });
    expect(fake.calls[1]!.params).not.toHaveProperty('TemplateParam');
  });

  it('fails permanently, without calling Alibaba, when a message has no mapped template', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const plain = outgoing('Free text');
    expect(await ctx.carrier.send(plain)).toMatchObject({
      errorCode: 'TEMPLATE_UNMAPPED',
      permanent: true,
    });
    const incomplete = { ...plain, template: { key: 'otp.login', variables: { otp: '1' } } };
    expect(await ctx.carrier.send(incomplete)).toMatchObject({
      errorCode: 'TEMPLATE_VARIABLE_MISSING',
      detail: 'template otp.login lacks ttl',
    });
    expect(fake.calls).toEqual([]);
  });

  it('batches by SendBatchSms, 100 numbers a call, each with its signature, and matches receipts', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const numbers = Array.from({ length: 150 }, (_, i) => `+86139${String(i).padStart(8, '0')}`);
    const messages = numbers.map((to, i) =>
      otp(to, String(100000 + i), i % 2 ? '赫拉德' : undefined),
    );
    expect(ctx.carrier.maxBatchSize).toBe(100);
    const results = await ctx.carrier.sendBatch([...messages, outgoing('no template')]);
    expect(results.at(-1)).toMatchObject({ errorCode: 'TEMPLATE_UNMAPPED' });
    expect(fake.calls.map((c) => [c.action, JSON.parse(c.params.PhoneNumberJson!).length])).toEqual(
      [
        ['SendBatchSms', 100],
        ['SendBatchSms', 50],
      ],
    );
    expect(JSON.parse(fake.calls[0]!.params.SignNameJson!).slice(0, 2)).toEqual([
      'Herald',
      '赫拉德',
    ]);
    expect(fake.calls[0]!.params.OutId).toMatch(/^herald-batch:/);
    const ids = results
      .slice(0, 150)
      .map((r) => (r.status === 'accepted' ? r.carrierMessageId : ''));
    expect(new Set(ids).size).toBe(150);
    expect(ids.join(' ')).not.toMatch(/1390000/); // no number in the ids
    const receipts = fake
      .sent()
      .flatMap((_, i) => ctx.carrier.parseReceipts(fake.reportFor(i, 'delivered')));
    expect(receipts.map((r) => r.carrierMessageId)).toEqual(ids);
    expect(fake.sent().map((m) => m.text)).toContain('您的验证码为：100149，该验证码5分钟内有效。');
  });

  it('reads SmsReport and SmsUp pushes', async () => {
    const ctx = await setup();
    fake = ctx.fake;
    const report = fake.push(RECEIPT_URL, [
      {
        phone_number: '13912345678',
        send_time: '2026-03-02 10:00:00',
        report_time: '2026-03-02 10:00:03',
        success: false,
        err_code: 'MK:0005',
        err_msg: '用户未接收',
        sms_size: '1',
        biz_id: '900619746936498440^0',
        out_id: '42',
      },
    ]);
    expect(ctx.carrier.parseReceipts(report)).toEqual([
      {
        carrier: 'aliyun',
        carrierMessageId: '900619746936498440^0',
        status: 'undelivered',
        errorCode: 'ALIYUN_MK:0005',
        at: new Date('2026-03-02T02:00:03Z'),
      },
    ]);
    const up = fake.push(INBOUND_URL, [
      {
        phone_number: '13912345678',
        send_time: '2026-03-02 10:05:00',
        content: '退订',
        sign_name: 'Herald',
        dest_code: '1234',
        sequence_id: 1234567890,
      },
    ]);
    expect(ctx.carrier.parseInbound(up)).toEqual([
      {
        carrier: 'aliyun',
        from: '+8613912345678',
        text: '退订',
        receivedAt: new Date('2026-03-02T02:05:00Z'),
        carrierMessageId: '1234567890',
      },
    ]);
    expect(ctx.carrier.parseInbound(report)).toEqual([]);
    expect(ctx.carrier.parseReceipts(up)).toEqual([]);
    expect(ctx.carrier.webhookReply()).toEqual(aliyunCallbackAnswer());
    expect(JSON.parse(aliyunCallbackAnswer().body)).toEqual({ code: 0, msg: '接收成功' });
  });

  it('writes numbers as Alibaba wants them, and reads them back', () => {
    expect(toAliyunNumber('+8613912345678')).toBe('13912345678');
    expect(toAliyunNumber('+85291234567')).toBe('85291234567');
    expect(fromAliyunNumber('13912345678')).toBe('+8613912345678');
    expect(fromAliyunNumber('0085291234567')).toBe('+85291234567');
    expect(fromAliyunNumber('8613912345678')).toBe('+8613912345678');
  });
});
