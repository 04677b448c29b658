/**
 * A campaign as the API shows it: its definition, where it stands in its lifecycle (with why it
 * is paused), and, for one campaign, how many of its messages are in each state.
 */
import type { PauseReason } from '../core/campaigns/guardrails.js';
import type { CampaignStatus } from '../core/campaigns/lifecycle.js';
import type { CampaignRow } from '../store/campaigns.js';
import { campaignMessageCounts } from '../store/campaigns.js';
import type { DbOrTx } from '../store/database.js';
import { specOf } from './campaigns.js';

export interface CampaignCounts {
  readonly planned: number;
  readonly byStatus: Record<string, number>;
  readonly blockedByReason: Record<string, number>;
  readonly deferredByReason: Record<string, number>;
  readonly byVariant: Record<string, Record<string, number>>;
}

const add = (to: Record<string, number>, key: string, n: number) => {
  to[key] = (to[key] ?? 0) + n;
};

export async function campaignCounts(db: DbOrTx, campaignId: number): Promise<CampaignCounts> {
  const counts: CampaignCounts = {
    planned: 0,
    byStatus: {},
    blockedByReason: {},
    deferredByReason: {},
    byVariant: {},
  };
  for (const r of await campaignMessageCounts(db, campaignId)) {
    (counts as { planned: number }).planned += r.n;
    add(counts.byStatus, r.status, r.n);
    if (r.status === 'blocked') add(counts.blockedByReason, r.reason ?? 'unknown', r.n);
    if (r.status === 'deferred') add(counts.deferredByReason, r.reason ?? 'unknown', r.n);
    const v = r.variant ?? '-';
    add((counts.byVariant[v] ??= {}), r.status, r.n);
  }
  return counts;
}

export function campaignView(row: CampaignRow, counts?: CampaignCounts) {
  const spec = specOf(row);
  return {
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    status: row.status as CampaignStatus,
    audience: spec.audience,
    variants: [...spec.variants],
    experiment: spec.experiment,
    schedule: spec.schedule,
    guardrails: JSON.parse(row.guardrails) as Record<string, unknown>,
    sender: row.sender,
    brand: row.brand,
    author: row.author,
    approver: row.approver,
    approvedAt: row.approved_at,
    rejection: row.rejection,
    pause:
      row.status === 'paused'
        ? {
            reason: (row.pause_reason ?? 'manual') as PauseReason,
            from: row.paused_from,
            details: row.pause_detail
              ? (JSON.parse(row.pause_detail) as Record<string, unknown>)
              : {},
          }
        : null,
    planAt: row.plan_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    plan: { phase: row.plan_phase, afterContactId: row.plan_after_id },
    winner: row.winner ? { variant: row.winner, reason: row.winner_reason } : null,
    cost: row.cost,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(counts ? { counts } : {}),
  };
}
