/**
 * Tencent Cloud SMS, API 3.0 `SendSms` version 2021-01-11
 * (https://www.tencentcloud.com/document/api/382/40536), with plain fetch: a JSON POST signed
 * with TC3-HMAC-SHA256 (tencent-signature.ts). The SDK package would add its request stack for
 * one signed POST.
 *
 * Tencent only sends approved templates: a Herald message names its template (`template.key`
 * and its variables) and `templateMap` says which Tencent template id it is and which Herald
 * variables fill its {1}, {2}, ... A message without a mapped template fails permanently with
 * TEMPLATE_UNMAPPED; the signature (【...】) is `signName`, or the message's `sender`.
 *
 * One call takes up to 200 numbers, all in mainland China or all abroad, with one template and
 * one set of values. `sendBatch` groups messages that share all of that and splits the groups
 * into calls of 200; `send` is a batch of one. Each number gets its own SerialNo, the id its
 * delivery report comes back under.
 */
import { createOutboundHttp, type OutboundHttp } from '../security/guarded-http.js';
import { requireCallableUrl, transportFailure } from './transport.js';
import type {
  Carrier,
  CarrierRequest,
  DeliveryReceipt,
  InboundSms,
  OutgoingSms,
  SendResult,
} from './carrier.js';
import {
  callbackItems,
  checkCallbackToken,
  tencentCallbackAnswer,
  tencentInbound,
  tencentReceipts,
} from './tencent-callbacks.js';
import { tencentFailure } from './tencent-errors.js';
import {
  callKey,
  prepareTencentMessage,
  splitIntoCalls,
  type TencentPrepared,
  type TencentTemplateMap,
} from './tencent-templates.js';
import { TENCENT_JSON_CONTENT_TYPE, tc3Authorization } from './tencent-signature.js';

export type { TencentTemplate, TencentTemplateMap } from './tencent-templates.js';

export const TENCENT_CARRIER_NAME = 'tencent';
export const TENCENT_SMS_ENDPOINT = 'https://sms.tencentcloudapi.com';
export const TENCENT_MAX_NUMBERS_PER_CALL = 200;
const SERVICE = 'sms';
const VERSION = '2021-01-11';

export interface TencentCarrierOptions {
  readonly name?: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** X-TC-Region, e.g. ap-guangzhou. */
  readonly region: string;
  readonly sdkAppId: string;
  /** The approved signature, without 【】. A message's `sender` wins. */
  readonly signName: string;
  /** Herald template key -> Tencent template. */
  readonly templateMap: TencentTemplateMap;
  /** Default https://sms.tencentcloudapi.com. Tests point it at the fake. */
  readonly endpoint?: string;
  /** Secret the callback URLs carry as `?token=` (tencent-callbacks.ts); absent: none accepted. */
  readonly callbackToken?: string;
  /** How long one API call may take before its messages fail temporarily. Default 10 s. */
  readonly timeoutMs?: number;
  /**
   * The guarded client every API call goes through (SSRF rules, timeouts, size cap); default:
   * one that allows no private host. Tests pass one allowing their fake's 127.0.0.1.
   */
  readonly http?: OutboundHttp;
  readonly clock?: () => Date;
}

type Failure = Extract<SendResult, { status: 'failed' }>;

interface SendStatus {
  readonly SerialNo?: string;
  readonly PhoneNumber?: string;
  readonly Code?: string;
  readonly Message?: string;
}

const failed = (errorCode: string, permanent: boolean, detail?: string): Failure => ({
  status: 'failed',
  errorCode,
  permanent,
  ...(detail ? { detail } : {}),
});

export class TencentCarrier implements Carrier {
  readonly name: string;
  readonly maxBatchSize = TENCENT_MAX_NUMBERS_PER_CALL;
  private readonly options: TencentCarrierOptions;
  private readonly endpoint: string;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly http: OutboundHttp;
  /** Made here when none was given: closed with the carrier. */
  private readonly ownHttp: OutboundHttp | undefined;
  private readonly clock: () => Date;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: TencentCarrierOptions) {
    for (const key of ['secretId', 'secretKey', 'region', 'sdkAppId', 'signName'] as const) {
      if (!options[key]) throw new Error(`tencent: ${key} is required`);
    }
    this.options = options;
    this.name = options.name ?? TENCENT_CARRIER_NAME;
    this.endpoint = options.endpoint ?? TENCENT_SMS_ENDPOINT;
    this.host = new URL(this.endpoint).host;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.ownHttp = options.http ? undefined : createOutboundHttp({ allowedHosts: [] });
    this.http = options.http ?? this.ownHttp!;
    requireCallableUrl('tencent', this.endpoint, this.http.allowedHosts);
    this.clock = options.clock ?? (() => new Date());
  }

  async send(message: OutgoingSms): Promise<SendResult> {
    const [result] = await this.sendBatch([message]);
    return result!;
  }

  async sendBatch(messages: readonly OutgoingSms[]): Promise<SendResult[]> {
    if (this.closed) return messages.map(() => failed('CARRIER_CLOSED', false));
    const results: SendResult[] = new Array(messages.length);
    const groups = new Map<string, TencentPrepared[]>();
    messages.forEach((message, index) => {
      const { templateMap, signName } = this.options;
      const prepared = prepareTencentMessage(message, index, templateMap, signName);
      if ('status' in prepared) {
        results[index] = prepared;
        return;
      }
      const key = callKey(prepared);
      const group = groups.get(key);
      if (group) group.push(prepared);
      else groups.set(key, [prepared]);
    });
    const calls = [...groups.values()].flatMap((g) => splitIntoCalls(g, this.maxBatchSize));
    const pending = Promise.all(calls.map((call) => this.call(call, results)));
    this.inFlight.add(pending);
    try {
      await pending;
    } finally {
      this.inFlight.delete(pending);
    }
    return results;
  }

  /** Waits for the calls already made (each bounded by the timeout); later sends fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    this.ownHttp?.close();
  }

  parseReceipts(request: CarrierRequest): DeliveryReceipt[] {
    checkCallbackToken(request, this.options.callbackToken);
    return tencentReceipts(callbackItems(request), this.name, this.clock);
  }

  parseInbound(request: CarrierRequest): InboundSms[] {
    checkCallbackToken(request, this.options.callbackToken);
    return tencentInbound(callbackItems(request), this.name, this.clock);
  }

  webhookReply() {
    return tencentCallbackAnswer();
  }

  /** One SendSms call; writes each of its messages' result into `results`. */
  private async call(batch: readonly TencentPrepared[], results: SendResult[]): Promise<void> {
    const head = batch[0]!;
    const payload = JSON.stringify({
      PhoneNumberSet: batch.map((m) => m.to),
      SmsSdkAppId: this.options.sdkAppId,
      SignName: head.signName,
      TemplateId: head.templateId,
      TemplateParamSet: head.params,
      // Returned as sent; one message's id where the call carries one message.
      ...(batch.length === 1 ? { SessionContext: String(head.messageId) } : {}),
    });
    const timestamp = Math.floor(this.clock().getTime() / 1000);
    const authorization = tc3Authorization({
      secretId: this.options.secretId,
      secretKey: this.options.secretKey,
      service: SERVICE,
      host: this.host,
      timestamp,
      payload,
    });
    const settle = (result: (m: TencentPrepared, position: number) => SendResult) => {
      batch.forEach((m, position) => (results[m.index] = result(m, position)));
    };
    let response: Response;
    let body: string;
    try {
      response = await this.http.fetch(this.endpoint, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': TENCENT_JSON_CONTENT_TYPE,
          'x-tc-action': 'SendSms',
          'x-tc-version': VERSION,
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': this.options.region,
        },
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = await response.text();
    } catch (err) {
      const failure = transportFailure(err);
      return settle(() => failure);
    }
    const answer = parseResponse(body);
    if (!answer) {
      const failure = failed('CARRIER_UNAVAILABLE', false, `tencent HTTP ${response.status}`);
      return settle(() => failure);
    }
    if (answer.Error) {
      const failure = tencentFailure(answer.Error.Code ?? 'Unknown', answer.Error.Message ?? '');
      return settle(() => failure);
    }
    // Statuses name their number; should Tencent write a number otherwise than it was sent,
    // fall back to their order, which is the order of PhoneNumberSet.
    const statuses = answer.SendStatusSet ?? [];
    const byNumber = statuses.every((s) => batch.some((m) => m.to === s.PhoneNumber));
    const unclaimed = [...statuses];
    settle((m, position) => {
      const at = unclaimed.findIndex((s) => s.PhoneNumber === m.to);
      const status = byNumber
        ? at >= 0
          ? unclaimed.splice(at, 1)[0]
          : undefined
        : statuses[position];
      if (!status) return failed('CARRIER_UNAVAILABLE', false, 'tencent gave no status');
      if (status.Code === 'Ok' && status.SerialNo) {
        return { status: 'accepted', carrierMessageId: status.SerialNo };
      }
      return tencentFailure(status.Code ?? 'Unknown', status.Message ?? '');
    });
  }
}

function parseResponse(
  body: string,
): { Error?: { Code?: string; Message?: string }; SendStatusSet?: SendStatus[] } | null {
  try {
    const json = JSON.parse(body) as { Response?: unknown };
    return json.Response && typeof json.Response === 'object'
      ? (json.Response as { SendStatusSet?: SendStatus[] })
      : null;
  } catch {
    return null;
  }
}

/**
 * @example
 *   const tencent = createTencentCarrier({ secretId, secretKey, region: 'ap-guangzhou',
 *     sdkAppId: '1400006666', signName: 'Herald', callbackToken,
 *     templateMap: { 'otp.login': { templateId: '1110', params: ['code'] } } });
 */
export function createTencentCarrier(options: TencentCarrierOptions): TencentCarrier {
  return new TencentCarrier(options);
}
