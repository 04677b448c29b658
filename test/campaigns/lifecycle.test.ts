import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnCampaign } from '../../src/campaigns/campaigns.js';
import { runCampaigns } from '../../src/campaigns/lifecycle-job.js';
import { changeConsent } from '../../src/contacts/contacts.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { findCampaign } from '../../src/store/campaigns.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  historyOf,
  NOON_LA,
  openDelivery,
  type DeliveryTest,
} from '../delivery/helpers.js';
import { campaignMessages, launch, promoCampaign } from './helpers.js';

const HOUR = 3600_000;
const statuses = async (t: DeliveryTest, id: number) =>
  (await campaignMessages(t.ctx, id)).map((m) => m.status).sort();

describe.each(DIALECTS)('[%s] campaign lifecycle', (dialect) => {
  let t: DeliveryTest;
  const contacts: number[] = [];

  beforeAll(async () => {
    t = await openDelivery(dialect, {
      simulators: [{ receipts: false }],
      env: { HERALD_SMS_PRICES: '{"default":0.5,"US":1}' },
    });
    for (let i = 0; i < 6; i++) {
      contacts.push(await consentingContact(t.ctx, `+1415555${String(3000 + i)}`));
    }
  });
  afterAll(async () => t.close());

  it('pauses, resumes and cancels mid-send: nothing leaves while paused or after cancel', async () => {
    const c = await launch(t.ctx, promoCampaign({ name: 'mid-send' }), NOON_LA);
    await runCampaigns(t.ctx, { now: NOON_LA });
    expect((await dispatchDue(t.ctx, { now: NOON_LA, limit: 2 })).sent).toBe(2);

    const paused = await actOnCampaign(t.ctx, c.id, 'pause', { actor: 'user:alice', now: NOON_LA });
    expect(paused).toMatchObject({
      status: 'paused',
      paused_from: 'sending',
      pause_reason: 'manual',
    });
    expect(await statuses(t, c.id)).toEqual([
      'paused',
      'paused',
      'paused',
      'paused',
      'sent',
      'sent',
    ]);
    expect((await dispatchDue(t.ctx, { now: NOON_LA })).claimed).toBe(0);
    // The job leaves a paused campaign alone.
    expect(await runCampaigns(t.ctx, { now: NOON_LA })).toMatchObject({ planned: 0, completed: 0 });

    const resumed = await actOnCampaign(t.ctx, c.id, 'resume', {
      actor: 'user:alice',
      now: NOON_LA,
    });
    expect(resumed.status).toBe('sending');
    expect((await dispatchDue(t.ctx, { now: NOON_LA, limit: 1 })).sent).toBe(1);

    await actOnCampaign(t.ctx, c.id, 'cancel', { actor: 'user:alice', now: NOON_LA });
    expect(await statuses(t, c.id)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'sent',
      'sent',
      'sent',
    ]);
    expect((await dispatchDue(t.ctx, { now: NOON_LA })).claimed).toBe(0);
    const cancelled = (await campaignMessages(t.ctx, c.id)).find((m) => m.status === 'cancelled')!;
    expect(await historyOf(t.ctx, cancelled.id)).toEqual([
      'queued',
      'paused',
      'queued',
      'cancelled',
    ]);
    const audit = await t.ctx.store.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('target', '=', `campaign:${c.id}`)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'campaign.create',
      'campaign.submit',
      'campaign.approve',
      'campaign.schedule',
      'campaign.start',
      'campaign.pause',
      'campaign.resume',
      'campaign.cancel',
    ]);
    expect(audit.find((a) => a.action === 'campaign.start')!.actor).toBe('system:campaigns');
  });

  it('stops a message a worker claimed but had not handed over when the campaign is cancelled', async () => {
    const c = await launch(
      t.ctx,
      promoCampaign({ name: 'claimed' }),
      new Date(NOON_LA.getTime() + 30 * 24 * HOUR),
    );
    const later = new Date(NOON_LA.getTime() + 30 * 24 * HOUR);
    await runCampaigns(t.ctx, { now: later });
    const [first] = await campaignMessages(t.ctx, c.id);
    // A worker's claim (status sending under a lease), as the dispatcher takes it.
    await t.ctx.store.db
      .updateTable('messages')
      .set({ status: 'sending', lease_until: new Date(later.getTime() + 60_000).toISOString() })
      .where('id', '=', first!.id)
      .execute();
    await actOnCampaign(t.ctx, c.id, 'cancel', { actor: 'user:alice', now: later });
    expect((await campaignMessages(t.ctx, c.id)).every((m) => m.status === 'cancelled')).toBe(true);
  });

  it('completes once everything planned has left', async () => {
    const at = new Date(NOON_LA.getTime() + 60 * 24 * HOUR);
    const c = await launch(t.ctx, promoCampaign({ name: 'complete' }), at);
    await runCampaigns(t.ctx, { now: at });
    expect((await findCampaign(t.ctx.store.db, c.id))!.status).toBe('sending');
    expect((await dispatchDue(t.ctx, { now: at })).sent).toBe(6);
    expect(await runCampaigns(t.ctx, { now: at })).toMatchObject({ completed: 1 });
    expect(await findCampaign(t.ctx.store.db, c.id)).toMatchObject({
      status: 'completed',
      finished_at: at.toISOString(),
    });
  });

  it('pauses before its cost would pass the budget', async () => {
    const at = new Date(NOON_LA.getTime() + 120 * 24 * HOUR);
    const c = await launch(t.ctx, promoCampaign({ name: 'budget', guardrails: { budget: 3 } }), at);
    const counts = await runCampaigns(t.ctx, { now: at });
    expect(counts).toMatchObject({ planned: 3, paused: 1 });
    const row = (await findCampaign(t.ctx.store.db, c.id))!;
    expect(row).toMatchObject({ status: 'paused', pause_reason: 'budget', cost: 3 });
    expect(await campaignMessages(t.ctx, c.id)).toHaveLength(3);
    // Resumed with a higher budget, it plans the rest.
    await actOnCampaign(t.ctx, c.id, 'resume', {
      actor: 'user:alice',
      now: at,
      guardrails: { budget: 10 },
    });
    expect(await runCampaigns(t.ctx, { now: at })).toMatchObject({ planned: 3, paused: 0 });
    expect(await findCampaign(t.ctx.store.db, c.id)).toMatchObject({ status: 'sending', cost: 6 });
  });

  it('pauses itself when the opt-out rate passes its threshold, and says why', async () => {
    const at = new Date(NOON_LA.getTime() + 90 * 24 * HOUR);
    const c = await launch(
      t.ctx,
      promoCampaign({
        name: 'annoying',
        guardrails: { optOutRate: 0.2, minSample: 5, window: 50 },
      }),
      at,
    );
    await runCampaigns(t.ctx, { now: at });
    await dispatchDue(t.ctx, { now: at });
    for (const id of contacts.slice(0, 2)) {
      await changeConsent(
        t.ctx,
        id,
        {
          purpose: 'marketing',
          action: 'revoke',
          method: 'keyword',
          source: 'test',
          at: new Date(at.getTime() + 60_000),
        },
        'test',
      );
    }
    expect(await runCampaigns(t.ctx, { now: new Date(at.getTime() + 120_000) })).toMatchObject({
      paused: 1,
    });
    const paused = (await findCampaign(t.ctx.store.db, c.id))!;
    expect(paused).toMatchObject({ status: 'paused', pause_reason: 'opt_out_rate' });
    expect(JSON.parse(paused.pause_detail!)).toMatchObject({
      rate: 0.3333,
      threshold: 0.2,
      optOuts: 2,
    });
    const entry = await t.ctx.store.db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('target', '=', `campaign:${c.id}`)
      .where('action', '=', 'campaign.pause')
      .executeTakeFirstOrThrow();
    expect(entry.actor).toBe('system:guardrails');
    expect(JSON.parse(entry.details)).toMatchObject({ reason: 'opt_out_rate' });
  });
});
