/**
 * Outbound webhooks, the pure parts: the closed set of events and their payloads, which URLs an
 * endpoint may have, the signature, and what happens after an attempt (done, retry when, give up,
 * switch the endpoint off). Storing and sending live in src/webhooks.
 */
import { createHmac } from 'node:crypto';
import { maskPhone } from './phone.js';

export const WEBHOOK_EVENT_TYPES = [
  'message.delivered',
  'message.failed',
  'link.clicked',
  'contact.opted_out',
  'message.inbound',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** Why an endpoint is switched off: by an admin, or by Herald after it kept failing. */
export const WEBHOOK_DISABLED_REASONS = ['manual', 'failing'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

/**
 * A number as it may leave Herald in a webhook: masked. Only `maskedPhone` makes one, so a payload
 * type that asks for it cannot be filled with a clear number by mistake. Integrators identify the
 * person by `contactId` (or their own external id on the contact), never by the number.
 */
export type MaskedPhone = string & { readonly __masked: true };

/**
 * @example
 *   maskedPhone('+8613800138000') // '+86 138****8000'
 */
export function maskedPhone(e164: string | null | undefined): MaskedPhone | null {
  return e164 ? (maskPhone(e164) as MaskedPhone) : null;
}

/** `message.delivered` and `message.failed`: the outcome of an SMS Herald sent. */
export interface MessageStatusData {
  readonly messageId: number;
  readonly contactId: number | null;
  readonly phone: MaskedPhone | null;
  readonly purpose: string;
  readonly status: string;
  readonly carrier: string | null;
  readonly carrierMessageId: string | null;
  readonly errorCode: string | null;
  readonly campaignId: number | null;
}

/** `link.clicked`: a person (never a link-preview bot) followed a tracked short link. */
export interface LinkClickedData {
  readonly code: string;
  readonly url: string;
  readonly messageId: number | null;
  readonly contactId: number | null;
  readonly phone: MaskedPhone | null;
  readonly campaignId: number | null;
  readonly variant: string | null;
}

/** `contact.opted_out`: marketing consent was withdrawn and the number suppressed. */
export interface ContactOptedOutData {
  /** Null when the number is not a contact: only its suppression was recorded. */
  readonly contactId: number | null;
  readonly phone: MaskedPhone | null;
  readonly purpose: 'marketing';
  readonly method: 'keyword';
  readonly keyword: string | null;
  readonly inboundMessageId: number;
}

/** `message.inbound`: an SMS someone sent, with any phone number inside its text masked. */
export interface MessageInboundData {
  readonly inboundMessageId: number;
  readonly contactId: number | null;
  readonly phone: MaskedPhone | null;
  readonly body: string;
  readonly intent: string;
  readonly carrier: string;
}

export interface WebhookPayloads {
  'message.delivered': MessageStatusData;
  'message.failed': MessageStatusData;
  'link.clicked': LinkClickedData;
  'contact.opted_out': ContactOptedOutData;
  'message.inbound': MessageInboundData;
}

/** What an endpoint receives: the body of every POST, byte for byte the same on each retry. */
export interface WebhookEnvelope<T extends WebhookEventType = WebhookEventType> {
  readonly id: string;
  readonly type: T;
  readonly createdAt: string;
  readonly data: WebhookPayloads[T];
}

export const WEBHOOK_URL_PROBLEMS = ['not_a_url', 'scheme', 'credentials', 'too_long'] as const;
export type WebhookUrlProblem = (typeof WEBHOOK_URL_PROBLEMS)[number];

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * An endpoint URL is absolute http(s) without user:password (a secret in a URL ends up in logs and
 * proxies; the signature is the authentication). The fragment is dropped: it never reaches a server.
 * Issue 8 adds the address checks (private ranges) at send time; this is only the shape.
 *
 * @example
 *   checkWebhookUrl('https://example.com/hooks#x') // { ok: true, url: 'https://example.com/hooks' }
 *   checkWebhookUrl('ftp://example.com/')          // { ok: false, problem: 'scheme' }
 */
export function checkWebhookUrl(
  raw: string,
): { ok: true; url: string } | { ok: false; problem: WebhookUrlProblem } {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) return { ok: false, problem: 'too_long' };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, problem: 'not_a_url' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, problem: 'scheme' };
  if (!url.hostname) return { ok: false, problem: 'not_a_url' };
  if (url.username || url.password) return { ok: false, problem: 'credentials' };
  url.hash = '';
  return { ok: true, url: url.href };
}

/**
 * The `Herald-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, one
 * `v1` per secret (during a rotation the previous secret signs too, so receivers can switch over
 * without losing events). The timestamp lets receivers refuse replays.
 *
 * @example
 *   webhookSignature(['whsec_test'], 1700000000, '{}')
 *   // 't=1700000000,v1=<64 hex digits>'
 */
export function webhookSignature(
  secrets: readonly string[],
  unixSeconds: number,
  body: string,
): string {
  const t = Math.floor(unixSeconds);
  const parts = secrets.map(
    (secret) => `v1=${createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex')}`,
  );
  return [`t=${t}`, ...parts].join(',');
}

/** What one attempt came to, as the sender saw it. */
export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network' }
  /** The URL was refused before any connection (its shape, or issue 8's address rules). */
  | { readonly kind: 'refused' };

export const ATTEMPT_VERDICTS = ['delivered', 'retry', 'failed'] as const;
export type AttemptVerdict = (typeof ATTEMPT_VERDICTS)[number];

/**
 * 2xx is done. Network errors, timeouts, 408, 429 and 5xx may pass: retry. Anything else (other
 * 4xx, and 3xx since redirects are not followed) is the receiver saying no: it will say it again.
 *
 * @example
 *   attemptVerdict({ kind: 'response', status: 503 }) // 'retry'
 *   attemptVerdict({ kind: 'response', status: 410 }) // 'failed'
 */
export function attemptVerdict(result: AttemptResult): AttemptVerdict {
  switch (result.kind) {
    case 'timeout':
    case 'network':
      return 'retry';
    case 'refused':
      return 'failed';
    case 'response': {
      const s = result.status;
      if (s >= 200 && s < 300) return 'delivered';
      if (s === 408 || s === 429 || s >= 500) return 'retry';
      return 'failed';
    }
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly factor: number;
  readonly capMs: number;
  /** ± this fraction of the delay, so that many failed deliveries do not retry in lock-step. */
  readonly jitter: number;
}

/** 10 attempts: 30 s, 2 min, 8 min, 32 min, ~2 h, then every 6 h: about 27 h in all. */
export const WEBHOOK_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseMs: 30_000,
  factor: 4,
  capMs: 6 * 3_600_000,
  jitter: 0.2,
};

/**
 * The wait after failed attempt number `attempt` (1-based); `random` is in [0, 1).
 *
 * @example
 *   webhookRetryDelayMs(1, 0.5) // 30000
 *   webhookRetryDelayMs(3, 0.5) // 480000
 */
export function webhookRetryDelayMs(
  attempt: number,
  random: number,
  policy: RetryPolicy = WEBHOOK_RETRY_POLICY,
): number {
  const plain = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = 1 - policy.jitter + 2 * policy.jitter * Math.min(Math.max(random, 0), 1);
  return Math.round(plain * spread);
}

export type DeliveryStep =
  | { readonly status: 'delivered' }
  | { readonly status: 'failed'; readonly reason: 'rejected' | 'exhausted' }
  | { readonly status: 'pending'; readonly nextAttemptAt: Date };

/**
 * Where a delivery goes after attempt `attempt`. A `Retry-After` the receiver sent (seconds) is
 * honoured when it asks for longer than the back-off, up to the policy's cap.
 *
 * @example
 *   nextDeliveryStep({ attempt: 1, verdict: 'retry', now, random: 0.5 })
 *   // { status: 'pending', nextAttemptAt: now + 30 s }
 */
export function nextDeliveryStep(
  input: {
    readonly attempt: number;
    readonly verdict: AttemptVerdict;
    readonly now: Date;
    readonly random: number;
    readonly retryAfterSeconds?: number | null;
  },
  policy: RetryPolicy = WEBHOOK_RETRY_POLICY,
): DeliveryStep {
  if (input.verdict === 'delivered') return { status: 'delivered' };
  if (input.verdict === 'failed') return { status: 'failed', reason: 'rejected' };
  if (input.attempt >= policy.maxAttempts) return { status: 'failed', reason: 'exhausted' };
  const backoff = webhookRetryDelayMs(input.attempt, input.random, policy);
  const asked = Math.min(policy.capMs, Math.max(0, input.retryAfterSeconds ?? 0) * 1000);
  return {
    status: 'pending',
    nextAttemptAt: new Date(input.now.getTime() + Math.max(backoff, asked)),
  };
}

/** `Retry-After` in seconds (the HTTP-date form is rare from webhook receivers: ignored). */
export function parseRetryAfter(header: string | undefined): number | null {
  if (!header || !/^\s*\d{1,7}\s*$/.test(header)) return null;
  return Number(header.trim());
}

export interface AutoDisablePolicy {
  /** Failed attempts in a row, with no success between them. */
  readonly afterFailures: number;
  /** ... spread over at least this long, so a short outage with many events does not count. */
  readonly afterMs: number;
}

export const WEBHOOK_AUTO_DISABLE: AutoDisablePolicy = {
  afterFailures: 20,
  afterMs: 3_600_000,
};

/**
 * Whether an endpoint has failed long enough to be switched off until an admin turns it on.
 *
 * @example
 *   shouldDisableEndpoint({ consecutiveFailures: 20, failingSince: twoHoursAgo, now }) // true
 */
export function shouldDisableEndpoint(
  state: {
    readonly consecutiveFailures: number;
    readonly failingSince: string | null;
    readonly now: Date;
  },
  policy: AutoDisablePolicy = WEBHOOK_AUTO_DISABLE,
): boolean {
  if (state.consecutiveFailures < policy.afterFailures || state.failingSince === null) return false;
  return state.now.getTime() - new Date(state.failingSince).getTime() >= policy.afterMs;
}
