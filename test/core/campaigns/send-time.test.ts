import { describe, expect, it } from 'vitest';
import {
  bestHour,
  emptyHistogram,
  goodWindowDistribution,
  histogramOf,
  hourPrior,
  localHour,
} from '../../../src/core/campaigns/send-time.js';
import { GOOD_WINDOWS } from '../../../src/core/policy/good-windows.js';

/** mulberry32: synthetic histories that are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const DAYTIME = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
const goodPrior = hourPrior({ goodWindows: GOOD_WINDOWS });

describe('send-time model', () => {
  it('puts the good windows first in the prior, and sums to one', () => {
    const sum = goodPrior.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 9);
    // 07:30-09:00, 12:00-13:30, 20:00-21:00: full hours 08, 12, 20 weigh the most.
    const ranked = [...goodPrior.keys()].sort((a, b) => goodPrior[b]! - goodPrior[a]!);
    expect(ranked.slice(0, 3).sort((a, b) => a - b)).toEqual([8, 12, 20]);
    expect(goodPrior[3]).toBeGreaterThan(0); // nobody is certain
    expect(goodWindowDistribution([], 0.1).every((p) => p > 0)).toBe(true);
  });

  it('gives someone without history the best good window inside the campaign window', () => {
    expect(bestHour(emptyHistogram(), goodPrior, { hours: DAYTIME }).hour).toBe(12);
    expect(
      bestHour(emptyHistogram(), goodPrior, { hours: [14, 15, 16, 17, 18, 19, 20] }).hour,
    ).toBe(20);
  });

  it('follows a person who engages at one hour, once the evidence outweighs the prior', () => {
    expect(
      bestHour(histogramOf([19, 19, 19, 19, 19, 18]), goodPrior, { hours: DAYTIME }).hour,
    ).toBe(19);
    // One click at 15:00 is not enough to leave the good windows.
    expect(bestHour(histogramOf([15]), goodPrior, { hours: DAYTIME }).hour).toBe(12);
  });

  it('never picks an hour outside the window, however strong the history', () => {
    const night = histogramOf(Array(30).fill(2));
    const pick = bestHour(night, goodPrior, { hours: DAYTIME });
    expect(DAYTIME).toContain(pick.hour);
    expect(pick.evidence).toBe(30);
  });

  it("pulls people without history towards the segment's hour", () => {
    const segment = histogramOf(Array(500).fill(21));
    const prior = hourPrior({ goodWindows: GOOD_WINDOWS, segment });
    expect(
      bestHour(emptyHistogram(), prior, {
        hours: [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21],
      }).hour,
    ).toBe(21);
    // A thin segment barely moves the prior.
    const thin = hourPrior({ goodWindows: GOOD_WINDOWS, segment: histogramOf([16]) });
    expect(bestHour(emptyHistogram(), thin, { hours: DAYTIME }).hour).toBe(12);
  });

  it('recovers the true favourite hour of a synthetic population', () => {
    const random = seeded(42);
    let right = 0;
    const people = 400;
    for (let p = 0; p < people; p++) {
      const favourite = DAYTIME[Math.floor(random() * DAYTIME.length)]!;
      const hours: number[] = [];
      for (let e = 0; e < 12; e++) {
        // 70 % at the favourite hour, the rest anywhere in the day.
        hours.push(random() < 0.7 ? favourite : Math.floor(random() * 24));
      }
      if (bestHour(histogramOf(hours), goodPrior, { hours: DAYTIME }).hour === favourite) {
        right += 1;
      }
    }
    expect(right / people).toBeGreaterThan(0.95);
  });

  it('reads the local hour of an instant in the zone', () => {
    expect(localHour(Date.UTC(2030, 0, 1, 12), 'Asia/Shanghai')).toBe(20);
    expect(localHour(Date.UTC(2030, 6, 1, 12), 'Europe/London')).toBe(13);
  });
});
