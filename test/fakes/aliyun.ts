/**
 * A fake Alibaba Cloud SMS (Dysmsapi 2017-05-25) on 127.0.0.1. Every call's RPC signature is
 * recomputed from the parameters that arrived (form body or query) with the AccessKey secret,
 * its timestamp must be within 15 minutes and its SignatureNonce new; failures answer as Alibaba
 * does (SignatureDoesNotMatch, SignatureNonceUsed, ...). SendSms and SendBatchSms check the
 * signature names and templates, render the template for `sent()`, and answer Code/BizId.
 * SmsReport and SmsUp pushes are built as Alibaba posts them, to URLs carrying Herald's token.
 *
 * Its signature check is its own few lines, not src/carriers/aliyun-signature.ts, so a mistake
 * there cannot hide itself on both sides of the wire.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CarrierRequest, ReceiptStatus } from '../../src/carriers/carrier.js';
import type { CarrierFake, FakeFailure, FakeSentMessage } from '../carriers/contract.js';

export interface AliyunFakeOptions {
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  readonly signNames?: readonly string[];
  /** Approved templates: code -> content with ${name} variables. */
  readonly templates?: Readonly<Record<string, string>>;
  /** Push URLs as configured in the console (with Herald's token). */
  readonly receiptUrl?: string;
  readonly inboundUrl?: string;
}

export interface AliyunFakeError {
  readonly code: string;
  readonly message: string;
  readonly httpStatus?: number;
}

/** One accepted number, with what Alibaba's push would report about it. */
interface Delivery extends FakeSentMessage {
  readonly bizId: string;
  readonly number: string;
  readonly outId: string;
}

const FAILURES: Record<FakeFailure, AliyunFakeError> = {
  permanent: { code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '非法手机号' },
  transient: { code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发分钟级流控Permits:1' },
};

const REPORT: Record<ReceiptStatus, { success: boolean; code: string; msg: string }> = {
  delivered: { success: true, code: 'DELIVERED', msg: '用户接收成功' },
  undelivered: { success: false, code: 'MK:0001', msg: '用户未接收' },
  failed: { success: false, code: 'IC:0015', msg: '发送失败' },
  expired: { success: false, code: 'EXPIRED', msg: '超时' },
  unknown: { success: false, code: 'UNKNOWN', msg: '未知' },
};

/** RFC 3986 on UTF-8, as Alibaba documents its percentEncode. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function beijing(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Alibaba's number forms back to E.164 (mainland numbers come as 11 digits). */
function e164(number: string): string {
  return /^1\d{10}$/.test(number) ? `+86${number}` : `+${number}`;
}

export class AliyunFake implements CarrierFake {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  endpoint = '';
  /** Every call whose signature held: its action and parameters. */
  readonly calls: { action: string; params: Record<string, string> }[] = [];
  private readonly options: AliyunFakeOptions;
  private readonly server: Server;
  private readonly accepted: Delivery[] = [];
  private readonly failures: (AliyunFakeError | 'stall')[] = [];
  private readonly stalled: ServerResponse[] = [];
  private readonly nonces = new Set<string>();
  private biz = 0;

  constructor(options: AliyunFakeOptions = {}) {
    this.options = options;
    this.accessKeyId = options.accessKeyId ?? 'LTAIfakeAccessKeyId0000';
    this.accessKeySecret = options.accessKeySecret ?? 'fakeAccessKeySecret000000000000';
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  sent(): readonly FakeSentMessage[] {
    return this.accepted.map(({ bizId: _b, number: _n, outId: _o, ...message }) => message);
  }

  /** The SmsReport push for the i-th accepted number (batch members share a BizId). */
  reportFor(index: number, status: ReceiptStatus): CarrierRequest {
    const delivery = this.accepted[index];
    if (!delivery) throw new Error(`the fake accepted no message #${index}`);
    return this.report(delivery, status);
  }

  failNext(kind: FakeFailure): void {
    this.failures.push(FAILURES[kind]);
  }

  failNextWith(error: AliyunFakeError): void {
    this.failures.push(error);
  }

  stallNext(): void {
    this.failures.push('stall');
  }

  async deliverReceipt(carrierMessageId: string, status: ReceiptStatus): Promise<CarrierRequest> {
    const delivery = this.accepted.find((m) => m.carrierMessageId === carrierMessageId);
    if (!delivery) throw new Error(`the fake accepted no message ${carrierMessageId}`);
    return this.report(delivery, status);
  }

  private report(d: Delivery, status: ReceiptStatus): CarrierRequest {
    const outcome = REPORT[status];
    const now = new Date();
    return this.push(this.options.receiptUrl, [
      {
        phone_number: d.number,
        send_time: beijing(now),
        report_time: beijing(now),
        success: outcome.success,
        err_code: outcome.code,
        err_msg: outcome.msg,
        sms_size: '1',
        biz_id: d.bizId,
        out_id: d.outId,
      },
    ]);
  }

  async injectInbound(from: string, text: string): Promise<CarrierRequest> {
    const digits = from.replace(/\D/g, '');
    return this.push(this.options.inboundUrl, [
      {
        phone_number: digits.startsWith('86') ? digits.slice(2) : digits,
        send_time: beijing(new Date()),
        content: text,
        sign_name: this.options.signNames?.[0] ?? 'Herald',
        dest_code: '1234',
        sequence_id: 1234567890 + this.biz,
      },
    ]);
  }

  push(url: string | undefined, body: unknown): CarrierRequest {
    const target = url ?? 'https://herald.example.com/webhooks/aliyun?token=missing';
    const rawBody = JSON.stringify(body);
    return {
      method: 'POST',
      url: target,
      headers: { host: new URL(target).host, 'content-type': 'application/json' },
      body: JSON.parse(rawBody),
      rawBody,
    };
  }

  forgeries(genuine: CarrierRequest): CarrierRequest[] {
    const token = new URL(genuine.url).searchParams.get('token') ?? '';
    const withToken = (value: string | null) => {
      const forged = new URL(genuine.url);
      if (value === null) forged.searchParams.delete('token');
      else forged.searchParams.set('token', value);
      return { ...genuine, url: forged.toString() };
    };
    return [
      withToken(null),
      withToken(''),
      withToken(token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase()),
      withToken(`${token}x`),
      { ...genuine, url: 'not a url' },
    ];
  }

  async close(): Promise<void> {
    for (const res of this.stalled.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private authFailure(method: string, params: Record<string, string>): AliyunFakeError | null {
    const { Signature: signature, ...signed } = params;
    if (params.AccessKeyId !== this.accessKeyId) {
      return {
        code: 'InvalidAccessKeyId.NotFound',
        message: 'Specified access key is not found.',
        httpStatus: 404,
      };
    }
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') {
      return { code: 'InvalidParameter', message: 'SignatureMethod', httpStatus: 400 };
    }
    const age = Math.abs(Date.now() - Date.parse(params.Timestamp ?? ''));
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(params.Timestamp ?? '') ||
      !(age < 900_000)
    ) {
      return {
        code: 'InvalidTimeStamp.Expired',
        message: 'Specified time stamp or date value is expired.',
        httpStatus: 400,
      };
    }
    const query = Object.keys(signed)
      .sort()
      .map((k) => `${encode(k)}=${encode(signed[k]!)}`)
      .join('&');
    const toSign = `${method}&${encode('/')}&${encode(query)}`;
    const expected = createHmac('sha1', `${this.accessKeySecret}&`).update(toSign).digest('base64');
    if (expected !== signature) {
      return {
        code: 'SignatureDoesNotMatch',
        message: 'Specified signature is not matched with our calculation.',
        httpStatus: 400,
      };
    }
    const nonce = params.SignatureNonce ?? '';
    if (!nonce || this.nonces.has(nonce)) {
      return {
        code: 'SignatureNonceUsed',
        message: 'Specified signature nonce was used already.',
        httpStatus: 400,
      };
    }
    this.nonces.add(nonce);
    return null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const params = Object.fromEntries(
      req.method === 'POST'
        ? new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
        : url.searchParams,
    );
    const fail = (error: AliyunFakeError) =>
      this.json(res, error.httpStatus ?? 200, {
        RequestId: randomUUID(),
        Code: error.code,
        Message: error.message,
      });
    const auth = this.authFailure(req.method ?? 'GET', params);
    if (auth) return fail(auth);
    if (params.Version !== '2017-05-25' || params.Format !== 'JSON') {
      return fail({
        code: 'InvalidVersion',
        message: 'Specified parameter Version is not valid.',
        httpStatus: 400,
      });
    }
    const action = params.Action ?? '';
    if (action !== 'SendSms' && action !== 'SendBatchSms') {
      return fail({ code: 'InvalidAction.NotFound', message: action, httpStatus: 404 });
    }
    this.calls.push({ action, params });
    const batch = action === 'SendBatchSms';
    const numbers: string[] = batch
      ? JSON.parse(params.PhoneNumberJson ?? '[]')
      : (params.PhoneNumbers ?? '').split(',');
    const signs: string[] = batch
      ? JSON.parse(params.SignNameJson ?? '[]')
      : numbers.map(() => params.SignName ?? '');
    const values: Record<string, string>[] = batch
      ? JSON.parse(params.TemplateParamJson ?? '[]')
      : numbers.map(() => JSON.parse(params.TemplateParam ?? '{}'));
    const template = this.options.templates?.[params.TemplateCode ?? ''];
    if (template === undefined)
      return fail({ code: 'isv.SMS_TEMPLATE_ILLEGAL', message: '模板不合法' });
    if (signs.some((s) => !(this.options.signNames ?? ['Herald']).includes(s))) {
      return fail({ code: 'isv.SMS_SIGNATURE_ILLEGAL', message: '签名不合法' });
    }
    if (numbers.length > (batch ? 100 : 1000) || signs.length !== numbers.length) {
      return fail({ code: 'isv.MOBILE_COUNT_OVER_LIMIT', message: '手机号码数量超过限制' });
    }
    const variables = [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
    if (values.some((v) => variables.some((name) => v[name] === undefined))) {
      return fail({ code: 'isv.TEMPLATE_MISSING_PARAMETERS', message: '模板缺少变量' });
    }
    const failure = this.failures.shift();
    if (failure === 'stall') {
      this.stalled.push(res);
      return;
    }
    if (failure) return fail(failure);
    if (numbers.some((n) => !/^\d{7,15}$/.test(n))) return fail(FAILURES.permanent);
    const bizId = `${Date.now()}${String(++this.biz).padStart(6, '0')}^0`;
    numbers.forEach((number, i) => {
      this.accepted.push({
        to: e164(number),
        text: template.replace(/\$\{(\w+)\}/g, (_, name: string) => values[i]![name] ?? ''),
        parts: 1,
        // A batch's numbers share the BizId; the carrier's own id for them is its business.
        carrierMessageId: batch ? `${bizId}#${i}` : bizId,
        sender: signs[i]!,
        template: { id: params.TemplateCode!, params: values[i]! },
        bizId,
        number,
        outId: params.OutId ?? '',
      });
    });
    this.json(res, 200, { RequestId: randomUUID(), Code: 'OK', Message: 'OK', BizId: bizId });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}

export async function startAliyunFake(options: AliyunFakeOptions = {}): Promise<AliyunFake> {
  return new AliyunFake(options).start();
}
