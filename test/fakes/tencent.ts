/**
 * A fake Tencent Cloud SMS API 3.0 on 127.0.0.1. Every request's TC3-HMAC-SHA256 signature is
 * recomputed from what arrived (the signed headers as received, the body's bytes, the secret key)
 * and refused as Tencent would (Response.Error AuthFailure.*). SendSms checks the app, signature
 * and template like Tencent, renders the template for `sent()`, and answers Response.SendStatusSet.
 * Callbacks are built as Tencent posts them, to URLs that carry Herald's token.
 *
 * The signature check is its own few lines, not src/carriers/tencent-signature.ts, so a mistake
 * there cannot hide itself on both sides of the wire.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import type { CarrierRequest, ReceiptStatus } from '../../src/carriers/carrier.js';
import type { CarrierFake, FakeFailure, FakeSentMessage } from '../carriers/contract.js';

export interface TencentFakeOptions {
  readonly secretId?: string;
  readonly secretKey?: string;
  readonly sdkAppId?: string;
  readonly signNames?: readonly string[];
  /** Approved templates: id -> content with {1}, {2}, ... */
  readonly templates?: Readonly<Record<string, string>>;
  /** Callback URLs as configured in Tencent's console (with Herald's token). */
  readonly receiptUrl?: string;
  readonly inboundUrl?: string;
}

/** An error the next call meets: for the whole call, or for each of its numbers. */
export interface TencentFakeError {
  readonly code: string;
  readonly message: string;
  readonly perNumber?: boolean;
}

interface Call {
  readonly headers: IncomingMessage['headers'];
  readonly payload: Record<string, unknown>;
}

const FAILURES: Record<FakeFailure, TencentFakeError> = {
  permanent: {
    code: 'InvalidParameterValue.IncorrectPhoneNumber',
    message: 'incorrect phone number',
    perNumber: true,
  },
  transient: { code: 'InternalError.SendAndRecvFail', message: 'send and recv fail' },
};

const RECEIPT: Record<ReceiptStatus, { status: string; errmsg: string; description: string }> = {
  delivered: { status: 'SUCCESS', errmsg: 'DELIVRD', description: '用户短信送达成功' },
  undelivered: { status: 'FAIL', errmsg: 'UNDELIV', description: '用户短信未送达' },
  failed: { status: 'FAIL', errmsg: 'REJECTD', description: '短信被拒绝' },
  expired: { status: 'FAIL', errmsg: 'EXPIRED', description: '短信已过期' },
  unknown: { status: 'FAIL', errmsg: 'UNKNOWN', description: '未知' },
};

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) =>
  createHmac('sha256', key).update(text).digest();

/** Beijing wall-clock time, as Tencent writes it. */
function beijing(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export class TencentFake implements CarrierFake {
  readonly secretId: string;
  readonly secretKey: string;
  readonly sdkAppId: string;
  endpoint = '';
  /** Every SendSms call that passed the signature check. */
  readonly calls: Call[] = [];
  private readonly options: TencentFakeOptions;
  private readonly server: Server;
  private readonly accepted: FakeSentMessage[] = [];
  private readonly failures: (TencentFakeError | 'stall')[] = [];
  private readonly stalled: ServerResponse[] = [];
  private serial = 0;

  constructor(options: TencentFakeOptions = {}) {
    this.options = options;
    this.secretId = options.secretId ?? 'AKIDfakeTencentSecretId0000000000000';
    this.secretKey = options.secretKey ?? 'fakeTencentSecretKey00000000000000';
    this.sdkAppId = options.sdkAppId ?? '1400006666';
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  sent(): readonly FakeSentMessage[] {
    return [...this.accepted];
  }

  failNext(kind: FakeFailure): void {
    this.failures.push(FAILURES[kind]);
  }

  failNextWith(error: TencentFakeError): void {
    this.failures.push(error);
  }

  stallNext(): void {
    this.failures.push('stall');
  }

  async deliverReceipt(carrierMessageId: string, status: ReceiptStatus): Promise<CarrierRequest> {
    const message = this.accepted.find((m) => m.carrierMessageId === carrierMessageId);
    if (!message) throw new Error(`the fake accepted no message ${carrierMessageId}`);
    const outcome = RECEIPT[status];
    const report = {
      user_receive_time: beijing(new Date()),
      ...this.split(message.to),
      report_status: outcome.status,
      errmsg: outcome.errmsg,
      description: outcome.description,
      sid: carrierMessageId,
    };
    return this.callback(this.options.receiptUrl, [report]);
  }

  async injectInbound(from: string, text: string): Promise<CarrierRequest> {
    const reply = {
      extend: '',
      ...this.split(from),
      sign: this.options.signNames?.[0] ?? 'Herald',
      text,
      time: Math.floor(Date.now() / 1000),
    };
    return this.callback(this.options.inboundUrl, [reply]);
  }

  /** A callback as Tencent posts it: JSON, no signature of its own. */
  callback(url: string | undefined, body: unknown): CarrierRequest {
    const target = url ?? 'https://herald.example.com/webhooks/tencent?token=missing';
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
    const url = new URL(genuine.url);
    const token = url.searchParams.get('token') ?? '';
    const withToken = (value: string | null) => {
      const forged = new URL(genuine.url);
      if (value === null) forged.searchParams.delete('token');
      else forged.searchParams.set('token', value);
      return { ...genuine, url: forged.toString() };
    };
    const doubled = new URL(genuine.url);
    doubled.searchParams.append('token', 'x');
    return [
      withToken(null),
      withToken(''),
      withToken(token.slice(0, -1)),
      withToken(`${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`),
      { ...genuine, url: doubled.toString() },
    ];
  }

  async close(): Promise<void> {
    for (const res of this.stalled.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private split(e164: string) {
    const phone = parsePhoneNumberWithError(e164);
    return { nationcode: phone.countryCallingCode, mobile: phone.nationalNumber };
  }

  /** The TC3 check, from the request as it arrived; null when it holds, else Tencent's code. */
  private authFailure(req: IncomingMessage, body: Buffer): string | null {
    const match =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        req.headers.authorization ?? '',
      );
    if (!match) return 'AuthFailure.InvalidAuthorization';
    const [, secretId, date, service, signedHeaders, signature] = match;
    if (secretId !== this.secretId) return 'AuthFailure.SecretIdNotFound';
    if (service !== 'sms') return 'AuthFailure.SignatureFailure';
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (Math.abs(Date.now() / 1000 - timestamp) > 300) return 'AuthFailure.SignatureExpire';
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) {
      return 'AuthFailure.SignatureFailure';
    }
    const names = signedHeaders!.split(';');
    if (!names.includes('content-type') || !names.includes('host')) {
      return 'AuthFailure.SignatureFailure';
    }
    const headerLines = names
      .map(
        (name) =>
          `${name}:${String(req.headers[name] ?? '')
            .trim()
            .toLowerCase()}\n`,
      )
      .join('');
    const canonical = `${req.method}\n/\n\n${headerLines}\n${signedHeaders}\n${sha256(body)}`;
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha256(canonical)}`;
    const key = hmac(hmac(hmac(`TC3${this.secretKey}`, date!), service!), 'tc3_request');
    const expected = createHmac('sha256', key).update(toSign).digest('hex');
    return expected === signature ? null : 'AuthFailure.SignatureFailure';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const fail = (code: string, message = code) =>
      this.json(res, { Error: { Code: code, Message: message }, RequestId: randomUUID() });
    if (
      req.method !== 'POST' ||
      req.headers['content-type'] !== 'application/json; charset=utf-8'
    ) {
      return fail('InvalidParameter', 'POST application/json; charset=utf-8 expected');
    }
    const auth = this.authFailure(req, body);
    if (auth) return fail(auth);
    if (req.headers['x-tc-action'] !== 'SendSms') return fail('InvalidAction');
    if (req.headers['x-tc-version'] !== '2021-01-11') return fail('NoSuchVersion');
    if (!req.headers['x-tc-region']) return fail('MissingParameter', 'X-TC-Region');
    const payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    this.calls.push({ headers: req.headers, payload });
    const numbers = (payload.PhoneNumberSet ?? []) as string[];
    const params = (payload.TemplateParamSet ?? []) as string[];
    const template = this.options.templates?.[String(payload.TemplateId)];
    if (payload.SmsSdkAppId !== this.sdkAppId) {
      return fail('InvalidParameterValue.SdkAppIdNotExist');
    }
    if (!(this.options.signNames ?? ['Herald']).includes(String(payload.SignName))) {
      return fail('FailedOperation.SignatureIncorrectOrUnapproved');
    }
    if (template === undefined) return fail('FailedOperation.TemplateIncorrectOrUnapproved');
    if ((template.match(/\{\d+\}/g) ?? []).length !== params.length) {
      return fail('InvalidParameterValue.TemplateParameterFormatError');
    }
    if (numbers.length === 0) return fail('MissingParameter.EmptyPhoneNumberSet');
    if (numbers.length > 200) return fail('LimitExceeded.PhoneNumberCountLimit');
    const failure = this.failures.shift();
    if (failure === 'stall') {
      this.stalled.push(res);
      return;
    }
    if (failure && !failure.perNumber) return fail(failure.code, failure.message);
    const text = template.replace(/\{(\d+)\}/g, (_, n: string) => params[Number(n) - 1] ?? '');
    const statuses = numbers.map((to) => {
      const valid = /^\+[1-9]\d{6,14}$/.test(to);
      const error = failure ?? (valid ? null : FAILURES.permanent);
      const serialNo = error ? '' : `2433:${Date.now()}${String(++this.serial).padStart(8, '0')}`;
      if (!error) {
        this.accepted.push({
          to,
          text,
          parts: 1,
          carrierMessageId: serialNo,
          sender: String(payload.SignName),
          template: { id: String(payload.TemplateId), params },
        });
      }
      return {
        SerialNo: serialNo,
        PhoneNumber: to,
        Fee: error ? 0 : 1,
        SessionContext: String(payload.SessionContext ?? ''),
        Code: error ? error.code : 'Ok',
        Message: error ? error.message : 'send success',
        IsoCode: to.startsWith('+86') ? 'CN' : 'DEF',
      };
    });
    this.json(res, { SendStatusSet: statuses, RequestId: randomUUID() });
  }

  private json(res: ServerResponse, response: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ Response: response }));
  }
}

export async function startTencentFake(options: TencentFakeOptions = {}): Promise<TencentFake> {
  return new TencentFake(options).start();
}
