import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnCampaign } from '../../src/campaigns/campaigns.js';
import { runCampaigns } from '../../src/campaigns/lifecycle-job.js';
import { planCampaign } from '../../src/campaigns/planner.js';
import { createContact } from '../../src/contacts/contacts.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { findCampaign } from '../../src/store/campaigns.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  NOON_LA,
  openDelivery,
  setMarketingCap,
  type DeliveryTest,
} from '../delivery/helpers.js';
import { campaignMessages, launch, promoCampaign } from './helpers.js';

describe.each(DIALECTS)('[%s] campaign planner', (dialect) => {
  let t: DeliveryTest;
  const consenting: number[] = [];
  let noConsent: number;
  let suppressed: number;

  beforeAll(async () => {
    t = await openDelivery(dialect);
    for (let i = 0; i < 7; i++) {
      consenting.push(await consentingContact(t.ctx, `+1415555${String(1000 + i)}`));
    }
    noConsent = (await createContact(t.ctx, { phone: '+14155552000', source: 'test' }, 'test')).id;
    suppressed = await consentingContact(t.ctx, '+14155552001');
    await addSuppression(t.ctx.store.db, {
      phone_index: t.ctx.cipher.blindIndex('+14155552001'),
      scope: 'marketing',
      reason: 'complaint',
      note: null,
      created_by: 'test',
      created_at: NOON_LA.toISOString(),
    });
  });
  afterAll(async () => t.close());

  it('plans every recipient once: lawful ones queued, the others blocked with their reason', async () => {
    const campaign = await launch(t.ctx, promoCampaign(), NOON_LA);
    expect(campaign.status).toBe('scheduled');
    const counts = await runCampaigns(t.ctx, { now: NOON_LA, batchSize: 3 });
    expect(counts).toMatchObject({ started: 1, planned: 9 });
    const messages = await campaignMessages(t.ctx, campaign.id);
    expect(messages).toHaveLength(9);
    const byContact = new Map(messages.map((m) => [m.contact_id, m]));
    for (const id of consenting) {
      expect(byContact.get(id)).toMatchObject({
        status: 'queued',
        not_before: NOON_LA.toISOString(),
        variant: 'A',
      });
    }
    expect(byContact.get(noConsent)).toMatchObject({ status: 'blocked', error_code: 'no_consent' });
    expect(byContact.get(suppressed)).toMatchObject({
      status: 'blocked',
      error_code: 'suppressed',
    });
    const after = await findCampaign(t.ctx.store.db, campaign.id);
    expect(after).toMatchObject({ status: 'sending', plan_phase: 'done' });
    await actOnCampaign(t.ctx, campaign.id, 'cancel', { actor: 'test', now: NOON_LA });
  });

  it('resumes from its checkpoint, and a replayed batch writes nothing twice', async () => {
    const campaign = await launch(t.ctx, promoCampaign({ name: 'resume' }), NOON_LA);
    await actOnCampaign(t.ctx, campaign.id, 'start', { actor: 'test', now: NOON_LA });
    const first = await planCampaign(t.ctx, campaign.id, {
      now: NOON_LA,
      batchSize: 4,
      maxBatches: 1,
    });
    expect(first.batches).toBe(1);
    const checkpoint = (await findCampaign(t.ctx.store.db, campaign.id))!.plan_after_id;
    expect(checkpoint).toBe(consenting[3]);
    expect(await campaignMessages(t.ctx, campaign.id)).toHaveLength(4);
    // As if the checkpoint of that batch had been lost: planning again from the start.
    await t.ctx.store.db
      .updateTable('campaigns')
      .set({ plan_after_id: 0 })
      .where('id', '=', campaign.id)
      .execute();
    await planCampaign(t.ctx, campaign.id, { now: NOON_LA, batchSize: 4 });
    const messages = await campaignMessages(t.ctx, campaign.id);
    expect(messages).toHaveLength(9);
    expect(new Set(messages.map((m) => m.contact_id)).size).toBe(9);
    await actOnCampaign(t.ctx, campaign.id, 'cancel', { actor: 'test', now: NOON_LA });
  });

  it('holds the frequency cap across two campaigns planned at the same moment', async () => {
    await setMarketingCap(t.ctx, 'US', 1);
    try {
      const a = await launch(t.ctx, promoCampaign({ name: 'cap A' }), NOON_LA);
      const b = await launch(t.ctx, promoCampaign({ name: 'cap B' }), NOON_LA);
      for (const c of [a, b]) {
        await actOnCampaign(t.ctx, c.id, 'start', { actor: 'test', now: NOON_LA });
      }
      await Promise.all(
        [a, b].map((c) => planCampaign(t.ctx, c.id, { now: NOON_LA, batchSize: 2 })),
      );
      const all = [
        ...(await campaignMessages(t.ctx, a.id)),
        ...(await campaignMessages(t.ctx, b.id)),
      ];
      for (const id of consenting) {
        const mine = all.filter((m) => m.contact_id === id);
        expect(mine.map((m) => m.status).sort()).toEqual(['deferred', 'queued']);
        const deferred = mine.find((m) => m.status === 'deferred')!;
        expect(deferred.error_code).toBe('frequency_cap');
        // Not before the first one has left the 7-day window.
        expect(Date.parse(deferred.not_before)).toBeGreaterThanOrEqual(
          NOON_LA.getTime() + 7 * 24 * 3600_000,
        );
      }
      for (const c of [a, b]) {
        await actOnCampaign(t.ctx, c.id, 'cancel', { actor: 'test', now: NOON_LA });
      }
    } finally {
      await setMarketingCap(t.ctx, 'US', 2);
    }
  });

  it("sends at 10:00 in each recipient's own time zone", async () => {
    const ny = await consentingContact(t.ctx, '+12125550100');
    const campaign = await launch(
      t.ctx,
      promoCampaign({
        name: 'local',
        schedule: { kind: 'local_time', date: '2030-01-09', time: '10:00' },
      }),
      NOON_LA,
    );
    await runCampaigns(t.ctx, { now: new Date('2030-01-09T00:00:00Z') });
    const messages = await campaignMessages(t.ctx, campaign.id);
    expect(messages.find((m) => m.contact_id === ny)).toMatchObject({
      status: 'queued',
      not_before: '2030-01-09T15:00:00.000Z', // 10:00 EST
    });
    expect(messages.find((m) => m.contact_id === consenting[0])).toMatchObject({
      status: 'queued',
      not_before: '2030-01-09T18:00:00.000Z', // 10:00 PST
    });
    await actOnCampaign(t.ctx, campaign.id, 'cancel', { actor: 'test', now: NOON_LA });
  });
});
