/**
 * The statistics of an A/B/n test (docs/experiments.md): which variant, if any, has a higher
 * rate (clicks or conversions per message sent) than every other, beyond chance.
 *
 * Method: the leader (highest observed rate) is compared with each other variant by a two-sided
 * pooled two-proportion z-test; the k−1 p-values are adjusted with Holm's step-down correction
 * (family-wise error rate ≤ α over the comparisons); the leader wins when every adjusted p-value
 * is below α. Each rate carries a Wilson score interval, and each difference from the leader a
 * Wald (unpooled) interval, both at the level 1−α. A variant with too few messages or events for
 * the normal approximation (fewer than `minSample` messages, or fewer than 5 events or non-events
 * expected) makes the test inconclusive: the configured default is sent.
 *
 * @example
 *   compareVariants([{ key: 'A', trials: 1000, successes: 120 }, { key: 'B', trials: 1000, successes: 80 }]);
 *   // { outcome: 'winner', winner: 'A', ... comparisons: [{ against: 'B', pValue: 0.002869..., ... }] }
 */
import { errorFunction } from 'simple-statistics';

export interface VariantTally {
  readonly key: string;
  /** Messages of the variant in the test (the denominator). */
  readonly trials: number;
  /** Contacts among them who clicked (or converted). */
  readonly successes: number;
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface VariantResult extends VariantTally {
  readonly rate: number;
  readonly interval: Interval;
}

export interface Comparison {
  /** The variant the leader is compared with. */
  readonly against: string;
  /** Leader's rate minus this variant's, with its interval. */
  readonly difference: number;
  readonly differenceInterval: Interval;
  readonly z: number;
  readonly pValue: number;
  /** Holm-adjusted p-value. */
  readonly adjustedP: number;
  readonly significant: boolean;
}

export const TEST_OUTCOMES = ['winner', 'not_significant', 'insufficient_data'] as const;
export type TestOutcome = (typeof TEST_OUTCOMES)[number];

export interface TestResult {
  readonly outcome: TestOutcome;
  /** The significant winner; null otherwise. */
  readonly winner: string | null;
  readonly leader: string | null;
  readonly alpha: number;
  readonly variants: readonly VariantResult[];
  readonly comparisons: readonly Comparison[];
}

export interface TestOptions {
  /** Family-wise significance level. Default 0.05 (95 % intervals). */
  readonly alpha?: number;
  /** Fewest messages per variant before any verdict. Default 30. */
  readonly minSample?: number;
}

export const TEST_DEFAULTS = { alpha: 0.05, minSample: 30 } as const;

/** Standard normal cumulative distribution. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/**
 * The standard normal quantile (Acklam's rational approximation refined by one Halley step;
 * simple-statistics' `probit` is only good to two decimals).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  const a = [-39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269];
  const a2 = [-30.6647980661472, 2.50662827745924];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197];
  const b2 = -13.2806815528857;
  const c = [-0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373];
  const c2 = [4.37466414146497, 2.93816398269878];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c2[0]!) * q + c2[1]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  let x: number;
  if (p < 0.02425) x = tail(Math.sqrt(-2 * Math.log(p)));
  else if (p > 1 - 0.02425) x = -tail(Math.sqrt(-2 * Math.log(1 - p)));
  else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a2[0]!) * r + a2[1]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b2) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * Wilson score interval of a proportion.
 *
 * @example
 *   wilsonInterval(81, 263, 0.05); // { low: 0.2553..., high: 0.3662... }
 */
export function wilsonInterval(successes: number, trials: number, alpha = 0.05): Interval {
  if (trials === 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - alpha / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Two-sided pooled two-proportion z-test of x1/n1 against x2/n2.
 *
 * @example
 *   twoProportionZTest(120, 1000, 80, 1000); // { z: 2.9814..., pValue: 0.002869... }
 */
export function twoProportionZTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): { z: number; pValue: number } {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}

/**
 * Holm's step-down adjusted p-values, in the order given.
 *
 * @example
 *   holmAdjust([0.01, 0.04, 0.03, 0.005]); // [0.03, 0.06, 0.06, 0.02]
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

function differenceInterval(a: VariantTally, b: VariantTally, alpha: number): Interval {
  const z = normalQuantile(1 - alpha / 2);
  const pa = a.successes / a.trials;
  const pb = b.successes / b.trials;
  const se = Math.sqrt((pa * (1 - pa)) / a.trials + (pb * (1 - pb)) / b.trials);
  return { low: pa - pb - z * se, high: pa - pb + z * se };
}

function enoughData(v: VariantTally, pooledRate: number, minSample: number): boolean {
  return v.trials >= minSample && v.trials * pooledRate >= 5 && v.trials * (1 - pooledRate) >= 5;
}

/**
 * Compares two or more variants (see the module comment). Ties for the lead go to the variant
 * listed first (put the default first to favour it).
 */
export function compareVariants(
  tallies: readonly VariantTally[],
  options: TestOptions = {},
): TestResult {
  const alpha = options.alpha ?? TEST_DEFAULTS.alpha;
  const minSample = options.minSample ?? TEST_DEFAULTS.minSample;
  const variants: VariantResult[] = tallies.map((t) => ({
    ...t,
    rate: t.trials === 0 ? 0 : t.successes / t.trials,
    interval: wilsonInterval(t.successes, t.trials, alpha),
  }));
  if (variants.length < 2) {
    return {
      outcome: 'insufficient_data',
      winner: null,
      leader: null,
      alpha,
      variants,
      comparisons: [],
    };
  }
  const leader = variants.reduce((best, v) => (v.rate > best.rate ? v : best));
  const totalTrials = variants.reduce((s, v) => s + v.trials, 0);
  const pooledRate =
    totalTrials === 0 ? 0 : variants.reduce((s, v) => s + v.successes, 0) / totalTrials;
  const others = variants.filter((v) => v !== leader);
  const tests = others.map((o) => ({
    o,
    ...(o.trials > 0 && leader.trials > 0
      ? twoProportionZTest(leader.successes, leader.trials, o.successes, o.trials)
      : { z: 0, pValue: 1 }),
  }));
  const adjusted = holmAdjust(tests.map((t) => t.pValue));
  const comparisons: Comparison[] = tests.map((t, i) => ({
    against: t.o.key,
    difference: leader.rate - t.o.rate,
    differenceInterval:
      t.o.trials > 0 && leader.trials > 0
        ? differenceInterval(leader, t.o, alpha)
        : { low: -1, high: 1 },
    z: t.z,
    pValue: t.pValue,
    adjustedP: adjusted[i]!,
    significant: adjusted[i]! < alpha,
  }));
  if (!variants.every((v) => enoughData(v, pooledRate, minSample))) {
    return {
      outcome: 'insufficient_data',
      winner: null,
      leader: leader.key,
      alpha,
      variants,
      comparisons,
    };
  }
  const wins = comparisons.every((c) => c.significant && c.difference > 0);
  return {
    outcome: wins ? 'winner' : 'not_significant',
    winner: wins ? leader.key : null,
    leader: leader.key,
    alpha,
    variants,
    comparisons,
  };
}
