/**
 * Twilio Programmable Messaging over its REST API, with plain fetch: one form POST per message to
 * `{baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth
 * (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
 * The vendor SDK would add ~100 dependencies for one POST and one HMAC.
 *
 * Twilio calls back over HTTP: status callbacks (to the `StatusCallback` URL sent with each
 * message) and incoming messages (to the number's or Messaging Service's webhook). Both are
 * verified with X-Twilio-Signature (twilio-signature.ts) before anything in them is believed;
 * the URL to check is the public URL Twilio called, which the API layer passes in full.
 *
 * Each parse function ignores the other kind of callback (returns nothing), so one webhook URL
 * may serve both.
 */
import { createOutboundHttp, type OutboundHttp } from '../security/guarded-http.js';
import { requireCallableUrl, transportFailure } from './transport.js';
import type {
  Carrier,
  CarrierRequest,
  DeliveryReceipt,
  InboundSms,
  OutgoingSms,
  ReceiptStatus,
  SendResult,
} from './carrier.js';
import { twilioErrorCode, twilioFailure } from './twilio-errors.js';
import { verifyTwilioBody, verifyTwilioSignature } from './twilio-signature.js';
import { HeraldError } from '../core/errors.js';

export const TWILIO_CARRIER_NAME = 'twilio';
export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

export interface TwilioCarrierOptions {
  readonly name?: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** The sending number or alphanumeric sender; a message's own `sender` wins. */
  readonly from?: string;
  /** Or (and) a Messaging Service, which then picks the number. One of the two is required. */
  readonly messagingServiceSid?: string;
  /** Default https://api.twilio.com. Tests point it at the fake. */
  readonly baseUrl?: string;
  /** Herald's public status-callback URL, sent with every message; absent: no receipts. */
  readonly statusCallbackUrl?: string;
  /** How long one API call may take before the message fails temporarily. Default 10 s. */
  readonly timeoutMs?: number;
  /**
   * The guarded client every API call goes through (SSRF rules, timeouts, size cap); default:
   * one that allows no private host. Tests pass one allowing their fake's 127.0.0.1.
   */
  readonly http?: OutboundHttp;
  readonly clock?: () => Date;
}

/** Twilio's MessageStatus values that are an outcome; the others (queued, sent, ...) are not. */
const RECEIPT_STATUS: Readonly<Record<string, ReceiptStatus>> = {
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** An empty TwiML document: Twilio sends no automatic reply (Herald replies by the API). */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

type FormParams = Record<string, string[]>;

function first(params: FormParams, name: string): string | undefined {
  return params[name]?.[0];
}

function headerOf(request: CarrierRequest, name: string): string | undefined {
  const entry = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** The POST parameters, from the raw body when there is one (every repeated value kept). */
function formParams(request: CarrierRequest): FormParams {
  // No prototype: a parameter named valueOf, constructor or __proto__ is just a parameter.
  const params: FormParams = Object.create(null) as FormParams;
  const add = (name: string, value: string) => (params[name] ??= []).push(value);
  if (typeof request.rawBody === 'string') {
    for (const [name, value] of new URLSearchParams(request.rawBody)) add(name, value);
  } else if (typeof request.body === 'string') {
    for (const [name, value] of new URLSearchParams(request.body)) add(name, value);
  } else if (request.body && typeof request.body === 'object') {
    for (const [name, value] of Object.entries(request.body as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) add(name, String(item));
    }
  }
  return params;
}

export class TwilioCarrier implements Carrier {
  readonly name: string;
  private readonly options: TwilioCarrierOptions;
  private readonly messagesUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly http: OutboundHttp;
  /** Made here when none was given: closed with the carrier. */
  private readonly ownHttp: OutboundHttp | undefined;
  private readonly clock: () => Date;
  private readonly inFlight = new Set<Promise<SendResult>>();
  private closed = false;

  constructor(options: TwilioCarrierOptions) {
    if (!options.accountSid || !options.authToken) {
      throw new Error('twilio: accountSid and authToken are required');
    }
    if (!options.from && !options.messagingServiceSid) {
      throw new Error('twilio: a from number or a messagingServiceSid is required');
    }
    this.options = options;
    this.name = options.name ?? TWILIO_CARRIER_NAME;
    const base = (options.baseUrl ?? TWILIO_API_BASE_URL).replace(/\/+$/, '');
    this.messagesUrl = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    const credentials = `${options.accountSid}:${options.authToken}`;
    this.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.ownHttp = options.http ? undefined : createOutboundHttp({ allowedHosts: [] });
    this.http = options.http ?? this.ownHttp!;
    requireCallableUrl('twilio', options.baseUrl ?? TWILIO_API_BASE_URL, this.http.allowedHosts);
    this.clock = options.clock ?? (() => new Date());
  }

  send(message: OutgoingSms): Promise<SendResult> {
    if (this.closed) {
      return Promise.resolve({ status: 'failed', errorCode: 'CARRIER_CLOSED', permanent: false });
    }
    const pending = this.submit(message);
    this.inFlight.add(pending);
    const forget = () => this.inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  /** Waits for the calls already made (each bounded by the timeout); later sends fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    this.ownHttp?.close();
  }

  parseReceipts(request: CarrierRequest): DeliveryReceipt[] {
    const params = this.verified(request);
    const sid = first(params, 'MessageSid') ?? first(params, 'SmsSid');
    const twilioStatus = first(params, 'MessageStatus');
    if (twilioStatus === undefined) return [];
    if (!sid) throw new HeraldError('BAD_REQUEST', 'twilio status callback without MessageSid');
    const status = RECEIPT_STATUS[twilioStatus];
    if (!status) return [];
    const errorCode = Number(first(params, 'ErrorCode') ?? '');
    return [
      {
        carrier: this.name,
        carrierMessageId: sid,
        status,
        ...(errorCode > 0 ? { errorCode: twilioErrorCode(errorCode) } : {}),
        at: dlrDoneDate(first(params, 'RawDlrDoneDate')) ?? this.clock(),
      },
    ];
  }

  parseInbound(request: CarrierRequest): InboundSms[] {
    const params = this.verified(request);
    const text = first(params, 'Body');
    if (first(params, 'MessageStatus') !== undefined || text === undefined) return [];
    const from = first(params, 'From');
    if (!from) throw new HeraldError('BAD_REQUEST', 'twilio inbound message without From');
    const to = first(params, 'To');
    const sid = first(params, 'MessageSid') ?? first(params, 'SmsMessageSid');
    return [
      {
        carrier: this.name,
        from,
        ...(to ? { to } : {}),
        text,
        receivedAt: this.clock(),
        ...(sid ? { carrierMessageId: sid } : {}),
      },
    ];
  }

  webhookReply(kind: 'receipts' | 'inbound') {
    return kind === 'inbound'
      ? { status: 200, contentType: 'text/xml', body: EMPTY_TWIML }
      : { status: 204, contentType: 'text/plain', body: '' };
  }

  /** The callback's parameters, once its signature proved Twilio sent exactly this. */
  private verified(request: CarrierRequest): FormParams {
    const signature = headerOf(request, 'x-twilio-signature');
    // Webhook rules sign with another key and algorithm; Herald has only the auth token.
    if (headerOf(request, 'x-twilio-webhooks-signature-settings') !== undefined) {
      throw new HeraldError('FORBIDDEN', 'twilio webhook signed by a webhook rule Herald lacks');
    }
    const token = this.options.authToken;
    const raw = request.rawBody;
    // JSON-bodied webhooks sign the URL (with bodySHA256) and hash the raw body.
    if (/^application\/json/i.test(headerOf(request, 'content-type') ?? '')) {
      if (typeof raw !== 'string' || !verifyTwilioBody(token, signature, request.url, raw)) {
        throw new HeraldError('FORBIDDEN', 'twilio webhook signature does not match');
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new HeraldError('BAD_REQUEST', 'twilio webhook body is not JSON');
      }
      const entries = json && typeof json === 'object' ? Object.entries(json) : [];
      const fields: FormParams = Object.create(null) as FormParams;
      for (const [key, value] of entries) fields[key] = [String(value)];
      return fields;
    }
    const params = formParams(request);
    if (!verifyTwilioSignature(token, signature, request.url, params)) {
      throw new HeraldError('FORBIDDEN', 'twilio webhook signature does not match');
    }
    return params;
  }

  private async submit(message: OutgoingSms): Promise<SendResult> {
    const form = new URLSearchParams({ To: message.to, Body: message.body });
    const from = message.sender ?? this.options.from;
    if (from) form.set('From', from);
    if (this.options.messagingServiceSid) {
      form.set('MessagingServiceSid', this.options.messagingServiceSid);
    }
    if (this.options.statusCallbackUrl) form.set('StatusCallback', this.options.statusCallbackUrl);
    let response: Response;
    let text: string;
    try {
      response = await this.http.fetch(this.messagesUrl, {
        method: 'POST',
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          accept: 'application/json',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      return transportFailure(err);
    }
    const json = parseJson(text);
    if (response.ok && typeof json?.sid === 'string') {
      // Twilio may refuse a message in the 201 itself (status failed with an error code).
      if (json.status === 'failed' && typeof json.error_code === 'number') {
        return twilioFailure(400, json.error_code, String(json.error_message ?? ''));
      }
      return { status: 'accepted', carrierMessageId: json.sid };
    }
    const code = typeof json?.code === 'number' ? json.code : null;
    const reason = typeof json?.message === 'string' ? json.message : text.slice(0, 200);
    return twilioFailure(response.ok ? 502 : response.status, code, reason);
  }
}

/** RawDlrDoneDate, the carrier's own delivery time where it gave one: YYMMDDhhmm in UTC. */
function dlrDoneDate(value: string | undefined): Date | null {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const at = new Date(Date.UTC(2000 + year, month - 1, day, hour, minute));
  return at.getUTCMonth() === month - 1 && at.getUTCDate() === day ? at : null;
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
 *   const twilio = createTwilioCarrier({ accountSid, authToken, from: '+14155550100',
 *     statusCallbackUrl: 'https://herald.example.com/webhooks/twilio/receipts' });
 */
export function createTwilioCarrier(options: TwilioCarrierOptions): TwilioCarrier {
  return new TwilioCarrier(options);
}
