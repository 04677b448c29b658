/**
 * A/B(/n) tests: once a campaign's test phase has run for its duration, the lifecycle job asks
 * `pickWinner` which variant the rest of the audience receives, and plans them with it.
 *
 * The figures are the test group's (when the winner is chosen, every message of the campaign
 * is a test message): per variant, messages handed to a carrier (the denominator) and the
 * contacts among them who clicked a tracked link (`click_rate`) or whose order was attributed
 * to the campaign (`conversion_rate`). The statistics are src/core/campaigns/ab-stats.ts
 * (docs/experiments.md): the leader wins only when it beats every other variant significantly
 * (two-proportion z-tests, Holm-corrected, α = 0.05); otherwise the configured default goes to
 * the rest (reason `not_significant` or `insufficient_data`).
 */
import type { AppContext } from '../app-context.js';
import { compareVariants, type TestResult, type VariantTally } from '../core/campaigns/ab-stats.js';
import type { Experiment } from '../core/campaigns/variants.js';
import { winnerDecision } from '../store/campaign-analytics.js';
import type { CampaignRow } from '../store/campaigns.js';
import { campaignAnalytics } from './analytics.js';
import { specOf } from './campaigns.js';

export interface WinnerChoice {
  /** The variant the rest receives. */
  readonly variant: string;
  /** Why: `significant` (a winner), `not_significant` or `insufficient_data` (the default). */
  readonly reason: string;
  /** The test's figures: rates, intervals, p-values. */
  readonly details?: Record<string, unknown>;
}

export type WinnerPicker = (
  ctx: AppContext,
  campaign: CampaignRow,
  now: Date,
) => Promise<WinnerChoice>;

/** The experiment's test over the campaign's current figures. */
export async function runExperimentTest(
  ctx: AppContext,
  campaign: CampaignRow,
  experiment: Experiment,
): Promise<TestResult> {
  const spec = specOf(campaign);
  const figures = await campaignAnalytics(ctx, campaign);
  const byKey = new Map(figures.variants.map((v) => [v.variant, v]));
  // The default first: a tie for the lead goes to it.
  const keys = [
    experiment.defaultVariant,
    ...spec.variants.map((v) => v.key).filter((k) => k !== experiment.defaultVariant),
  ];
  const tallies: VariantTally[] = keys.map((key) => {
    const f = byKey.get(key);
    return {
      key,
      trials: f?.sent ?? 0,
      successes:
        experiment.metric === 'click_rate' ? (f?.clicks.unique ?? 0) : (f?.converters ?? 0),
    };
  });
  return compareVariants(tallies);
}

export const pickWinner: WinnerPicker = async (ctx, campaign) => {
  const experiment = specOf(campaign).experiment;
  if (!experiment) throw new Error(`campaign ${campaign.id} has no experiment`);
  const result = await runExperimentTest(ctx, campaign, experiment);
  const details = {
    metric: experiment.metric,
    outcome: result.outcome,
    leader: result.leader,
    alpha: result.alpha,
    variants: result.variants,
    comparisons: result.comparisons,
  };
  return result.winner
    ? { variant: result.winner, reason: 'significant', details }
    : { variant: experiment.defaultVariant, reason: result.outcome, details };
};

export interface ExperimentView {
  readonly metric: string;
  readonly testFraction: number;
  readonly durationHours: number;
  readonly defaultVariant: string;
  /** Set once the winner was chosen: the variant the rest received and why. */
  readonly decision: {
    readonly variant: string;
    readonly reason: string;
    readonly at: string;
    readonly test: Record<string, unknown>;
  } | null;
  /**
   * Before the decision, the test over the figures so far (the rest, sent later with the
   * winner, would skew it: after the decision only `decision.test` counts).
   */
  readonly current: TestResult | null;
}

/** An experiment's results for the API; null when the campaign has no experiment. */
export async function experimentView(
  ctx: AppContext,
  campaign: CampaignRow,
): Promise<ExperimentView | null> {
  const experiment = specOf(campaign).experiment;
  if (!experiment) return null;
  const audited = campaign.winner ? await winnerDecision(ctx.store.db, campaign.id) : undefined;
  const details = audited ? (JSON.parse(audited.details) as Record<string, unknown>) : {};
  return {
    metric: experiment.metric,
    testFraction: experiment.testFraction,
    durationHours: experiment.durationHours,
    defaultVariant: experiment.defaultVariant,
    decision: campaign.winner
      ? {
          variant: campaign.winner,
          reason: campaign.winner_reason ?? 'unknown',
          at: audited?.at ?? campaign.updated_at,
          test: details,
        }
      : null,
    current: campaign.winner ? null : await runExperimentTest(ctx, campaign, experiment),
  };
}
