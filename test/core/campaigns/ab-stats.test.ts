/**
 * The A/B statistics against values computed independently (SciPy 1.17: `norm.ppf`, `norm.sf`,
 * `binomtest(...).proportion_ci(method='wilson')`; Holm by hand), and the verdicts a marketer
 * relies on: a clear difference wins, a small one does not, too little data never does.
 */
import { describe, expect, it } from 'vitest';
import {
  compareVariants,
  holmAdjust,
  normalCdf,
  normalQuantile,
  twoProportionZTest,
  wilsonInterval,
} from '../../../src/core/campaigns/ab-stats.js';

describe('normal distribution', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.5758293035489004],
    [0.95, 1.6448536269514722],
    [0.001, -3.090232306167813],
    [0.9999, 3.719016485455709],
  ])('quantile(%f) = %f', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });

  it.each([
    [1.0, 0.8413447460685429],
    [-2.5, 0.006209665325776132],
    [0, 0.5],
  ])('cdf(%f) = %f', (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 6);
  });
});

describe('two-proportion z-test (pooled, two-sided)', () => {
  it.each([
    [120, 1000, 80, 1000, 2.9814239699997187, 0.0028691127920766196],
    [45, 500, 30, 500, 1.8009006755629924, 0.07171853650843411],
    [200, 2000, 180, 2000, 1.0784844998962346, 0.2808175953087627],
    [17, 150, 5, 150, 2.657713332352708, 0.007867278081463945],
  ])('%i/%i vs %i/%i', (x1, n1, x2, n2, z, p) => {
    const r = twoProportionZTest(x1, n1, x2, n2);
    expect(r.z).toBeCloseTo(z, 6);
    expect(r.pValue).toBeCloseTo(p, 6);
  });

  it('is symmetric and gives p = 1 when nothing happened', () => {
    expect(twoProportionZTest(80, 1000, 120, 1000).z).toBeCloseTo(-2.9814239699997187, 6);
    expect(twoProportionZTest(0, 100, 0, 100)).toEqual({ z: 0, pValue: 1 });
  });
});

describe('Wilson score interval', () => {
  it.each([
    [81, 263, 0.05, 0.2552885198782742, 0.36620957698280004],
    [81, 263, 0.01, 0.24013690268760768, 0.3852825023182298],
    [0, 10, 0.05, 0, 0.27753279986288926],
    [10, 10, 0.05, 0.7224672001371109, 1],
    [120, 1000, 0.05, 0.10129926060130914, 0.14160907584771276],
    [5, 40, 0.05, 0.05459500250945404, 0.26112119838851094],
  ])('%i/%i at alpha %f', (x, n, alpha, low, high) => {
    const ci = wilsonInterval(x, n, alpha);
    expect(ci.low).toBeCloseTo(low, 6);
    expect(ci.high).toBeCloseTo(high, 6);
  });

  it('knows nothing without trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('Holm correction', () => {
  it.each([
    [
      [0.01, 0.04, 0.03, 0.005],
      [0.03, 0.06, 0.06, 0.02],
    ],
    [[0.2], [0.2]],
    [
      [0.6, 0.01],
      [0.6, 0.02],
    ],
    [
      [0.5, 0.4, 0.3],
      [0.9, 0.9, 0.9],
    ],
  ])('%j -> %j', (p, adjusted) => {
    holmAdjust(p).forEach((v, i) => expect(v).toBeCloseTo(adjusted[i]!, 10));
  });
});

describe('comparing variants', () => {
  it('names a clear winner, with the difference and its interval', () => {
    const r = compareVariants([
      { key: 'A', trials: 1000, successes: 80 },
      { key: 'B', trials: 1000, successes: 120 },
    ]);
    expect(r.outcome).toBe('winner');
    expect(r.winner).toBe('B');
    expect(r.comparisons).toHaveLength(1);
    const c = r.comparisons[0]!;
    expect(c.against).toBe('A');
    expect(c.pValue).toBeCloseTo(0.0028691127920766196, 6);
    expect(c.differenceInterval.low).toBeCloseTo(0.013762823691022167, 6);
    expect(c.differenceInterval.high).toBeCloseTo(0.06623717630897782, 6);
    expect(r.variants.find((v) => v.key === 'B')!.interval.low).toBeCloseTo(0.10129926060130914, 6);
  });

  it('calls a small difference not significant', () => {
    const r = compareVariants([
      { key: 'A', trials: 2000, successes: 200 },
      { key: 'B', trials: 2000, successes: 180 },
    ]);
    expect(r).toMatchObject({ outcome: 'not_significant', winner: null, leader: 'A' });
  });

  it('corrects for several variants: significant alone, not against the family', () => {
    // Leader C vs A: p = 0.0287 alone (< 0.05); Holm over two comparisons doubles the smaller.
    const pair = twoProportionZTest(130, 1000, 100, 1000);
    expect(pair.pValue).toBeLessThan(0.05);
    expect(pair.pValue * 2).toBeGreaterThan(0.05);
    const r = compareVariants([
      { key: 'A', trials: 1000, successes: 100 },
      { key: 'B', trials: 1000, successes: 101 },
      { key: 'C', trials: 1000, successes: 130 },
    ]);
    expect(r.leader).toBe('C');
    expect(r.outcome).toBe('not_significant');
    expect(r.comparisons.every((c) => c.adjustedP >= c.pValue)).toBe(true);
  });

  it('needs every variant beaten: a leader tied with a second is no winner', () => {
    const r = compareVariants([
      { key: 'A', trials: 1000, successes: 50 },
      { key: 'B', trials: 1000, successes: 150 },
      { key: 'C', trials: 1000, successes: 148 },
    ]);
    expect(r).toMatchObject({ outcome: 'not_significant', leader: 'B' });
  });

  it('will not decide on too little data', () => {
    expect(
      compareVariants([
        { key: 'A', trials: 20, successes: 0 },
        { key: 'B', trials: 20, successes: 15 },
      ]).outcome,
    ).toBe('insufficient_data');
    expect(
      compareVariants([
        { key: 'A', trials: 500, successes: 0 },
        { key: 'B', trials: 500, successes: 2 },
      ]).outcome,
    ).toBe('insufficient_data');
    expect(compareVariants([{ key: 'A', trials: 500, successes: 50 }]).outcome).toBe(
      'insufficient_data',
    );
  });

  it('gives a tie for the lead to the variant listed first', () => {
    const r = compareVariants([
      { key: 'B', trials: 100, successes: 10 },
      { key: 'A', trials: 100, successes: 10 },
    ]);
    expect(r.leader).toBe('B');
  });
});
