/**
 * The guarded HTTP client: the one way Herald calls out (webhook receivers, carrier APIs). It
 * enforces issue 8's SSRF rules at the moment of connecting:
 *
 * - the URL passes `checkOutboundUrl` (http(s) only, no credentials, no refused address literal
 *   or metadata name) before anything else happens;
 * - a name is resolved by the socket's `lookup` hook, every address it resolves to is checked
 *   with `classifyAddress`, and the socket connects to the address that was checked: there is no
 *   second resolution a DNS-rebinding server could answer differently;
 * - redirects are never followed (node:http does not; a 3xx is just an answer);
 * - a connect deadline, a deadline for the whole exchange, and a cap on the answer's size.
 *
 * Hosts an admin allowed by name (`HERALD_OUTBOUND_ALLOW_HOSTS`) skip the address rules.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  checkOutboundUrl,
  classifyAddress,
  type OutboundUrlProblem,
  type RefusedRange,
} from '../core/outbound-address.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Name resolution; the system resolver unless a test gives its own. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface OutboundPolicy {
  /** Hosts an admin allowed by name: no address rule applies to them. */
  readonly allowedHosts: readonly string[];
  readonly resolve?: Resolver;
}

export interface GuardedRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Until the connection is up. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** For the whole exchange, from connecting to the last byte read. Default 10 s. */
  readonly timeoutMs?: number;
  /** Read at most this much of the answer; `truncated` says the rest was dropped. Default 1 MiB. */
  readonly maxResponseBytes?: number;
  readonly signal?: AbortSignal;
}

export interface GuardedResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly truncated: boolean;
}

export const GUARDED_DEFAULTS = {
  connectTimeoutMs: 5_000,
  timeoutMs: 10_000,
  maxResponseBytes: 1024 * 1024,
} as const;

/** A call refused before any connection: the URL's shape, or an address the rules refuse. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
  constructor(
    readonly problem: OutboundUrlProblem,
    readonly range?: RefusedRange | 'refused_name',
  ) {
    super(`outbound call refused: ${problem}${range ? ` (${range})` : ''}`);
  }
}

/** The name `transportFailure` and fetch callers know a timeout by. */
class OutboundTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export function isOutboundRefused(err: unknown): err is OutboundRefusedError {
  return err instanceof OutboundRefusedError;
}

/** The subset of fetch the carriers use; answers are real `Response` objects. */
export type OutboundFetch = (
  url: string,
  init?: {
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly signal?: AbortSignal;
  },
) => Promise<Response>;

export interface OutboundHttp {
  readonly allowedHosts: readonly string[];
  request(request: GuardedRequest): Promise<GuardedResponse>;
  /** `fetch` through the guard; an answer over the size cap is an error here. */
  readonly fetch: OutboundFetch;
  close(): void;
}

const systemResolver: Resolver = async (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * The socket's name resolution: resolve once, refuse if any address is refused (a name with one
 * private address among public ones is a rebinding trick), hand the checked addresses to the
 * socket, which connects to one of them.
 */
function guardedLookup(resolve: Resolver, checkAddresses: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = found.filter((a) => family === 0 || a.family === family);
        if (checkAddresses) {
          for (const a of addresses) {
            const c = classifyAddress(a.address);
            if (!c.allowed) {
              callback(new OutboundRefusedError('refused_address', c.range), '', 0);
              return;
            }
          }
        }
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, '', 0);
          return;
        }
        if (options.all)
          callback(
            null,
            addresses.map((a) => ({ ...a })),
          );
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * @example
 *   const outbound = createOutboundHttp({ allowedHosts: config.outboundAllowHosts });
 *   const answer = await outbound.request({ url, method: 'POST', body, timeoutMs: 5_000 });
 */
export function createOutboundHttp(policy: OutboundPolicy): OutboundHttp {
  const allowedHosts = Object.freeze([...policy.allowedHosts]);
  const resolve = policy.resolve ?? systemResolver;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  const guardedLookups = {
    checked: guardedLookup(resolve, true),
    allowed: guardedLookup(resolve, false),
  };

  function request(req: GuardedRequest): Promise<GuardedResponse> {
    const checked = checkOutboundUrl(req.url, allowedHosts);
    if (!checked.ok)
      return Promise.reject(new OutboundRefusedError(checked.problem, checked.range));
    const target = new URL(checked.url);
    const protocol = target.protocol as 'http:' | 'https:';
    const maxBytes = req.maxResponseBytes ?? GUARDED_DEFAULTS.maxResponseBytes;
    const payload = req.body === undefined ? undefined : Buffer.from(req.body);

    return new Promise<GuardedResponse>((resolvePromise, reject) => {
      let settled = false;
      let outgoing: http.ClientRequest | undefined;
      const timers: NodeJS.Timeout[] = [];
      const finish = (err: Error | null, value?: GuardedResponse) => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (err) {
          outgoing?.destroy();
          reject(err);
        } else resolvePromise(value!);
      };
      const onAbort = () => {
        const reason: unknown = req.signal?.reason;
        finish(reason instanceof Error ? reason : new OutboundTimeoutError('aborted'));
      };
      if (req.signal?.aborted) return onAbort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const timeoutMs = req.timeoutMs ?? GUARDED_DEFAULTS.timeoutMs;
      timers.push(
        setTimeout(
          () => finish(new OutboundTimeoutError(`no complete answer in ${timeoutMs} ms`)),
          timeoutMs,
        ),
      );
      try {
        outgoing = (protocol === 'https:' ? https : http).request(target, {
          method: req.method ?? 'GET',
          headers: {
            ...req.headers,
            ...(payload ? { 'content-length': String(payload.length) } : {}),
          },
          agent: agents[protocol],
          lookup: checked.adminAllowed ? guardedLookups.allowed : guardedLookups.checked,
        });
      } catch (err) {
        // A request that cannot even be made (a header Node refuses) is an answer, not a crash.
        return finish(err as Error);
      }
      const connectMs = req.connectTimeoutMs ?? GUARDED_DEFAULTS.connectTimeoutMs;
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => finish(new OutboundTimeoutError(`no connection in ${connectMs} ms`)),
          connectMs,
        );
        timers.push(timer);
        socket.once('connect', () => clearTimeout(timer));
      });
      outgoing.on('error', (err) => finish(err));
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        let read = 0;
        const done = (truncated: boolean) =>
          finish(null, {
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
            truncated,
          });
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          const room = maxBytes - read;
          chunks.push(chunk.subarray(0, Math.max(0, room)));
          read += chunk.length;
          // Enough: a peer that streams forever is cut off here.
          if (read > maxBytes) {
            done(true);
            response.destroy();
          }
        });
        response.on('end', () => done(false));
        // The status line arrived: a connection dropped while reading the rest still answered
        // (cut short, so `truncated`).
        response.on('error', () => done(true));
        response.on('aborted', () => done(true));
      });
      outgoing.end(payload);
    });
  }

  const guardedFetch: OutboundFetch = async (url, init = {}) => {
    const answer = await request({
      url,
      ...(init.method ? { method: init.method } : {}),
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      // The caller's signal carries its deadline; the guard's own is only a backstop then.
      ...(init.signal ? { signal: init.signal, timeoutMs: 60_000 } : {}),
    });
    if (answer.truncated) {
      throw new Error(`answer larger than ${GUARDED_DEFAULTS.maxResponseBytes} bytes`);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const v of Array.isArray(value) ? value : [value ?? '']) headers.append(name, v);
    }
    const noBody = [204, 205, 304].includes(answer.status);
    if (answer.status < 200 || answer.status > 599) {
      throw new Error(`unusable HTTP status ${answer.status}`);
    }
    return new Response(noBody ? null : answer.body, { status: answer.status, headers });
  };

  return {
    allowedHosts,
    request,
    fetch: guardedFetch,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
