/**
 * The one door for HTTP calls to addresses that customers configure (webhook endpoints). Every
 * such call goes through `postJson`, so the SSRF rules of issue 8 (resolve the host, refuse
 * loopback, private, link-local and metadata addresses unless an admin allows the host, before
 * any connection) are added here once: the `lookup` hook below is where the resolved address
 * will be checked.
 *
 * Already enforced: only http(s), no credentials in the URL, a deadline on the whole exchange
 * (connect, send, answer), at most `maxResponseBytes` of the answer read, no redirect followed
 * (node:http never follows one; a 3xx is just an answer).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookUrl } from '../core/webhooks.js';
import { redactPhones } from '../core/redact.js';

export interface OutboundLimits {
  /** The deadline for the whole exchange, from connecting to the last byte read. */
  readonly timeoutMs: number;
  /** Read at most this much of the answer; the rest is dropped with the connection. */
  readonly maxResponseBytes: number;
  /** Name resolution for the connection (issue 8 puts its address check here). */
  readonly lookup?: LookupFunction;
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
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  limits: OutboundLimits = OUTBOUND_DEFAULTS,
): Promise<OutboundResult> {
  const checked = checkWebhookUrl(url);
  if (!checked.ok) return { kind: 'refused', durationMs: 0, error: `url_${checked.problem}` };
  const target = new URL(checked.url);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const payload = Buffer.from(body, 'utf8');

  return new Promise<OutboundResult>((resolve) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    const finish = (result: OutboundResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const deadline = setTimeout(() => {
      finish({
        kind: 'timeout',
        durationMs: elapsed(),
        error: `no answer in ${limits.timeoutMs} ms`,
      });
      request?.destroy();
    }, limits.timeoutMs);
    try {
      request = (target.protocol === 'https:' ? https : http).request(target, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(payload.length),
          'user-agent': USER_AGENT,
        },
        ...(limits.lookup ? { lookup: limits.lookup } : {}),
      });
    } catch (err) {
      // A request that cannot even be made (a header Node refuses) is an answer, not a crash.
      finish({ kind: 'refused', durationMs: 0, error: (err as Error).message });
      return;
    }

    request.on('error', (err: NodeJS.ErrnoException) => {
      finish({ kind: 'network', durationMs: elapsed(), error: err.code ?? err.message });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () =>
        finish({
          kind: 'response',
          status: response.statusCode ?? 0,
          durationMs: elapsed(),
          excerpt: redactPhones(Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS)),
          retryAfter: header(response.headers['retry-after']),
        });
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = limits.maxResponseBytes - read;
        chunks.push(chunk.subarray(0, Math.max(0, room)));
        read += chunk.length;
        // Enough: the status is what counts; a receiver that streams forever is cut off here.
        if (read >= limits.maxResponseBytes) {
          done();
          response.destroy();
        }
      });
      response.on('end', done);
      // The status line arrived: a connection dropped while reading the rest still answered.
      response.on('error', done);
      response.on('aborted', done);
    });
    request.end(payload);
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
