/**
 * Rate limits as token buckets, one per carrier and one per sender (messages per second, with a
 * burst). A message takes one token from its carrier's bucket and one from its sender's; when
 * either is empty it waits until both have one, and the wait is logged (at most once a second
 * per bucket, so a long throttle does not flood the log).
 *
 * The buckets live in the process: with several workers, each holds its own, so a carrier's rate
 * is the sum over the workers (configure the per-worker share).
 */
import type { Logger } from '../logger.js';
import type { RateLimit } from './routing-config.js';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.last = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
    this.last = Math.max(this.last, now);
  }

  /** Milliseconds until a token is there (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
}

export interface BucketStats {
  taken: number;
  /** Times a message had to wait for this bucket, and for how long in all. */
  throttled: number;
  waitedMs: number;
}

export interface RateLimiter {
  /** Waits until the carrier's and the sender's buckets both have a token, takes them. */
  acquire(carrier: string, sender: string | undefined): Promise<void>;
  stats(): Readonly<Record<string, BucketStats>>;
}

export interface RateLimiterOptions {
  readonly carriers: Readonly<Record<string, RateLimit>>;
  readonly senders: Readonly<Record<string, RateLimit>>;
  readonly logger: Logger;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const LOG_EVERY_MS = 1000;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const clock = options.clock ?? (() => Date.now());
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const buckets = new Map<string, TokenBucket>();
  const stats = new Map<string, BucketStats>();
  const lastLogged = new Map<string, number>();

  const bucket = (key: string, limit: RateLimit | undefined): TokenBucket | null => {
    if (!limit) return null;
    let b = buckets.get(key);
    if (!b) {
      b = new TokenBucket(limit, clock());
      buckets.set(key, b);
    }
    return b;
  };
  const statsOf = (key: string): BucketStats => {
    let s = stats.get(key);
    if (!s) stats.set(key, (s = { taken: 0, throttled: 0, waitedMs: 0 }));
    return s;
  };
  const noteWait = (key: string, limit: RateLimit, ms: number, now: number) => {
    const s = statsOf(key);
    s.throttled += 1;
    s.waitedMs += ms;
    if (now - (lastLogged.get(key) ?? -Infinity) < LOG_EVERY_MS) return;
    lastLogged.set(key, now);
    options.logger.info(
      { bucket: key, perSecond: limit.perSecond, waitMs: ms, throttledSoFar: s.throttled },
      'throttled by rate limit',
    );
  };

  return {
    async acquire(carrier, sender) {
      const keyed = [
        [`carrier:${carrier}`, options.carriers[carrier]],
        [`sender:${sender ?? ''}`, sender === undefined ? undefined : options.senders[sender]],
      ] as const;
      const limited = keyed
        .map(([key, limit]) => ({ key, limit, bucket: bucket(key, limit) }))
        .filter((k) => k.bucket !== null);
      if (limited.length === 0) return;
      for (;;) {
        const now = clock();
        let wait = 0;
        for (const k of limited) {
          const ms = k.bucket!.waitMs(now);
          if (ms > 0) noteWait(k.key, k.limit!, ms, now);
          wait = Math.max(wait, ms);
        }
        if (wait === 0) {
          // Both checked and taken in one synchronous step: no other waiter slips in between.
          for (const k of limited) {
            k.bucket!.take(now);
            statsOf(k.key).taken += 1;
          }
          return;
        }
        await sleep(wait);
      }
    },
    stats: () => Object.fromEntries([...stats].map(([k, v]) => [k, { ...v }])),
  };
}
