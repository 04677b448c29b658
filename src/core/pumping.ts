/**
 * SMS pumping defence, the pure decision (issue 8). Fraudsters type premium-rate numbers into a
 * public form that sends SMS (double opt-in, one-time codes) and share the carrier's termination
 * fee. Before Herald sends such a message it asks `decidePumping` with what the store counted:
 *
 * - the destination country must be on the allow list of that kind of traffic (geo-permissions;
 *   by default the countries Herald has a policy pack for);
 * - sliding-window limits per number, per IP, per number prefix and per country;
 * - bursts: consecutive numbers (…01, …02, …03) or many numbers of one small block in minutes;
 * - a daily spend cap on this traffic, priced per segment and country.
 *
 * Counts come from the store (they hold across processes); time and prices are parameters.
 */
import { getCountries } from 'libphonenumber-js/max';
import { packIdForCountry } from './policy/resolve.js';

/** Sends a stranger can cause by typing a number. */
export const STRANGER_SEND_KINDS = ['double_opt_in', 'one_time_code'] as const;
export type StrangerSendKind = (typeof STRANGER_SEND_KINDS)[number];

export const PUMPING_REASONS = [
  'country_not_allowed',
  'spend_cap',
  'number_limit',
  'ip_limit',
  'consecutive_burst',
  'prefix_burst',
  'prefix_limit',
  'country_limit',
] as const;
export type PumpingReason = (typeof PUMPING_REASONS)[number];

export interface WindowLimit {
  readonly max: number;
  readonly windowSeconds: number;
}

export interface PumpingLimits {
  readonly perNumber: WindowLimit;
  readonly perIp: WindowLimit;
  /** Numbers sharing all but their last `prefixDigits` digits. */
  readonly perPrefix: WindowLimit;
  readonly prefixDigits: number;
  readonly perCountry: WindowLimit;
  readonly burst: {
    readonly windowSeconds: number;
    /** Numbers sharing all but their last `blockDigits` digits form a block. */
    readonly blockDigits: number;
    /** This many consecutive numbers (…41, …42, …43) in one block within the window: a burst. */
    readonly consecutiveRun: number;
    /** More distinct numbers of one block than this within the window: a burst too. */
    readonly blockMax: number;
  };
  /** The most this traffic may cost per UTC day, in the prices' currency; null: no cap. */
  readonly dailySpendCap: number | null;
  /** Price of one segment, per destination country (ISO alpha-2), else `default`. */
  readonly prices: {
    readonly default: number;
    readonly countries: Readonly<Record<string, number>>;
  };
}

export const DEFAULT_PUMPING_LIMITS: PumpingLimits = {
  perNumber: { max: 3, windowSeconds: 86_400 },
  perIp: { max: 20, windowSeconds: 3_600 },
  perPrefix: { max: 10, windowSeconds: 3_600 },
  prefixDigits: 4,
  perCountry: { max: 500, windowSeconds: 3_600 },
  burst: { windowSeconds: 600, blockDigits: 2, consecutiveRun: 3, blockMax: 5 },
  dailySpendCap: 50,
  prices: { default: 0.05, countries: {} },
};

/** One attempt to send to a number a stranger typed. */
export interface PumpingAttempt {
  readonly kind: StrangerSendKind;
  readonly e164: string;
  /** ISO alpha-2 of the number. */
  readonly country: string;
  /** Segments of the message that would go out. */
  readonly segments: number;
}

/**
 * What the store counted for this attempt's keys (sends that went ahead, whatever became of
 * them), each over its limit's window ending now.
 */
export interface PumpingHistory {
  readonly number: number;
  readonly ip: number;
  readonly prefix: number;
  readonly country: number;
  /** Last digits (the tail) of the distinct other numbers of this block, in the burst window. */
  readonly blockTails: readonly number[];
  /** Cost of this traffic since the start of the UTC day. */
  readonly spentToday: number;
}

export type PumpingDecision =
  | { readonly allowed: true; readonly cost: number }
  | {
      readonly allowed: false;
      readonly reason: PumpingReason;
      /** When trying again could succeed; null when it cannot (a country not allowed). */
      readonly retryAfterSeconds: number | null;
    };

/** The keys under which attempts are counted: never the number itself beyond its blind index. */
export interface PumpingKeys {
  /** All but the last `prefixDigits` digits, e.g. '+8613800' for +8613800138000 and 6 digits. */
  readonly prefix: string;
  /** All but the last `blockDigits` digits. */
  readonly block: string;
  /** The last `blockDigits` digits as a number. */
  readonly tail: number;
}

/**
 * @example
 *   pumpingKeys('+14155550163', DEFAULT_PUMPING_LIMITS)
 *   // { prefix: '+1415555', block: '+141555501', tail: 63 }
 */
export function pumpingKeys(e164: string, limits: PumpingLimits): PumpingKeys {
  const blockDigits = limits.burst.blockDigits;
  return {
    prefix: e164.slice(0, e164.length - limits.prefixDigits),
    block: e164.slice(0, e164.length - blockDigits),
    tail: Number(e164.slice(e164.length - blockDigits)),
  };
}

/**
 * The countries allowed by default: those with a policy pack of their own (the EU pack covers
 * the EU and EEA), so Herald never sends where nobody decided the rules.
 *
 * @example
 *   defaultAllowedCountries().includes('CN') // true
 *   defaultAllowedCountries().includes('SL') // false (Sierra Leone: the default pack)
 */
export function defaultAllowedCountries(): string[] {
  return getCountries()
    .filter((c) => packIdForCountry(c) !== 'default')
    .sort();
}

/** The price of one segment to a country. @example segmentPrice('CN', limits) // 0.05 */
export function segmentPrice(country: string, limits: PumpingLimits): number {
  return limits.prices.countries[country.toUpperCase()] ?? limits.prices.default;
}

/**
 * The longest run of consecutive tails that contains `tail`, counting it.
 *
 * @example
 *   consecutiveRunWith(43, [41, 42, 50]) // 3
 *   consecutiveRunWith(43, [45])         // 1
 */
export function consecutiveRunWith(tail: number, others: readonly number[]): number {
  const seen = new Set(others);
  let run = 1;
  for (let t = tail - 1; seen.has(t); t--) run++;
  for (let t = tail + 1; seen.has(t); t++) run++;
  return run;
}

function secondsToNextUtcDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((next - now.getTime()) / 1000);
}

/**
 * Whether a send a stranger asked for may go ahead. The first rule that refuses names the reason.
 *
 * @example
 *   decidePumping(
 *     { kind: 'double_opt_in', e164: '+23276123456', country: 'SL', segments: 1 },
 *     history, { allowedCountries: ['CN', 'US'], limits: DEFAULT_PUMPING_LIMITS, now })
 *   // { allowed: false, reason: 'country_not_allowed', retryAfterSeconds: null }
 */
export function decidePumping(
  attempt: PumpingAttempt,
  history: PumpingHistory,
  rules: {
    readonly allowedCountries: readonly string[];
    readonly limits: PumpingLimits;
    readonly now: Date;
  },
): PumpingDecision {
  const { limits } = rules;
  const refuse = (reason: PumpingReason, retryAfterSeconds: number | null): PumpingDecision => ({
    allowed: false,
    reason,
    retryAfterSeconds,
  });
  const country = attempt.country.toUpperCase();
  if (!rules.allowedCountries.includes(country)) return refuse('country_not_allowed', null);
  const cost = segmentPrice(country, limits) * Math.max(1, attempt.segments);
  if (limits.dailySpendCap !== null && history.spentToday + cost > limits.dailySpendCap + 1e-9) {
    return refuse('spend_cap', secondsToNextUtcDay(rules.now));
  }
  const windows: [PumpingReason, number, WindowLimit][] = [
    ['number_limit', history.number, limits.perNumber],
    ['ip_limit', history.ip, limits.perIp],
  ];
  for (const [reason, count, limit] of windows) {
    if (count >= limit.max) return refuse(reason, limit.windowSeconds);
  }
  const { tail } = pumpingKeys(attempt.e164, limits);
  const burst = limits.burst;
  if (consecutiveRunWith(tail, history.blockTails) >= burst.consecutiveRun) {
    return refuse('consecutive_burst', burst.windowSeconds);
  }
  if (new Set(history.blockTails).size + 1 > burst.blockMax) {
    return refuse('prefix_burst', burst.windowSeconds);
  }
  const wide: [PumpingReason, number, WindowLimit][] = [
    ['prefix_limit', history.prefix, limits.perPrefix],
    ['country_limit', history.country, limits.perCountry],
  ];
  for (const [reason, count, limit] of wide) {
    if (count >= limit.max) return refuse(reason, limit.windowSeconds);
  }
  return { allowed: true, cost };
}
