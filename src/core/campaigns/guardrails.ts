/**
 * Guardrails: a campaign pauses itself when it annoys people (opt-outs), when its messages fail
 * (a bad route, a bad list), or before its cost would pass its budget. Rates are judged over the
 * campaign's last `window` messages handed to a carrier, once at least `minSample` were.
 *
 * Defaults (documented in README): opt-out rate above 2 %, failure rate above 15 %, over the last
 * 500 messages once 100 went; no budget unless one is set.
 *
 * @example
 *   checkRates({ handed: 200, optOuts: 9, failed: 3 }, DEFAULT_GUARDRAILS);
 *   // { reason: 'opt_out_rate', rate: 0.045, threshold: 0.02 }
 */
import { Type, type Static } from 'typebox';

export const PAUSE_REASONS = ['manual', 'opt_out_rate', 'failure_rate', 'budget'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export const GuardrailSchema = Type.Object(
  {
    optOutRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    failureRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    window: Type.Optional(Type.Integer({ minimum: 10, maximum: 100_000 })),
    minSample: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** The most the campaign may cost, in the unit of HERALD_SMS_PRICES; absent: no limit. */
    budget: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type GuardrailInput = Static<typeof GuardrailSchema>;

export interface Guardrails {
  readonly optOutRate: number;
  readonly failureRate: number;
  readonly window: number;
  readonly minSample: number;
  readonly budget: number | null;
}

export const DEFAULT_GUARDRAILS: Guardrails = Object.freeze({
  optOutRate: 0.02,
  failureRate: 0.15,
  window: 500,
  minSample: 100,
  budget: null,
});

export function guardrailsOf(input: GuardrailInput | null | undefined): Guardrails {
  return { ...DEFAULT_GUARDRAILS, ...(input ?? {}) } as Guardrails;
}

export interface RecentOutcomes {
  /** Messages handed to a carrier among the last `window` (the denominator). */
  readonly handed: number;
  /** Of those, recipients who opted out after their message. */
  readonly optOuts: number;
  /** Of those, messages that failed or were not delivered. */
  readonly failed: number;
}

export interface RateBreach {
  readonly reason: 'opt_out_rate' | 'failure_rate';
  readonly rate: number;
  readonly threshold: number;
}

/** The first rate over its threshold, or null (also while the sample is too small). */
export function checkRates(o: RecentOutcomes, g: Guardrails): RateBreach | null {
  if (o.handed < g.minSample || o.handed === 0) return null;
  const optOut = o.optOuts / o.handed;
  if (optOut > g.optOutRate)
    return { reason: 'opt_out_rate', rate: optOut, threshold: g.optOutRate };
  const failure = o.failed / o.handed;
  if (failure > g.failureRate) {
    return { reason: 'failure_rate', rate: failure, threshold: g.failureRate };
  }
  return null;
}

/** Price per SMS segment by destination country (ISO alpha-2), with a `default`. */
export type SegmentPrices = Readonly<Record<string, number>>;

/** @example messageCost(2, 'CN', { default: 0.05, CN: 0.04 }) // 0.08 */
export function messageCost(
  segments: number,
  country: string | null,
  prices: SegmentPrices,
): number {
  const price = (country ? prices[country] : undefined) ?? prices.default ?? 0;
  return segments * price;
}

/** Whether spending `more` on top of `spent` passes the budget. */
export function overBudget(spent: number, more: number, budget: number | null): boolean {
  return budget !== null && spent + more > budget + 1e-9;
}
