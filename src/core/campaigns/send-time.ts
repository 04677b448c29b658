/**
 * The send-time model: at which local hour is a person most likely to engage? Their own
 * engagement (clicks, replies) counted by local hour, shrunk towards a prior. The prior mixes
 * the pack's good windows (before work, lunch, evening: where people read texts when nothing
 * else is known) with the segment's behaviour (the hours the campaign's audience engages),
 * trusting the segment more as its evidence grows.
 *
 * The estimate for hour h is the posterior mean of a Dirichlet-multinomial:
 *   p(h) = (n_h + α · prior_h) / (N + α)
 * with α = `priorStrength` (8) pseudo-engagements: one click at 15:00 does not outweigh the prior,
 * five at 19:00 do. The best hour is the largest p(h) among the hours allowed (the window);
 * ties go to the earlier hour.
 *
 * @example
 *   const prior = hourPrior({ goodWindows: GOOD_WINDOWS });
 *   bestHour(histogramOf([19, 19, 19, 19, 19, 20]), prior, { hours: windowHoursOf(9, 21) }).hour; // 19
 */
import { DateTime } from 'luxon';
import type { LocalWindow } from '../policy/policy-pack.js';
import { parseClock } from '../policy/time.js';

export const HOURS_PER_DAY = 24;

/** Engagements per local hour, index 0 = 00:00–00:59. */
export type HourHistogram = readonly number[];

export const SEND_TIME_DEFAULTS = {
  /** Pseudo-engagements the prior is worth against a person's own history. */
  priorStrength: 8,
  /** Segment engagements at which the segment and the good windows weigh the same. */
  segmentHalfWeight: 50,
  /** Share of the good-window prior spread evenly over all hours (nobody is certain). */
  floor: 0.1,
} as const;

export function emptyHistogram(): number[] {
  return new Array<number>(HOURS_PER_DAY).fill(0);
}

/** A histogram of local hours. @example histogramOf([8, 8, 20])[8] // 2 */
export function histogramOf(hours: Iterable<number>): number[] {
  const h = emptyHistogram();
  for (const hour of hours) if (hour >= 0 && hour < HOURS_PER_DAY) h[Math.floor(hour)]! += 1;
  return h;
}

/** The local hour of an instant in a zone. @example localHour(Date.UTC(2030,0,1,12), 'Asia/Shanghai') // 20 */
export function localHour(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).hour;
}

function normalise(h: readonly number[]): number[] {
  const total = h.reduce((a, b) => a + b, 0);
  return total > 0 ? h.map((x) => x / total) : h.map(() => 1 / HOURS_PER_DAY);
}

/** The good windows as a distribution over hours: each hour weighted by the minutes it covers. */
export function goodWindowDistribution(windows: readonly LocalWindow[], floor: number): number[] {
  const minutes = emptyHistogram();
  for (const w of windows) {
    const start = parseClock(w.start);
    const end = parseClock(w.end);
    for (let m = start; m < end; m++) minutes[Math.floor(m / 60)]! += 1;
  }
  const shaped = normalise(minutes);
  return shaped.map((p) => (1 - floor) * p + floor / HOURS_PER_DAY);
}

export interface PriorInput {
  readonly goodWindows: readonly LocalWindow[];
  /** The segment's engagements by local hour (all its contacts together), if known. */
  readonly segment?: HourHistogram;
  readonly segmentHalfWeight?: number;
  readonly floor?: number;
}

/** The prior over hours (sums to 1): good windows, pulled towards the segment's behaviour. */
export function hourPrior(input: PriorInput): number[] {
  const good = goodWindowDistribution(input.goodWindows, input.floor ?? SEND_TIME_DEFAULTS.floor);
  const seg = input.segment;
  const n = seg ? seg.reduce((a, b) => a + b, 0) : 0;
  if (!seg || n === 0) return good;
  const half = input.segmentHalfWeight ?? SEND_TIME_DEFAULTS.segmentHalfWeight;
  const w = n / (n + half);
  const segDist = normalise(seg);
  return good.map((g, h) => (1 - w) * g + w * segDist[h]!);
}

export interface BestHourOptions {
  /** The local hours allowed (the campaign's window); default every hour. */
  readonly hours?: readonly number[];
  readonly priorStrength?: number;
}

export interface BestHour {
  readonly hour: number;
  /** The estimated share of the person's engagement in that hour. */
  readonly score: number;
  /** Engagements of the person the estimate rests on. */
  readonly evidence: number;
}

/** The person's best hour among the allowed ones (see the module comment). */
export function bestHour(
  person: HourHistogram,
  prior: readonly number[],
  opts: BestHourOptions = {},
): BestHour {
  const alpha = opts.priorStrength ?? SEND_TIME_DEFAULTS.priorStrength;
  const hours = opts.hours ?? [...Array(HOURS_PER_DAY).keys()];
  const n = person.reduce((a, b) => a + b, 0);
  let best = { hour: hours[0] ?? 0, score: -1, evidence: n };
  for (const h of hours) {
    const score = ((person[h] ?? 0) + alpha * (prior[h] ?? 0)) / (n + alpha);
    if (score > best.score + 1e-12) best = { hour: h, score, evidence: n };
  }
  return best;
}
