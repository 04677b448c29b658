/**
 * The seam for A/B(/n) tests: once a campaign's test phase has run for its duration, the
 * lifecycle job asks `pickWinner` which variant the rest of the audience receives, and plans
 * them with it.
 *
 * Today it returns the experiment's configured default (reason `statistics_pending`): the
 * statistics (two-proportion z-test with a correction for several variants, or the Bayesian
 * probability to be best, over the experiment's metric) replace this function's body, keeping
 * its signature; the job, the planner and the API need no change.
 */
import type { AppContext } from '../app-context.js';
import type { CampaignRow } from '../store/campaigns.js';
import { specOf } from './campaigns.js';

export interface WinnerChoice {
  /** The variant the rest receives. */
  readonly variant: string;
  /** Why: `significant` (a winner), `not_significant` (the default), `statistics_pending`. */
  readonly reason: string;
  /** Whatever the statistics want to show (rates, intervals, p-values). */
  readonly details?: Record<string, unknown>;
}

export type WinnerPicker = (
  ctx: AppContext,
  campaign: CampaignRow,
  now: Date,
) => Promise<WinnerChoice>;

export const pickWinner: WinnerPicker = async (_ctx, campaign) => {
  const experiment = specOf(campaign).experiment;
  if (!experiment) throw new Error(`campaign ${campaign.id} has no experiment`);
  return { variant: experiment.defaultVariant, reason: 'statistics_pending' };
};
