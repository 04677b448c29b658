/**
 * End to end on the embedded default (SQLite) with the simulator: a saved segment (country, age
 * band, purchases in the last 30 days) → a campaign written by a marketer over the API →
 * approved by a second person → scheduled → started and planned by the lifecycle job → sent
 * by the dispatcher → delivery receipts from the simulator → completed, with counts that agree
 * with the messages table.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCampaigns } from '../../src/campaigns/lifecycle-job.js';
import { createContact } from '../../src/contacts/contacts.js';
import { recordEvents } from '../../src/contacts/events.js';
import { wireCarrierEvents } from '../../src/delivery/carrier-events.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { insertSegment } from '../../src/store/saved-segments.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { consentingContact, NOON_LA, PROMO } from '../delivery/helpers.js';

describe('campaign end to end on the embedded default', () => {
  let t: TestApp;
  let marketer: Record<string, string>;
  let compliance: Record<string, string>;
  const buyers: number[] = [];

  const call = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await openTestApp('sqlite');
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    compliance = { authorization: `Bearer ${await t.keyFor('compliance')}` };
    const purchase = (id: number, at: string) => ({
      type: 'purchase',
      contact: { id },
      occurredAt: at,
      properties: { amount: 42, currency: 'USD' },
    });
    const events: object[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await consentingContact(t.ctx, `+1415555${String(6000 + i)}`);
      await t.ctx.store.db
        .updateTable('contacts')
        .set({ age_band: '25-34' })
        .where('id', '=', id)
        .execute();
      buyers.push(id);
      events.push(purchase(id, '2030-01-02T10:00:00Z'));
    }
    // In the segment but never agreed to marketing: planned as blocked, with its reason.
    const silent = (
      await createContact(
        t.ctx,
        { phone: '+14155556100', source: 'test', attributes: { age_band: '25-34' } },
        'test',
      )
    ).id;
    events.push(purchase(silent, '2030-01-03T10:00:00Z'));
    // Outside the segment: an old purchase, a wrong age band.
    const old = await consentingContact(t.ctx, '+14155556101');
    await t.ctx.store.db
      .updateTable('contacts')
      .set({ age_band: '25-34' })
      .where('id', '=', old)
      .execute();
    events.push(purchase(old, '2029-10-01T10:00:00Z'));
    const young = await consentingContact(t.ctx, '+14155556102');
    await t.ctx.store.db
      .updateTable('contacts')
      .set({ age_band: '18-24' })
      .where('id', '=', young)
      .execute();
    events.push(purchase(young, '2030-01-02T10:00:00Z'));
    const recorded = await recordEvents(t.ctx, events, { now: NOON_LA });
    expect(recorded.accepted).toBe(events.length);
    await insertSegment(t.ctx.store.db, {
      name: 'recent US buyers 25-34',
      description: null,
      filter: JSON.stringify({
        and: [
          { kind: 'country', in: ['US'] },
          { kind: 'age_band', in: ['25-34'] },
          { kind: 'purchase', withinDays: 30, count: { min: 1 } },
        ],
      }),
      created_by: 'test',
      created_at: NOON_LA.toISOString(),
      updated_by: 'test',
      updated_at: NOON_LA.toISOString(),
    });
  });
  afterAll(async () => t.close());

  it('goes from segment to delivered messages, approved by a second person', async () => {
    const segment = await t.ctx.store.db
      .selectFrom('segments')
      .select('id')
      .executeTakeFirstOrThrow();
    const created = await call('POST', '/v1/campaigns', marketer, {
      name: 'Recent buyers',
      purpose: 'marketing',
      audience: { segmentId: segment.id },
      variants: [{ key: 'A', body: PROMO }],
      schedule: { kind: 'now' },
      brand: 'Acme',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    expect((await call('POST', `/v1/campaigns/${id}/submit`, marketer, {})).statusCode).toBe(200);
    expect((await call('POST', `/v1/campaigns/${id}/approve`, compliance, {})).statusCode).toBe(
      200,
    );
    expect((await call('POST', `/v1/campaigns/${id}/schedule`, marketer, {})).json().status).toBe(
      'scheduled',
    );

    expect(await runCampaigns(t.ctx, { now: NOON_LA })).toMatchObject({ started: 1, planned: 6 });
    const events = wireCarrierEvents(t.ctx);
    try {
      expect((await dispatchDue(t.ctx, { now: NOON_LA })).sent).toBe(5);
      await vi.waitFor(async () => {
        const view = (await call('GET', `/v1/campaigns/${id}`, marketer)).json();
        expect(view.counts.byStatus).toEqual({ delivered: 5, blocked: 1 });
      });
      await events.idle();
    } finally {
      events.stop();
    }
    expect(await runCampaigns(t.ctx, { now: NOON_LA })).toMatchObject({ completed: 1 });
    const view = (await call('GET', `/v1/campaigns/${id}`, marketer)).json();
    expect(view).toMatchObject({
      status: 'completed',
      counts: {
        planned: 6,
        blockedByReason: { no_consent: 1 },
        byVariant: { A: { delivered: 5, blocked: 1 } },
      },
    });
    const rows = await t.ctx.store.db
      .selectFrom('messages')
      .select(['contact_id', 'status'])
      .where('campaign_id', '=', id)
      .where('status', '=', 'delivered')
      .orderBy('contact_id')
      .execute();
    expect(rows.map((r) => r.contact_id)).toEqual(buyers);
    // The sent messages carry the campaign's text; the numbers never appear in the view.
    expect(JSON.stringify(view)).not.toMatch(/555\d{4}/);
  });
});
