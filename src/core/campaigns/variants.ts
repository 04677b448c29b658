/**
 * Variants and A/B(/n) tests: a campaign has one or more variants (a text, and optionally a
 * send time of their own); an experiment sends a test fraction of the audience, split between
 * the variants by weight, and later the winner to the rest. Assignment is deterministic by
 * campaign and contact (a hash, no randomness): planning again after a crash, or on another
 * machine, puts everyone in the same group and variant.
 *
 * Choosing the winner (the statistics) lives elsewhere; see src/campaigns/experiment.ts.
 *
 * @example
 *   assignVariant(7, 1234, [{ key: 'A', weight: 1 }, { key: 'B', weight: 1 }], { testFraction: 0.2 });
 *   // { group: 'rest', variant: null } for most contacts; { group: 'test', variant: 'A' | 'B' } for ~20%
 */
import { Type, type Static } from 'typebox';
import { ScheduleSchema } from './schedule.js';

export const EXPERIMENT_METRICS = ['click_rate', 'conversion_rate'] as const;
export type ExperimentMetric = (typeof EXPERIMENT_METRICS)[number];

export const VariantSchema = Type.Object(
  {
    key: Type.String({ pattern: '^[A-Za-z0-9_-]{1,16}$', description: 'A, B, control, ...' }),
    /** The text (a Liquid template over `contact.*`). */
    body: Type.String({ minLength: 1, maxLength: 5000 }),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 1 })),
    /** A send time of its own (send-time tests); absent: the campaign's schedule. */
    schedule: Type.Optional(ScheduleSchema),
  },
  { additionalProperties: false },
);
export type Variant = Static<typeof VariantSchema>;

export const ExperimentSchema = Type.Object(
  {
    /** Share of the audience in the test; the rest receives the winner. */
    testFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    metric: Type.Enum(EXPERIMENT_METRICS),
    /** How long after the test messages start the winner is chosen. */
    durationHours: Type.Number({ minimum: 1, maximum: 24 * 14 }),
    /** What the rest receives when no variant wins significantly. */
    defaultVariant: Type.String({ pattern: '^[A-Za-z0-9_-]{1,16}$' }),
  },
  { additionalProperties: false },
);
export type Experiment = Static<typeof ExperimentSchema>;

export type Assignment =
  | { readonly group: 'all' | 'test'; readonly variant: string }
  | { readonly group: 'rest'; readonly variant: null };

/** A uniform number in [0, 1) from a campaign, a contact and a salt (FNV-1a, then fmix32). */
export function unitHash(campaignId: number, contactId: number, salt: string): number {
  const text = `${salt}:${campaignId}:${contactId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function byWeight(variants: readonly Pick<Variant, 'key' | 'weight'>[], u: number): string {
  const total = variants.reduce((s, v) => s + (v.weight ?? 1), 0);
  let acc = 0;
  for (const v of variants) {
    acc += (v.weight ?? 1) / total;
    if (u < acc) return v.key;
  }
  return variants.at(-1)!.key;
}

/** The group and variant of one contact (see the module comment). */
export function assignVariant(
  campaignId: number,
  contactId: number,
  variants: readonly Pick<Variant, 'key' | 'weight'>[],
  experiment: Pick<Experiment, 'testFraction'> | null,
): Assignment {
  const split = unitHash(campaignId, contactId, 'variant');
  if (!experiment || variants.length < 2) {
    return { group: 'all', variant: byWeight(variants, split) };
  }
  if (unitHash(campaignId, contactId, 'test') >= experiment.testFraction) {
    return { group: 'rest', variant: null };
  }
  return { group: 'test', variant: byWeight(variants, split) };
}

/** Problems with a set of variants and its experiment, worded for the author; empty when fine. */
export function variantProblems(
  variants: readonly Variant[],
  experiment: Experiment | null | undefined,
): string[] {
  const problems: string[] = [];
  if (variants.length === 0) problems.push('a campaign needs at least one variant');
  const keys = new Set<string>();
  for (const v of variants) {
    if (keys.has(v.key)) problems.push(`variant key "${v.key}" is used twice`);
    keys.add(v.key);
  }
  if (experiment) {
    if (variants.length < 2) problems.push('an experiment needs at least two variants');
    if (!keys.has(experiment.defaultVariant)) {
      problems.push(`experiment.defaultVariant "${experiment.defaultVariant}" is not a variant`);
    }
  }
  return problems;
}
