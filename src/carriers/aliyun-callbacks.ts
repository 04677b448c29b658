/**
 * Alibaba Cloud SMS callbacks in "HTTP batch push" mode: delivery reports (SmsReport,
 * https://help.aliyun.com/zh/sms/developer-reference/smsreport-2) and replies (SmsUp,
 * https://help.aliyun.com/zh/sms/developer-reference/smsup-http). Both are JSON arrays:
 * `{ phone_number, send_time, report_time, success, err_code, err_msg, sms_size, biz_id, out_id }`
 * and `{ phone_number, send_time, content, sign_name, dest_code, sequence_id }`. Alibaba expects
 * `{"code":0,"msg":"接收成功"}` back (it checks only that code is a number).
 *
 * Alibaba does not sign these pushes, so Herald authenticates them with a secret of its own: the
 * receiving addresses configured in the console carry it as a `token` query parameter, e.g.
 * `https://herald.example.com/webhooks/aliyun/receipts?token=<callbackToken>`. A request without
 * the right token is refused; with no token configured, every callback is.
 *
 * Ids: a SendSms call gives its one number a BizId of its own, which is the carrierMessageId. A
 * SendBatchSms call gives all its numbers one BizId, so each gets `<BizId>:<tag>`, where the tag
 * is a keyed hash of the number (the number itself must not end up in a clear column or a log);
 * batch calls mark their OutId so that their reports are told apart.
 */
import { checkCallbackToken } from './transport.js';
import { createHmac } from 'node:crypto';
import type { CarrierRequest, DeliveryReceipt, InboundSms } from './carrier.js';
import { HeraldError } from '../core/errors.js';

export const ALIYUN_CALLBACK_TOKEN_PARAM = 'token';
export const ALIYUN_BATCH_OUT_ID_PREFIX = 'herald-batch:';
export const ALIYUN_CALLBACK_ANSWER = Object.freeze({ code: 0, msg: '接收成功' });

/** The answer for the API layer: status, content type and body. */
export function aliyunCallbackAnswer() {
  return {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify(ALIYUN_CALLBACK_ANSWER),
  };
}

/** Mainland numbers go as their 11 digits, others as country code and number without '+'. */
export function toAliyunNumber(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  return /^861\d{10}$/.test(digits) ? digits.slice(2) : digits;
}

/** The reverse, for numbers Alibaba reports (mainland ones without a country code). */
export function fromAliyunNumber(value: string): string {
  const digits = value.replace(/\D/g, '').replace(/^00/, '');
  return /^1\d{10}$/.test(digits) ? `+86${digits}` : `+${digits}`;
}

/** The id a batch recipient's message goes by: the call's BizId and a keyed tag of the number. */
export function batchMessageId(secret: string, bizId: string, aliyunNumber: string): string {
  const tag = createHmac('sha256', secret)
    .update(`herald-recipient:${toAliyunNumber(fromAliyunNumber(aliyunNumber))}`)
    .digest('base64url')
    .slice(0, 16);
  return `${bizId}:${tag}`;
}

/** Throws FORBIDDEN unless the URL carries the configured token. */
export function checkAliyunToken(request: CarrierRequest, token: string | undefined): void {
  checkCallbackToken('aliyun', request, token, ALIYUN_CALLBACK_TOKEN_PARAM);
}

/** The pushed array's items. */
export function aliyunItems(request: CarrierRequest): Record<string, unknown>[] {
  let body = request.body;
  if (typeof request.rawBody === 'string') {
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      throw new HeraldError('BAD_REQUEST', 'aliyun callback is not JSON');
    }
  }
  const items = Array.isArray(body) ? body : [body];
  if (!items.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
    throw new HeraldError('BAD_REQUEST', 'aliyun callback is not a list of objects');
  }
  return items as Record<string, unknown>[];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** Alibaba's wall-clock times are Beijing time (UTC+8) without a zone. */
function beijingTime(value: unknown): Date | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text(value) ?? '');
  if (!match) return null;
  const at = new Date(`${match[1]}T${match[2]}+08:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export function aliyunReceipts(
  items: readonly Record<string, unknown>[],
  options: { readonly carrier: string; readonly secret: string; readonly now: () => Date },
): DeliveryReceipt[] {
  const receipts: DeliveryReceipt[] = [];
  for (const item of items) {
    if (item.success === undefined || item.biz_id === undefined) continue; // not a report
    const bizId = text(item.biz_id);
    if (!bizId) throw new HeraldError('BAD_REQUEST', 'aliyun report without biz_id');
    const batch = (text(item.out_id) ?? '').startsWith(ALIYUN_BATCH_OUT_ID_PREFIX);
    const phone = text(item.phone_number) ?? '';
    const delivered = item.success === true || item.success === 'true';
    const errCode = text(item.err_code) ?? 'UNKNOWN';
    receipts.push({
      carrier: options.carrier,
      carrierMessageId: batch ? batchMessageId(options.secret, bizId, phone) : bizId,
      status: delivered ? 'delivered' : 'undelivered',
      ...(delivered ? {} : { errorCode: `ALIYUN_${errCode}` }),
      at: beijingTime(item.report_time) ?? options.now(),
    });
  }
  return receipts;
}

export function aliyunInbound(
  items: readonly Record<string, unknown>[],
  carrier: string,
  now: () => Date,
): InboundSms[] {
  const inbound: InboundSms[] = [];
  for (const item of items) {
    const content = text(item.content);
    if (content === undefined || item.success !== undefined) continue; // not a reply
    const phone = text(item.phone_number);
    if (!phone) throw new HeraldError('BAD_REQUEST', 'aliyun reply without phone_number');
    const sequence = text(item.sequence_id);
    inbound.push({
      carrier,
      from: fromAliyunNumber(phone),
      text: content,
      receivedAt: beijingTime(item.send_time) ?? now(),
      ...(sequence ? { carrierMessageId: sequence } : {}),
    });
  }
  return inbound;
}
