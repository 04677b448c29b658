/**
 * Tencent Cloud SMS callbacks: delivery status ("SMS Sending Status Notification",
 * https://www.tencentcloud.com/document/api/382/43547) and replies ("SMS Reply", .../43548).
 * Both are JSON POSTs: a status callback is an array of
 * `{ user_receive_time, nationcode, mobile, report_status: SUCCESS|FAIL, errmsg, description, sid }`
 * (sid is the SerialNo SendSms answered); a reply is `{ extend, mobile, nationcode, sign, text,
 * time }`, one object or an array of them. Tencent expects `{"result":0,"errmsg":"OK"}` back.
 *
 * Tencent does not sign its callbacks, so Herald authenticates them with a secret of its own:
 * the callback URLs configured in Tencent's console carry it as a `token` query parameter, e.g.
 * `https://herald.example.com/webhooks/tencent/receipts?token=<callbackToken>`. A request
 * without the right token is refused; with no token configured, every callback is. Use HTTPS, a
 * long random token, and keep query strings out of access logs.
 */
import { checkCallbackToken as checkToken } from './transport.js';
import type { CarrierRequest, DeliveryReceipt, InboundSms, ReceiptStatus } from './carrier.js';
import { HeraldError } from '../core/errors.js';

export const TENCENT_CALLBACK_TOKEN_PARAM = 'token';

/** The body Tencent expects in answer to a callback it may stop retrying. */
export const TENCENT_CALLBACK_ANSWER = Object.freeze({ result: 0, errmsg: 'OK' });

/** The answer for the API layer: status, content type and body. */
export function tencentCallbackAnswer() {
  return {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify(TENCENT_CALLBACK_ANSWER),
  };
}

/** Throws FORBIDDEN unless the URL carries the configured token. */
export function checkCallbackToken(request: CarrierRequest, token: string | undefined): void {
  checkToken('tencent', request, token, TENCENT_CALLBACK_TOKEN_PARAM);
}

/** The callback's items: the JSON array (or single object) Tencent posted. */
export function callbackItems(request: CarrierRequest): Record<string, unknown>[] {
  let body = request.body;
  if (typeof request.rawBody === 'string') {
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      throw new HeraldError('BAD_REQUEST', 'tencent callback is not JSON');
    }
  }
  const items = Array.isArray(body) ? body : [body];
  if (!items.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
    throw new HeraldError('BAD_REQUEST', 'tencent callback is not a list of objects');
  }
  return items as Record<string, unknown>[];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** Tencent's wall-clock times are Beijing time (UTC+8) without a zone. */
function beijingTime(value: unknown): Date | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text(value) ?? '');
  if (!match) return null;
  const at = new Date(`${match[1]}T${match[2]}+08:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}

function e164(nationcode: unknown, mobile: unknown): string | undefined {
  const country = (text(nationcode) ?? '').replace(/\D/g, '');
  const number = (text(mobile) ?? '').replace(/\D/g, '');
  if (!number) return undefined;
  return `+${country || '86'}${number}`;
}

function receiptStatus(reportStatus: string, errmsg: string): ReceiptStatus {
  if (reportStatus === 'SUCCESS') return 'delivered';
  return errmsg === 'EXPIRED' ? 'expired' : 'undelivered';
}

export function tencentReceipts(
  items: readonly Record<string, unknown>[],
  carrier: string,
  now: () => Date,
): DeliveryReceipt[] {
  const receipts: DeliveryReceipt[] = [];
  for (const item of items) {
    const reportStatus = text(item.report_status);
    const sid = text(item.sid);
    if (reportStatus === undefined) continue; // not a status report
    if (!sid) throw new HeraldError('BAD_REQUEST', 'tencent status report without sid');
    const errmsg = text(item.errmsg) ?? '';
    const status = receiptStatus(reportStatus.toUpperCase(), errmsg);
    receipts.push({
      carrier,
      carrierMessageId: sid,
      status,
      ...(status === 'delivered' ? {} : { errorCode: `TENCENT_${errmsg || reportStatus}` }),
      at: beijingTime(item.user_receive_time) ?? now(),
    });
  }
  return receipts;
}

export function tencentInbound(
  items: readonly Record<string, unknown>[],
  carrier: string,
  now: () => Date,
): InboundSms[] {
  const inbound: InboundSms[] = [];
  for (const item of items) {
    const body = text(item.text);
    if (body === undefined || item.report_status !== undefined) continue; // not a reply
    const from = e164(item.nationcode, item.mobile);
    if (!from) throw new HeraldError('BAD_REQUEST', 'tencent reply without mobile');
    // A time past what a Date can hold (or not a number) falls back to the clock.
    const sent = new Date(Number(item.time) * 1000);
    inbound.push({
      carrier,
      from,
      text: body,
      receivedAt: sent.getTime() > 0 ? sent : now(),
    });
  }
  return inbound;
}
