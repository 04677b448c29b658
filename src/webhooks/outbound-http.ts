/**
 * The one door for HTTP calls to addresses that customers configure (webhook endpoints). Every
 * such call goes through `postJson`, which sends through the guarded client
 * (src/security/guarded-http.ts): only http(s), no credentials in the URL, the host resolved and
 * every address checked against the SSRF rules before any connection (loopback, private,
 * link-local and metadata addresses refused unless an admin allowed the host), a deadline on the
 * whole exchange, at most `maxResponseBytes` of the answer read, no redirect followed.
 */
import { checkWebhookUrl } from '../core/webhooks.js';
import { redactPhones } from '../core/redact.js';
import { isOutboundRefused, type OutboundHttp } from '../security/guarded-http.js';

export interface OutboundLimits {
  /** The deadline for the whole exchange, from connecting to the last byte read. */
  readonly timeoutMs: number;
  /** Read at most this much of the answer; the rest is dropped with the connection. */
  readonly maxResponseBytes: number;
}

export const OUTBOUND_DEFAULTS: OutboundLimits = { timeoutMs: 5_000, maxResponseBytes: 64 * 1024 };

/** How much of an answer is kept for people to read in the delivery log. */
const EXCERPT_CHARS = 256;

export type OutboundResult =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly durationMs: number;
      /** The start of the answer, numbers masked (receivers sometimes echo what they got). */
      readonly excerpt: string;
      readonly retryAfter: string | undefined;
    }
  | {
      readonly kind: 'timeout' | 'network' | 'refused';
      readonly durationMs: number;
      readonly error: string;
    };

const USER_AGENT = 'Herald-Webhooks/1';

export async function postJson(
  outbound: OutboundHttp,
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  limits: OutboundLimits = OUTBOUND_DEFAULTS,
): Promise<OutboundResult> {
  const checked = checkWebhookUrl(url);
  if (!checked.ok) return { kind: 'refused', durationMs: 0, error: `url_${checked.problem}` };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await outbound.request({
      url: checked.url,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body,
      timeoutMs: limits.timeoutMs,
      connectTimeoutMs: limits.timeoutMs,
      maxResponseBytes: limits.maxResponseBytes,
    });
    return {
      kind: 'response',
      status: answer.status,
      durationMs: elapsed(),
      excerpt: redactPhones(answer.body.toString('utf8').slice(0, EXCERPT_CHARS)),
      retryAfter: header(answer.headers['retry-after']),
    };
  } catch (err) {
    const error = err as NodeJS.ErrnoException;
    if (isOutboundRefused(err)) {
      return { kind: 'refused', durationMs: elapsed(), error: `${err.problem}:${err.range ?? ''}` };
    }
    if (error.name === 'TimeoutError') {
      return {
        kind: 'timeout',
        durationMs: elapsed(),
        error: `no answer in ${limits.timeoutMs} ms`,
      };
    }
    return { kind: 'network', durationMs: elapsed(), error: error.code ?? error.message };
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
