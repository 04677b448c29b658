/**
 * A fake Twilio Messages API on 127.0.0.1. It checks HTTP Basic auth and the form as Twilio does,
 * answers 201 with a Message resource or a Twilio-style JSON error ({ code, message, more_info,
 * status }), and builds the status callbacks and incoming-message webhooks Twilio would send,
 * signed with X-Twilio-Signature.
 *
 * It signs with its own few lines of HMAC, not with src/carriers/twilio-signature.ts, so a mistake
 * there cannot hide itself on both sides of the wire.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CarrierRequest, ReceiptStatus } from '../../src/carriers/carrier.js';
import type { CarrierFake, FakeFailure, FakeSentMessage } from '../carriers/contract.js';

export interface TwilioFakeOptions {
  readonly accountSid?: string;
  readonly authToken?: string;
  /** Where incoming messages are posted (the number's webhook in Twilio's console). */
  readonly inboundUrl?: string;
  /** Where status callbacks go when a message named no StatusCallback. */
  readonly defaultStatusCallbackUrl?: string;
  /** Herald's number, the `To` of incoming messages. */
  readonly number?: string;
}

/** A Twilio error the next submission meets. */
export interface TwilioFakeError {
  readonly httpStatus: number;
  readonly code: number;
  readonly message: string;
}

interface SentRecord extends FakeSentMessage {
  readonly form: Readonly<Record<string, string>>;
}

const FAILURES: Record<FakeFailure, TwilioFakeError> = {
  permanent: {
    httpStatus: 400,
    code: 21211,
    message: "The 'To' number is not a valid phone number.",
  },
  transient: { httpStatus: 503, code: 20503, message: 'Service unavailable' },
};

const CALLBACK_STATUS: Record<ReceiptStatus, { status: string; errorCode?: string }> = {
  delivered: { status: 'delivered' },
  undelivered: { status: 'undelivered', errorCode: '30003' },
  failed: { status: 'failed', errorCode: '30008' },
  expired: { status: 'undelivered', errorCode: '30001' },
  unknown: { status: 'undelivered', errorCode: '30008' },
};

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** The signature Twilio documents: URL, then sorted name+value pairs, HMAC-SHA1, base64. */
export function signTwilio(token: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  const data = names
    .map((name) =>
      [...params.getAll(name)]
        .sort()
        .map((value) => name + value)
        .join(''),
    )
    .join('');
  return createHmac('sha1', token)
    .update(url + data)
    .digest('base64');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class TwilioFake implements CarrierFake {
  readonly accountSid: string;
  readonly authToken: string;
  baseUrl = '';
  private readonly server: Server;
  private readonly options: TwilioFakeOptions;
  private readonly accepted: SentRecord[] = [];
  private readonly failures: (TwilioFakeError | 'stall')[] = [];
  private readonly stalled: ServerResponse[] = [];
  /** Every API call, accepted or not (its form as posted). */
  readonly calls: Record<string, string>[] = [];

  constructor(options: TwilioFakeOptions = {}) {
    this.options = options;
    this.accountSid = options.accountSid ?? 'AC' + 'f'.repeat(32);
    this.authToken = options.authToken ?? 'fake-twilio-auth-token';
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  sent(): readonly FakeSentMessage[] {
    return this.accepted.map(({ form: _form, ...message }) => message);
  }

  /** The form of each accepted message, in order. */
  forms(): readonly Readonly<Record<string, string>>[] {
    return this.accepted.map((m) => m.form);
  }

  failNext(kind: FakeFailure): void {
    this.failures.push(FAILURES[kind]);
  }

  failNextWith(error: TwilioFakeError): void {
    this.failures.push(error);
  }

  stallNext(): void {
    this.failures.push('stall');
  }

  async deliverReceipt(carrierMessageId: string, status: ReceiptStatus): Promise<CarrierRequest> {
    const message = this.accepted.find((m) => m.carrierMessageId === carrierMessageId);
    if (!message) throw new Error(`the fake accepted no message ${carrierMessageId}`);
    const outcome = CALLBACK_STATUS[status];
    const params = new URLSearchParams({
      SmsSid: carrierMessageId,
      SmsStatus: outcome.status,
      MessageStatus: outcome.status,
      To: message.to,
      MessageSid: carrierMessageId,
      AccountSid: this.accountSid,
      From: message.form.From ?? '+14155550100',
      ApiVersion: '2010-04-01',
    });
    if (outcome.errorCode) params.set('ErrorCode', outcome.errorCode);
    const url =
      message.form.StatusCallback ??
      this.options.defaultStatusCallbackUrl ??
      'https://herald.example.com/webhooks/twilio/receipts';
    return this.callback(url, params);
  }

  async injectInbound(from: string, text: string): Promise<CarrierRequest> {
    const messageSid = sid('SM');
    const params = new URLSearchParams({
      ToCountry: 'US',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      SmsSid: messageSid,
      SmsStatus: 'received',
      Body: text,
      To: this.options.number ?? '+14155550100',
      NumSegments: '1',
      MessageSid: messageSid,
      AccountSid: this.accountSid,
      From: from,
      ApiVersion: '2010-04-01',
    });
    const url = this.options.inboundUrl ?? 'https://herald.example.com/webhooks/twilio/inbound';
    return this.callback(url, params);
  }

  /** A callback as Twilio would post it, signed with `token` (default: the account's). */
  callback(url: string, params: URLSearchParams, token = this.authToken): CarrierRequest {
    const rawBody = params.toString();
    return {
      method: 'POST',
      url,
      headers: {
        host: new URL(url).host,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'TwilioProxy/1.1',
        'x-twilio-signature': signTwilio(token, url, params),
      },
      body: Object.fromEntries(params),
      rawBody,
    };
  }

  forgeries(genuine: CarrierRequest): CarrierRequest[] {
    const params = new URLSearchParams(genuine.rawBody);
    const unsigned = { ...genuine, headers: { ...genuine.headers } };
    delete (unsigned.headers as Record<string, unknown>)['x-twilio-signature'];
    const signature = genuine.headers['x-twilio-signature'] as string;
    const resigned = (p: URLSearchParams, url = genuine.url): CarrierRequest => ({
      ...genuine,
      url,
      headers: { ...genuine.headers, 'x-twilio-signature': signature },
      body: Object.fromEntries(p),
      rawBody: p.toString(),
    });
    const altered = new URLSearchParams(params);
    if (altered.has('MessageStatus')) altered.set('MessageStatus', 'failed');
    else altered.set('Body', `${altered.get('Body') ?? ''} START`);
    const extra = new URLSearchParams(params);
    extra.append('ErrorCode', '21610');
    return [
      unsigned,
      this.callback(genuine.url, params, 'not-the-auth-token'),
      resigned(altered),
      resigned(extra),
      resigned(params, `${genuine.url}${genuine.url.includes('?') ? '&' : '?'}forged=1`),
    ];
  }

  async close(): Promise<void> {
    for (const res of this.stalled.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = `/2010-04-01/Accounts/${this.accountSid}/Messages.json`;
    const expectedAuth = Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64');
    if (req.headers.authorization !== `Basic ${expectedAuth}`) {
      return this.error(res, { httpStatus: 401, code: 20003, message: 'Authenticate' });
    }
    if (req.method !== 'POST' || req.url !== path) {
      return this.error(res, { httpStatus: 404, code: 20404, message: 'Not found' });
    }
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      return this.error(res, { httpStatus: 400, code: 21601, message: 'Form expected' });
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    this.calls.push(form);
    const failure = this.failures.shift();
    if (failure === 'stall') {
      this.stalled.push(res);
      return;
    }
    if (failure) return this.error(res, failure);
    if (!form.To)
      return this.error(res, {
        httpStatus: 400,
        code: 21604,
        message: "A 'To' phone number is required.",
      });
    if (!/^\+[1-9]\d{6,14}$/.test(form.To)) return this.error(res, FAILURES.permanent);
    if (!form.Body)
      return this.error(res, {
        httpStatus: 400,
        code: 21602,
        message: 'Message body is required.',
      });
    if (!form.From && !form.MessagingServiceSid) {
      return this.error(res, {
        httpStatus: 400,
        code: 21603,
        message: "A 'From' phone number is required.",
      });
    }
    const messageSid = sid('SM');
    this.accepted.push({
      to: form.To,
      text: form.Body,
      parts: 1,
      carrierMessageId: messageSid,
      sender: form.From ?? form.MessagingServiceSid,
      form,
    });
    const now = new Date().toUTCString().replace('GMT', '+0000');
    this.json(res, 201, {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body: form.Body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: form.From ?? null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: messageSid,
      status: form.MessagingServiceSid ? 'accepted' : 'queued',
      to: form.To,
      uri: `${path.replace('.json', '')}/${messageSid}.json`,
    });
  }

  private error(res: ServerResponse, error: TwilioFakeError): void {
    this.json(res, error.httpStatus, {
      code: error.code,
      message: error.message,
      more_info: `https://www.twilio.com/docs/errors/${error.code}`,
      status: error.httpStatus,
    });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}

export async function startTwilioFake(options: TwilioFakeOptions = {}): Promise<TwilioFake> {
  return new TwilioFake(options).start();
}
