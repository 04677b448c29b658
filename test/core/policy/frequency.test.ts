// Rolling caps. Times are offsets from T (Tue 14 Jul 2026 16:00Z); windows are half-open,
// (t - W, t]: a send exactly W ago no longer counts.
import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../../src/core/errors.js';
import { checkFrequency, nextFrequencyMillis } from '../../../src/core/policy/frequency.js';
import type { FrequencyCap } from '../../../src/core/policy/policy-pack.js';
import { DAY, HOUR } from './support.js';

const T = Date.UTC(2026, 6, 14, 16);
const MIN = 60_000;
const MARKETING: FrequencyCap = { max: 2, windowHours: 168, minGapHours: 24 };
const OTP: FrequencyCap = { max: 5, windowHours: 1 };

describe('nextFrequencyMillis', () => {
  it.each([
    ['no sends', MARKETING, [], 0],
    ['one send 25 h ago', MARKETING, [-25 * HOUR], 0],
    ['one send exactly 24 h ago', MARKETING, [-24 * HOUR], 0],
    ['one send 23 h ago: the gap frees in 1 h', MARKETING, [-23 * HOUR], HOUR],
    ['a send recorded now by a concurrent campaign', MARKETING, [0], 24 * HOUR],
    [
      'two in the last 7 days: the older leaves the window',
      MARKETING,
      [-3 * DAY, -2 * DAY],
      4 * DAY,
    ],
    ['two, the older exactly 7 days ago', MARKETING, [-7 * DAY, -2 * DAY], 0],
    ['two, the older 167 h ago', MARKETING, [-167 * HOUR, -2 * DAY], HOUR],
    ['three: two must leave', MARKETING, [-6 * DAY, -5 * DAY, -DAY], 2 * DAY],
    ['a reservation in 12 h', MARKETING, [12 * HOUR], 36 * HOUR],
    ['a reservation in 30 h', MARKETING, [30 * HOUR], 0],
    ['a past send and a reservation fill one window', MARKETING, [-2 * DAY, 2 * DAY], 5 * DAY],
    ['OTP: 5 in the last hour', OTP, [-50, -40, -30, -20, -10].map((m) => m * MIN), 10 * MIN],
    ['OTP: 4 in the last hour', OTP, [-40, -30, -20, -10].map((m) => m * MIN), 0],
    ['OTP: 5, the oldest exactly 1 h ago', OTP, [-60, -40, -30, -20, -10].map((m) => m * MIN), 0],
    ['OTP: 6 in the last hour', OTP, [-55, -45, -35, -25, -15, -5].map((m) => m * MIN), 15 * MIN],
    ['no cap', null, [0, 0, 0], 0],
  ])('%s', (_label, cap, offsets, expected) => {
    const sends = offsets.map((o) => T + o);
    expect(nextFrequencyMillis(T, sends, cap)! - T).toBe(expected);
  });

  it('takes Dates as well as epoch ms', () => {
    const sends = [new Date(T - 3 * DAY), new Date(T - 2 * DAY)];
    expect(nextFrequencyMillis(new Date(T), sends, MARKETING)).toBe(T + 4 * DAY);
  });

  it('never frees a cap of zero', () => {
    expect(nextFrequencyMillis(T, [], { max: 0, windowHours: 1 })).toBeNull();
  });
});

describe('checkFrequency', () => {
  it.each([
    ['allowed', [-25 * HOUR], { allowed: true }],
    ['too soon', [-23 * HOUR], { allowed: false, until: new Date(T + HOUR), rule: 'gap' }],
    [
      'window full',
      [-3 * DAY, -2 * DAY],
      { allowed: false, until: new Date(T + 4 * DAY), rule: 'count' },
    ],
  ])('%s', (_label, offsets, expected) => {
    expect(
      checkFrequency(
        T,
        offsets.map((o) => T + o),
        MARKETING,
      ),
    ).toEqual(expected);
  });

  it.each([
    ['a negative max', { max: -1, windowHours: 1 }],
    ['a fractional max', { max: 1.5, windowHours: 1 }],
    ['an empty window', { max: 1, windowHours: 0 }],
  ])('refuses %s', (_label, cap) => {
    expect(() => checkFrequency(T, [], cap)).toThrow(HeraldError);
  });
});
