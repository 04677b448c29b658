/**
 * The campaign lifecycle in the worker: a scheduled campaign whose time has come starts
 * sending; a sending one is judged by its guardrails (and pauses itself when a rate passes its
 * threshold), has its winner chosen when its test has run long enough, is planned a few
 * batches per tick (the dispatcher sends what is due), and completes once everything is planned
 * and nothing of it is still waiting or on its way.
 */
import type { AppContext } from '../app-context.js';
import { checkRates, guardrailsOf } from '../core/campaigns/guardrails.js';
import type { Job } from '../jobs/scheduler.js';
import {
  activeCampaigns,
  hasOpenCampaignMessages,
  recentCampaignOutcomes,
  updateCampaignFrom,
  type CampaignRow,
} from '../store/campaigns.js';
import { actOnCampaign, specOf } from './campaigns.js';
import { pickWinner } from './experiment.js';
import { planCampaign } from './planner.js';

export const SYSTEM_ACTOR = 'system:campaigns';

export interface LifecycleCounts {
  started: number;
  planned: number;
  paused: number;
  winners: number;
  completed: number;
}

/** Pauses the campaign when a guardrail rate is passed; true when it did. */
export async function enforceGuardrails(
  ctx: AppContext,
  campaign: CampaignRow,
  now: Date,
): Promise<boolean> {
  const g = guardrailsOf(JSON.parse(campaign.guardrails));
  const outcomes = await recentCampaignOutcomes(ctx.store.db, {
    campaignId: campaign.id,
    window: g.window,
  });
  const breach = checkRates(outcomes, g);
  if (!breach) return false;
  await actOnCampaign(ctx, campaign.id, 'pause', {
    actor: 'system:guardrails',
    now,
    pauseReason: breach.reason,
    pauseDetail: {
      rate: Math.round(breach.rate * 10_000) / 10_000,
      threshold: breach.threshold,
      window: outcomes.handed,
      optOuts: outcomes.optOuts,
      failed: outcomes.failed,
    },
  });
  return true;
}

async function chooseWinner(ctx: AppContext, campaign: CampaignRow, now: Date): Promise<boolean> {
  const experiment = specOf(campaign).experiment;
  if (!experiment || campaign.plan_phase !== 'await_winner') return false;
  const due = Date.parse(campaign.started_at!) + experiment.durationHours * 3_600_000;
  if (now.getTime() < due) return false;
  const choice = await pickWinner(ctx, campaign, now);
  const updated = await updateCampaignFrom(ctx.store.db, {
    id: campaign.id,
    from: ['sending'],
    patch: {
      winner: choice.variant,
      winner_reason: choice.reason,
      plan_phase: 'rest',
      plan_after_id: 0,
      updated_at: now.toISOString(),
    },
  });
  if (!updated) return false;
  await ctx.auditor.record({
    actor: SYSTEM_ACTOR,
    action: 'campaign.winner',
    target: `campaign:${campaign.id}`,
    details: { variant: choice.variant, reason: choice.reason, ...(choice.details ?? {}) },
  });
  return true;
}

/** One tick over every active campaign. */
export async function runCampaigns(
  ctx: AppContext,
  opts: { now?: Date; maxBatches?: number; batchSize?: number } = {},
): Promise<LifecycleCounts> {
  const now = opts.now ?? new Date();
  const counts: LifecycleCounts = { started: 0, planned: 0, paused: 0, winners: 0, completed: 0 };
  for (let campaign of await activeCampaigns(ctx.store.db, { now: now.toISOString() })) {
    try {
      if (campaign.status === 'scheduled') {
        campaign = await actOnCampaign(ctx, campaign.id, 'start', { actor: SYSTEM_ACTOR, now });
        counts.started += 1;
      }
      if (await enforceGuardrails(ctx, campaign, now)) {
        counts.paused += 1;
        continue;
      }
      if (await chooseWinner(ctx, campaign, now)) counts.winners += 1;
      const progress = await planCampaign(ctx, campaign.id, {
        now,
        maxBatches: opts.maxBatches ?? 25,
        ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      });
      counts.planned += progress.queued + progress.deferred + progress.blocked;
      if (progress.budgetPaused) {
        counts.paused += 1;
        continue;
      }
      if (
        progress.phase === 'done' &&
        !(await hasOpenCampaignMessages(ctx.store.db, campaign.id))
      ) {
        await actOnCampaign(ctx, campaign.id, 'complete', { actor: SYSTEM_ACTOR, now });
        counts.completed += 1;
      }
    } catch (err) {
      // One campaign's trouble (a deleted segment, a race with a person) must not stop the others.
      ctx.logger.error({ err, campaignId: campaign.id }, 'campaign step failed');
    }
  }
  return counts;
}

export const campaignJob: Job = {
  name: 'campaigns.lifecycle',
  everyMs: 5_000,
  run: async (ctx, now) => ({ ...(await runCampaigns(ctx, { now })) }),
};
