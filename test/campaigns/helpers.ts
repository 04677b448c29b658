/**
 * Campaign tests: a campaign written by one person (alice), approved by another (bob) and
 * scheduled, ready for the lifecycle job; US contacts with marketing consent.
 */
import type { AppContext } from '../../src/app-context.js';
import type { CampaignInput } from '../../src/campaigns/campaign-input.js';
import { actOnCampaign, createCampaign } from '../../src/campaigns/campaigns.js';
import type { CampaignRow } from '../../src/store/campaigns.js';
import { PROMO } from '../delivery/helpers.js';

export const ALICE = 'user:alice';
export const BOB = 'user:bob';

/** A marketing campaign to every US contact, sent now, one variant. */
export function promoCampaign(over: Partial<CampaignInput> = {}): CampaignInput {
  return {
    name: 'Spring sale',
    purpose: 'marketing',
    audience: { filter: { kind: 'country', in: ['US'] } },
    variants: [{ key: 'A', body: PROMO }],
    schedule: { kind: 'now' },
    brand: 'Acme',
    ...over,
  };
}

/** Created by alice, submitted, approved by bob, scheduled: the job starts it at `now`. */
export async function launch(
  ctx: AppContext,
  input: CampaignInput,
  now: Date,
): Promise<CampaignRow> {
  const draft = await createCampaign(ctx, input, { actor: ALICE, now });
  await actOnCampaign(ctx, draft.id, 'submit', { actor: ALICE, now });
  await actOnCampaign(ctx, draft.id, 'approve', { actor: BOB, now });
  return actOnCampaign(ctx, draft.id, 'schedule', { actor: ALICE, now });
}

/** The messages of a campaign: contact, status, reason, variant, not_before. */
export async function campaignMessages(ctx: AppContext, campaignId: number) {
  return ctx.store.db
    .selectFrom('messages')
    .select(['id', 'contact_id', 'status', 'error_code', 'variant', 'not_before', 'body'])
    .where('campaign_id', '=', campaignId)
    .orderBy('contact_id')
    .execute();
}
