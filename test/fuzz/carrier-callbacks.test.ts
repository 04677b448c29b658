/**
 * Carrier webhook bodies against generated input, through each carrier's own parse functions
 * (the Carrier interface the webhook routes call): malformed, oversized, wrongly typed or
 * wrongly signed callbacks give well-formed receipts and inbound messages or a 4xx error,
 * never anything else. The SMPP receipt text parser is held to the same rule.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createAliyunCarrier } from '../../src/carriers/aliyun.js';
import {
  RECEIPT_STATUSES,
  type Carrier,
  type CarrierRequest,
  type DeliveryReceipt,
  type InboundSms,
} from '../../src/carriers/carrier.js';
import { parseSmppReceipt } from '../../src/carriers/smpp-receipt.js';
import { createTencentCarrier } from '../../src/carriers/tencent.js';
import { twilioSignature } from '../../src/carriers/twilio-signature.js';
import { createTwilioCarrier } from '../../src/carriers/twilio.js';
import { isHeraldError } from '../../src/core/errors.js';
import { PURE_RUNS } from './runs.js';

// Never called: these carriers only parse callbacks here (the hosts are never resolved).
const TOKEN = 'callback-token-0123456789abcdef';
const NOW = new Date('2030-01-08T12:00:00.000Z');

const twilio = createTwilioCarrier({
  accountSid: 'AC00000000000000000000000000000000',
  authToken: 'twilio-auth-token',
  from: '+14155550100',
  baseUrl: 'https://api.twilio.example',
  clock: () => NOW,
});
const tencent = createTencentCarrier({
  secretId: 'id',
  secretKey: 'key',
  region: 'ap-guangzhou',
  sdkAppId: '1400000000',
  signName: 'Herald',
  templateMap: {},
  endpoint: 'https://sms.example',
  callbackToken: TOKEN,
  clock: () => NOW,
});
const aliyun = createAliyunCarrier({
  accessKeyId: 'id',
  accessKeySecret: 'secret',
  signName: 'Herald',
  templateMap: {},
  endpoint: 'https://sms.example',
  callbackToken: TOKEN,
  clock: () => NOW,
});

const validDate = (d: unknown) => d instanceof Date && !Number.isNaN(d.getTime());
const goodReceipt = (r: DeliveryReceipt) =>
  typeof r.carrierMessageId === 'string' &&
  r.carrierMessageId.length > 0 &&
  (RECEIPT_STATUSES as readonly string[]).includes(r.status) &&
  validDate(r.at);
const goodInbound = (m: InboundSms) =>
  typeof m.from === 'string' &&
  m.from.length > 0 &&
  typeof m.text === 'string' &&
  validDate(m.receivedAt);

/** Parses a callback both ways; true when each answer is well-formed or a 4xx HeraldError. */
function holds(carrier: Carrier, request: CarrierRequest): boolean {
  const attempt = <T>(parse: () => T[], good: (x: T) => boolean) => {
    try {
      return parse().every(good);
    } catch (error) {
      return isHeraldError(error) && error.status >= 400 && error.status < 500;
    }
  };
  return (
    attempt(() => carrier.parseReceipts!(request), goodReceipt) &&
    attempt(() => carrier.parseInbound!(request), goodInbound)
  );
}

const scalar = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('x'.repeat(100_000)).map((x) => ({ toJSON: () => x }) as unknown as string),
  fc.constantFrom(
    'SUCCESS',
    'FAIL',
    'EXPIRED',
    'true',
    'false',
    '2030-01-08 20:00:00',
    '-1',
    '1e400',
  ),
);
const chinaItem = fc.dictionary(
  fc.constantFrom(
    'report_status',
    'sid',
    'errmsg',
    'user_receive_time',
    'mobile',
    'nationcode',
    'text',
    'time',
    'phone_number',
    'send_time',
    'report_time',
    'success',
    'err_code',
    'biz_id',
    'out_id',
    'content',
    'sequence_id',
    '__proto__',
    'constructor',
  ),
  scalar,
);
const chinaBody = fc.oneof(
  fc.array(chinaItem, { maxLength: 5 }).map((x) => JSON.stringify(x)),
  chinaItem.map((x) => JSON.stringify(x)),
  fc.json(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constant('['.repeat(5000)),
);
const chinaRequest = fc.record({
  rawBody: chinaBody,
  token: fc.oneof(fc.constant(TOKEN), fc.string({ maxLength: 40 })),
});

// 10,000 callbacks per carrier, some of them 100 KB: more than the default 30 s on a busy machine.
describe('carrier webhook bodies (property tests)', { timeout: 180_000 }, () => {
  it('Tencent Cloud: well-formed results or a 4xx', () => {
    fc.assert(
      fc.property(chinaRequest, ({ rawBody, token }) =>
        holds(tencent, {
          method: 'POST',
          url: `https://herald.example.com/webhooks/tencent?token=${encodeURIComponent(token)}`,
          headers: { 'content-type': 'application/json' },
          body: undefined,
          rawBody,
        }),
      ),
      {
        numRuns: PURE_RUNS,
        // Found by this test: a reply time beyond what a Date holds gave an Invalid Date.
        examples: [
          [
            {
              rawBody: '[{"time":8640000000000.001,"text":"hi","mobile":"13912345678"}]',
              token: TOKEN,
            },
          ],
        ],
      },
    );
  });

  it('Alibaba Cloud: well-formed results or a 4xx', () => {
    fc.assert(
      fc.property(chinaRequest, ({ rawBody, token }) =>
        holds(aliyun, {
          method: 'POST',
          url: `https://herald.example.com/webhooks/aliyun?token=${encodeURIComponent(token)}`,
          headers: { 'content-type': 'application/json' },
          body: undefined,
          rawBody,
        }),
      ),
      { numRuns: PURE_RUNS },
    );
  });

  it('Twilio (signed and forged, form and JSON): well-formed results or a 4xx', () => {
    const param = fc.oneof(
      fc.constantFrom(
        'MessageSid',
        'SmsSid',
        'MessageStatus',
        'ErrorCode',
        'RawDlrDoneDate',
        'Body',
        'From',
        'To',
        'SmsMessageSid',
      ),
      fc.string({ maxLength: 8 }),
    );
    const value = fc.oneof(
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 10 },
      {
        weight: 10,
        arbitrary: fc.constantFrom(
          'delivered',
          'read',
          'undelivered',
          'failed',
          'canceled',
          'sent',
          '30003',
          '2603021001',
          '99999999999',
        ),
      },
      { arbitrary: fc.constant('y'.repeat(50_000)), weight: 1 },
    );
    const callback = fc.record({
      params: fc.dictionary(param, value, { maxKeys: 6 }),
      signed: fc.boolean(),
      json: fc.boolean(),
      settingsHeader: fc.boolean(),
    });
    const url = 'https://herald.example.com/webhooks/twilio/status';
    fc.assert(
      fc.property(callback, ({ params, signed, json, settingsHeader }) => {
        const rawBody = json ? JSON.stringify(params) : new URLSearchParams(params).toString();
        const signature = signed
          ? twilioSignature('twilio-auth-token', url, json ? {} : params)
          : 'forged';
        return holds(twilio, {
          method: 'POST',
          url,
          headers: {
            'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature,
            ...(settingsHeader && !signed ? { 'x-twilio-webhooks-signature-settings': 'v1' } : {}),
          },
          body: undefined,
          rawBody,
        });
      }),
      {
        numRuns: PURE_RUNS,
        // Found by this test: parameters named like Object.prototype members crashed the parser.
        examples: [
          [{ params: { valueOf: '' }, signed: false, json: false, settingsHeader: false }],
          [
            {
              params: { constructor: 'x', MessageStatus: 'delivered' },
              signed: true,
              json: true,
              settingsHeader: false,
            },
          ],
        ],
      },
    );
  });

  it('SMPP receipt text: a well-formed receipt (status null when not an outcome), or none', () => {
    const field = fc
      .tuple(
        fc.constantFrom(
          'id',
          'sub',
          'dlvrd',
          'submit date',
          'done date',
          'stat',
          'err',
          'text',
          'x',
        ),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
      )
      .map(([k, v]) => `${k}:${v}`);
    const text = fc.oneof(
      fc.array(field, { maxLength: 8 }).map((f) => f.join(' ')),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    const tlvs = fc.record(
      {
        receiptedMessageId: fc.string({ maxLength: 20 }),
        messageState: fc.integer({ min: -5, max: 300 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(text, tlvs, (body, t) => {
        const parsed = parseSmppReceipt(body, t);
        return (
          parsed === null ||
          (parsed.carrierMessageId.length > 0 &&
            (parsed.status === null ||
              (RECEIPT_STATUSES as readonly string[]).includes(parsed.status)) &&
            (parsed.doneAt === undefined || validDate(parsed.doneAt)))
        );
      }),
      { numRuns: PURE_RUNS },
    );
  });
});
