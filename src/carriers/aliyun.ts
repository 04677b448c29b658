/**
 * Alibaba Cloud SMS (Dysmsapi 2017-05-25) `SendSms` and `SendBatchSms`
 * (https://help.aliyun.com/en/sms/developer-reference/api-dysmsapi-2017-05-25-sendsms, and
 * .../api-dysmsapi-2017-05-25-sendbatchsms), RPC style with plain fetch: the parameters as a form
 * POST, signed with the RPC signature v1 (aliyun-signature.ts). The SDK would bring its runtime
 * for one signed POST.
 *
 * Alibaba only sends approved templates: `templateMap` says which TemplateCode a Herald template
 * is, and which Herald variable fills each of its ${name} variables. A message without a mapped
 * template fails permanently with TEMPLATE_UNMAPPED; the signature is `signName`, or the
 * message's `sender`.
 *
 * `send` uses SendSms (one number, its own BizId). `sendBatch` puts messages that share a
 * template into SendBatchSms calls of up to 100 numbers, each with its own signature and values;
 * a group of one still goes by SendSms. Neither call is idempotent on Alibaba's side: a timeout
 * leaves the outcome unknown, reported as CARRIER_TIMEOUT for the dispatcher to judge.
 */
import { createOutboundHttp, type OutboundHttp } from '../security/guarded-http.js';
import { requireCallableUrl, transportFailure } from './transport.js';
import { randomUUID } from 'node:crypto';
import type {
  Carrier,
  CarrierRequest,
  DeliveryReceipt,
  InboundSms,
  OutgoingSms,
  SendResult,
} from './carrier.js';
import {
  ALIYUN_BATCH_OUT_ID_PREFIX,
  aliyunCallbackAnswer,
  aliyunInbound,
  aliyunItems,
  aliyunReceipts,
  batchMessageId,
  checkAliyunToken,
} from './aliyun-callbacks.js';
import { aliyunFailure } from './aliyun-errors.js';
import {
  prepareAliyunMessage,
  splitIntoCalls,
  type AliyunPrepared,
  type AliyunTemplateMap,
} from './aliyun-templates.js';
import {
  aliyunCanonicalQuery,
  aliyunPercentEncode,
  aliyunRpcSignature,
} from './aliyun-signature.js';

export type { AliyunTemplate, AliyunTemplateMap } from './aliyun-templates.js';

export const ALIYUN_CARRIER_NAME = 'aliyun';
export const ALIYUN_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
export const ALIYUN_MAX_BATCH = 100;

export interface AliyunCarrierOptions {
  readonly name?: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** The approved signature, without 【】. A message's `sender` wins. */
  readonly signName: string;
  /** Herald template key -> Alibaba template. */
  readonly templateMap: AliyunTemplateMap;
  /** Default https://dysmsapi.aliyuncs.com. Tests point it at the fake. */
  readonly endpoint?: string;
  readonly regionId?: string;
  /** Secret the push URLs carry as `?token=` (aliyun-callbacks.ts); absent: none accepted. */
  readonly callbackToken?: string;
  /** How long one API call may take before its messages fail temporarily. Default 10 s. */
  readonly timeoutMs?: number;
  /**
   * The guarded client every API call goes through (SSRF rules, timeouts, size cap); default:
   * one that allows no private host. Tests pass one allowing their fake's 127.0.0.1.
   */
  readonly http?: OutboundHttp;
  readonly clock?: () => Date;
  /** SignatureNonce source; a UUID per call by default. */
  readonly nonce?: () => string;
}

type Failure = Extract<SendResult, { status: 'failed' }>;

const failed = (errorCode: string, permanent: boolean, detail?: string): Failure => ({
  status: 'failed',
  errorCode,
  permanent,
  ...(detail ? { detail } : {}),
});

export class AliyunCarrier implements Carrier {
  readonly name: string;
  readonly maxBatchSize = ALIYUN_MAX_BATCH;
  private readonly options: AliyunCarrierOptions;
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly http: OutboundHttp;
  /** Made here when none was given: closed with the carrier. */
  private readonly ownHttp: OutboundHttp | undefined;
  private readonly clock: () => Date;
  private readonly nonce: () => string;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: AliyunCarrierOptions) {
    for (const key of ['accessKeyId', 'accessKeySecret', 'signName'] as const) {
      if (!options[key]) throw new Error(`aliyun: ${key} is required`);
    }
    this.options = options;
    this.name = options.name ?? ALIYUN_CARRIER_NAME;
    this.endpoint = options.endpoint ?? ALIYUN_SMS_ENDPOINT;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.ownHttp = options.http ? undefined : createOutboundHttp({ allowedHosts: [] });
    this.http = options.http ?? this.ownHttp!;
    requireCallableUrl('aliyun', this.endpoint, this.http.allowedHosts);
    this.clock = options.clock ?? (() => new Date());
    this.nonce = options.nonce ?? randomUUID;
  }

  async send(message: OutgoingSms): Promise<SendResult> {
    const [result] = await this.sendBatch([message]);
    return result!;
  }

  async sendBatch(messages: readonly OutgoingSms[]): Promise<SendResult[]> {
    if (this.closed) return messages.map(() => failed('CARRIER_CLOSED', false));
    const results: SendResult[] = new Array(messages.length);
    const groups = new Map<string, AliyunPrepared[]>();
    messages.forEach((message, index) => {
      const { templateMap, signName } = this.options;
      const prepared = prepareAliyunMessage(message, index, templateMap, signName);
      if ('status' in prepared) results[index] = prepared;
      else if (groups.has(prepared.templateCode)) groups.get(prepared.templateCode)!.push(prepared);
      else groups.set(prepared.templateCode, [prepared]);
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
    checkAliyunToken(request, this.options.callbackToken);
    return aliyunReceipts(aliyunItems(request), {
      carrier: this.name,
      secret: this.options.accessKeySecret,
      now: this.clock,
    });
  }

  parseInbound(request: CarrierRequest): InboundSms[] {
    checkAliyunToken(request, this.options.callbackToken);
    return aliyunInbound(aliyunItems(request), this.name, this.clock);
  }

  webhookReply() {
    return aliyunCallbackAnswer();
  }

  /** The signed form body of one RPC call: common parameters, the action's, Signature. */
  private signedBody(action: string, params: Readonly<Record<string, string>>): string {
    const all: Record<string, string> = {
      AccessKeyId: this.options.accessKeyId,
      Action: action,
      Format: 'JSON',
      RegionId: this.options.regionId ?? 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: this.nonce(),
      SignatureVersion: '1.0',
      Timestamp: this.clock()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      ...params,
    };
    const signature = aliyunRpcSignature('POST', all, this.options.accessKeySecret);
    return `${aliyunCanonicalQuery(all)}&Signature=${aliyunPercentEncode(signature)}`;
  }

  /** One SendSms or SendBatchSms call; writes each of its messages' result into `results`. */
  private async call(batch: readonly AliyunPrepared[], results: SendResult[]): Promise<void> {
    const head = batch[0]!;
    const hasValues = Object.keys(head.values).length > 0;
    const single = batch.length === 1;
    const body = single
      ? this.signedBody('SendSms', {
          PhoneNumbers: head.number,
          SignName: head.signName,
          TemplateCode: head.templateCode,
          ...(hasValues ? { TemplateParam: JSON.stringify(head.values) } : {}),
          OutId: String(head.messageId),
        })
      : this.signedBody('SendBatchSms', {
          PhoneNumberJson: JSON.stringify(batch.map((m) => m.number)),
          SignNameJson: JSON.stringify(batch.map((m) => m.signName)),
          TemplateCode: head.templateCode,
          ...(hasValues ? { TemplateParamJson: JSON.stringify(batch.map((m) => m.values)) } : {}),
          OutId: `${ALIYUN_BATCH_OUT_ID_PREFIX}${head.messageId}`,
        });
    const settle = (result: (m: AliyunPrepared) => SendResult) => {
      for (const m of batch) results[m.index] = result(m);
    };
    let response: Response;
    let text: string;
    try {
      response = await this.http.fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const failure = transportFailure(err);
      return settle(() => failure);
    }
    const answer = parseJson(text);
    if (!answer || typeof answer.Code !== 'string') {
      const failure = failed('CARRIER_UNAVAILABLE', false, `aliyun HTTP ${response.status}`);
      return settle(() => failure);
    }
    if (answer.Code !== 'OK' || typeof answer.BizId !== 'string') {
      const failure = aliyunFailure(answer.Code, String(answer.Message ?? ''));
      return settle(() => failure);
    }
    const bizId = answer.BizId;
    const secret = this.options.accessKeySecret;
    settle((m) => ({
      status: 'accepted',
      carrierMessageId: single ? bizId : batchMessageId(secret, bizId, m.number),
    }));
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * @example
 *   const aliyun = createAliyunCarrier({ accessKeyId, accessKeySecret, signName: '赫拉德',
 *     callbackToken, templateMap: { 'otp.login': { templateCode: 'SMS_154950909',
 *     params: { code: 'code' } } } });
 */
export function createAliyunCarrier(options: AliyunCarrierOptions): AliyunCarrier {
  return new AliyunCarrier(options);
}
