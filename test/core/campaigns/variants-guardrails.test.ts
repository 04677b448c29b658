import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARDRAILS,
  checkRates,
  guardrailsOf,
  messageCost,
  overBudget,
} from '../../../src/core/campaigns/guardrails.js';
import { assignVariant, unitHash, variantProblems } from '../../../src/core/campaigns/variants.js';

const AB = [
  { key: 'A', weight: 1 },
  { key: 'B', weight: 1 },
];

describe('variant assignment', () => {
  it('is deterministic per campaign and contact', () => {
    for (let id = 1; id < 50; id++) {
      expect(assignVariant(3, id, AB, { testFraction: 0.3 })).toEqual(
        assignVariant(3, id, AB, { testFraction: 0.3 }),
      );
    }
    expect(unitHash(1, 2, 'x')).toBe(unitHash(1, 2, 'x'));
    expect(unitHash(1, 2, 'x')).not.toBe(unitHash(2, 1, 'x'));
  });

  it('splits the test fraction by weight and keeps the rest for the winner', () => {
    const n = 20_000;
    const tally: Record<string, number> = {};
    for (let id = 1; id <= n; id++) {
      const a = assignVariant(
        9,
        id,
        [
          { key: 'A', weight: 3 },
          { key: 'B', weight: 1 },
        ],
        {
          testFraction: 0.2,
        },
      );
      const k = a.group === 'rest' ? 'rest' : a.variant;
      tally[k] = (tally[k] ?? 0) + 1;
    }
    expect(tally.rest! / n).toBeCloseTo(0.8, 1);
    expect(tally.A! / n).toBeCloseTo(0.15, 1);
    expect(tally.B! / n).toBeCloseTo(0.05, 1);
  });

  it('sends everyone a variant when there is no experiment', () => {
    const groups = new Set<string>();
    for (let id = 1; id <= 200; id++) groups.add(assignVariant(1, id, AB, null).group);
    expect([...groups]).toEqual(['all']);
  });

  it('names what is wrong with the variants', () => {
    const exp = {
      testFraction: 0.2,
      metric: 'click_rate' as const,
      durationHours: 4,
      defaultVariant: 'C',
    };
    expect(
      variantProblems(
        [
          { key: 'A', body: 'x' },
          { key: 'A', body: 'y' },
        ],
        exp,
      ),
    ).toEqual(['variant key "A" is used twice', 'experiment.defaultVariant "C" is not a variant']);
    expect(variantProblems([{ key: 'A', body: 'x' }], { ...exp, defaultVariant: 'A' })).toEqual([
      'an experiment needs at least two variants',
    ]);
  });
});

describe('guardrails', () => {
  it.each([
    [{ handed: 50, optOuts: 20, failed: 0 }, null], // too few to judge
    [{ handed: 200, optOuts: 4, failed: 0 }, null], // 2 % is the limit, not past it
    [{ handed: 200, optOuts: 5, failed: 0 }, 'opt_out_rate'],
    [{ handed: 200, optOuts: 0, failed: 31 }, 'failure_rate'],
    [{ handed: 200, optOuts: 0, failed: 30 }, null],
  ] as const)('judges %o as %s', (outcomes, expected) => {
    expect(checkRates(outcomes, DEFAULT_GUARDRAILS)?.reason ?? null).toBe(expected);
  });

  it('takes a campaign its own thresholds, the defaults for the rest', () => {
    const g = guardrailsOf({ optOutRate: 0.1, minSample: 10 });
    expect(g).toMatchObject({ optOutRate: 0.1, minSample: 10, failureRate: 0.15, window: 500 });
    expect(checkRates({ handed: 10, optOuts: 1, failed: 0 }, g)).toBeNull();
    expect(checkRates({ handed: 10, optOuts: 2, failed: 0 }, g)).toMatchObject({ rate: 0.2 });
  });

  it('prices segments by country and stops before the budget is passed', () => {
    const prices = { default: 0.05, CN: 0.04 };
    expect(messageCost(2, 'CN', prices)).toBeCloseTo(0.08);
    expect(messageCost(1, 'US', prices)).toBeCloseTo(0.05);
    expect(messageCost(1, null, {})).toBe(0);
    expect(overBudget(0.95, 0.05, 1)).toBe(false);
    expect(overBudget(0.96, 0.05, 1)).toBe(true);
    expect(overBudget(1e9, 1, null)).toBe(false);
  });
});
