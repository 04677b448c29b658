// The SMS pumping decision (src/core/pumping.ts) as tables of cases.
import { describe, expect, it } from 'vitest';
import {
  consecutiveRunWith,
  decidePumping,
  defaultAllowedCountries,
  DEFAULT_PUMPING_LIMITS,
  pumpingKeys,
  segmentPrice,
  type PumpingHistory,
  type PumpingLimits,
} from '../../src/core/pumping.js';

const now = new Date('2026-11-29T18:00:00Z');
const limits: PumpingLimits = {
  ...DEFAULT_PUMPING_LIMITS,
  perNumber: { max: 3, windowSeconds: 86_400 },
  perIp: { max: 20, windowSeconds: 3_600 },
  perPrefix: { max: 10, windowSeconds: 3_600 },
  perCountry: { max: 100, windowSeconds: 3_600 },
  burst: { windowSeconds: 600, blockDigits: 2, consecutiveRun: 3, blockMax: 5 },
  dailySpendCap: 10,
  prices: { default: 0.05, countries: { CN: 0.03, GB: 0.04 } },
};
const quiet: PumpingHistory = {
  number: 0,
  ip: 0,
  prefix: 0,
  country: 0,
  blockTails: [],
  spentToday: 0,
};
const attempt = (e164: string, country: string, segments = 1) => ({
  kind: 'double_opt_in' as const,
  e164,
  country,
  segments,
});
const allowedCountries = ['CN', 'US', 'GB'];

describe('decidePumping', () => {
  it.each([
    [
      'an allowed country, nothing before',
      attempt('+14155550163', 'US'),
      quiet,
      { allowed: true, cost: 0.05 },
    ],
    [
      'priced per segment and country',
      attempt('+8613800138000', 'CN', 3),
      quiet,
      { allowed: true, cost: 0.09 },
    ],
    [
      'a country off the list',
      attempt('+23276123456', 'SL'),
      quiet,
      { allowed: false, reason: 'country_not_allowed', retryAfterSeconds: null },
    ],
    ['a lower-case country', attempt('+14155550163', 'us'), quiet, { allowed: true, cost: 0.05 }],
    [
      'the spend cap reached',
      attempt('+14155550163', 'US'),
      { ...quiet, spentToday: 9.98 },
      { allowed: false, reason: 'spend_cap', retryAfterSeconds: 6 * 3600 },
    ],
    [
      'the spend cap just met',
      attempt('+14155550163', 'US'),
      { ...quiet, spentToday: 9.95 },
      { allowed: true, cost: 0.05 },
    ],
    [
      'the number asked three times today',
      attempt('+14155550163', 'US'),
      { ...quiet, number: 3 },
      { allowed: false, reason: 'number_limit', retryAfterSeconds: 86_400 },
    ],
    [
      'the number asked twice',
      attempt('+14155550163', 'US'),
      { ...quiet, number: 2 },
      { allowed: true, cost: 0.05 },
    ],
    [
      'the IP at its limit',
      attempt('+14155550163', 'US'),
      { ...quiet, ip: 20 },
      { allowed: false, reason: 'ip_limit', retryAfterSeconds: 3600 },
    ],
    [
      '…61 and …62 before …63',
      attempt('+14155550163', 'US'),
      { ...quiet, blockTails: [61, 62] },
      { allowed: false, reason: 'consecutive_burst', retryAfterSeconds: 600 },
    ],
    [
      '…62 and …64 around …63',
      attempt('+14155550163', 'US'),
      { ...quiet, blockTails: [62, 64] },
      { allowed: false, reason: 'consecutive_burst', retryAfterSeconds: 600 },
    ],
    [
      'two neighbours apart',
      attempt('+14155550163', 'US'),
      { ...quiet, blockTails: [61, 65] },
      { allowed: true, cost: 0.05 },
    ],
    [
      'the sixth number of a block',
      attempt('+14155550163', 'US'),
      { ...quiet, blockTails: [10, 20, 30, 40, 50] },
      { allowed: false, reason: 'prefix_burst', retryAfterSeconds: 600 },
    ],
    [
      'the fifth number of a block',
      attempt('+14155550163', 'US'),
      { ...quiet, blockTails: [10, 20, 30, 40] },
      { allowed: true, cost: 0.05 },
    ],
    [
      'the prefix at its limit',
      attempt('+14155550163', 'US'),
      { ...quiet, prefix: 10 },
      { allowed: false, reason: 'prefix_limit', retryAfterSeconds: 3600 },
    ],
    [
      'the country at its limit',
      attempt('+14155550163', 'US'),
      { ...quiet, country: 100 },
      { allowed: false, reason: 'country_limit', retryAfterSeconds: 3600 },
    ],
    [
      'a country refused before any limit',
      attempt('+23276123456', 'SL'),
      { ...quiet, number: 9, ip: 99 },
      { allowed: false, reason: 'country_not_allowed', retryAfterSeconds: null },
    ],
  ] as const)('%s', (_name, a, history, expected) => {
    const decision = decidePumping(a, history, { allowedCountries, limits, now });
    if (expected.allowed) {
      expect(decision.allowed).toBe(true);
      expect((decision as { cost: number }).cost).toBeCloseTo(expected.cost, 10);
    } else {
      expect(decision).toEqual(expected);
    }
  });

  it('has no spend cap when it is null', () => {
    const decision = decidePumping(
      attempt('+14155550163', 'US'),
      { ...quiet, spentToday: 1e9 },
      { allowedCountries, limits: { ...limits, dailySpendCap: null }, now },
    );
    expect(decision.allowed).toBe(true);
  });
});

describe('the pieces', () => {
  it.each([
    ['+14155550163', { prefix: '+1415555', block: '+141555501', tail: 63 }],
    ['+8613800138000', { prefix: '+861380013', block: '+86138001380', tail: 0 }],
    ['+447700900123', { prefix: '+44770090', block: '+4477009001', tail: 23 }],
  ])('pumpingKeys(%s)', (e164, keys) => {
    expect(pumpingKeys(e164, limits)).toEqual(keys);
  });

  it.each([
    [43, [41, 42, 50], 3],
    [43, [44, 45, 46], 4],
    [43, [45], 1],
    [0, [1, 2, 99], 3],
    [43, [], 1],
  ])('consecutiveRunWith(%i, %j) = %i', (tail, others, run) => {
    expect(consecutiveRunWith(tail, others)).toBe(run);
  });

  it('prices a segment by country, else the default', () => {
    expect(segmentPrice('CN', limits)).toBe(0.03);
    expect(segmentPrice('gb', limits)).toBe(0.04);
    expect(segmentPrice('FR', limits)).toBe(0.05);
  });

  it('allows by default the countries that have a policy pack, and no other', () => {
    const countries = defaultAllowedCountries();
    for (const c of ['CN', 'US', 'GB', 'AU', 'IN', 'DE', 'FR', 'IT', 'NO']) {
      expect(countries).toContain(c);
    }
    for (const c of ['SL', 'GN', 'CU', 'RU', 'NG', 'ZZ']) expect(countries).not.toContain(c);
  });
});
