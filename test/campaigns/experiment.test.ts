import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCampaigns } from '../../src/campaigns/lifecycle-job.js';
import { assignVariant } from '../../src/core/campaigns/variants.js';
import { findCampaign } from '../../src/store/campaigns.js';
import { insertClick, insertShortLink } from '../../src/store/short-links.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  NOON_LA,
  openDelivery,
  type DeliveryTest,
} from '../delivery/helpers.js';
import { campaignMessages, launch, promoCampaign } from './helpers.js';

const HOUR = 3600_000;

describe.each(DIALECTS)('[%s] A/B tests and send-time optimisation', (dialect) => {
  let t: DeliveryTest;
  const contacts: number[] = [];

  beforeAll(async () => {
    t = await openDelivery(dialect);
    for (let i = 0; i < 30; i++) {
      contacts.push(await consentingContact(t.ctx, `+1415555${String(4000 + i)}`));
    }
  });
  afterAll(async () => t.close());

  it('sends the test group its variants, then the winner to the rest once the test has run', async () => {
    const c = await launch(
      t.ctx,
      promoCampaign({
        name: 'ab',
        variants: [
          { key: 'A', body: 'Acme: spring sale, 20% off today. Reply STOP to opt out' },
          { key: 'B', body: 'Acme: 20% off everything, today only. Reply STOP to opt out' },
        ],
        experiment: {
          testFraction: 0.5,
          metric: 'click_rate',
          durationHours: 2,
          defaultVariant: 'B',
        },
      }),
      NOON_LA,
    );
    await runCampaigns(t.ctx, { now: NOON_LA });
    const test = await campaignMessages(t.ctx, c.id);
    const expected = contacts
      .map((id) => ({
        id,
        a: assignVariant(c.id, id, [{ key: 'A' }, { key: 'B' }], { testFraction: 0.5 }),
      }))
      .filter((x) => x.a.group === 'test');
    expect(test.map((m) => [m.contact_id, m.variant])).toEqual(
      expected.map((x) => [x.id, x.a.variant]),
    );
    expect(new Set(test.map((m) => m.variant))).toEqual(new Set(['A', 'B']));
    expect((await findCampaign(t.ctx.store.db, c.id))!.plan_phase).toBe('await_winner');

    // Before the test has run its two hours, nothing more is planned.
    expect(await runCampaigns(t.ctx, { now: new Date(NOON_LA.getTime() + HOUR) })).toMatchObject({
      winners: 0,
      planned: 0,
    });
    const later = new Date(NOON_LA.getTime() + 3 * HOUR);
    expect(await runCampaigns(t.ctx, { now: later })).toMatchObject({ winners: 1 });
    const all = await campaignMessages(t.ctx, c.id);
    expect(all).toHaveLength(contacts.length);
    expect(new Set(all.map((m) => m.contact_id)).size).toBe(contacts.length);
    const rest = all.filter((m) => !test.some((x) => x.id === m.id));
    expect(rest.length).toBe(contacts.length - test.length);
    expect(rest.every((m) => m.variant === 'B' && m.not_before === later.toISOString())).toBe(true);
    expect(await findCampaign(t.ctx.store.db, c.id)).toMatchObject({
      winner: 'B',
      winner_reason: 'statistics_pending',
      plan_phase: 'done',
    });
  });

  it("sends at each contact's best hour: their own habit, else the good windows", async () => {
    const [habitual, fresh] = [contacts[0]!, contacts[1]!];
    await insertShortLink(t.ctx.store.db, {
      code: 'habit1',
      target: 'https://shop.example/sale',
      message_id: null,
      contact_id: habitual,
      campaign_id: null,
      variant: null,
      created_at: '2029-12-01T00:00:00.000Z',
      expires_at: null,
    });
    // Six evenings at about 19:15 in Los Angeles (03:15Z the next day).
    for (let d = 1; d <= 6; d++) {
      await insertClick(t.ctx.store.db, {
        code: 'habit1',
        at: `2029-12-0${d + 1}T03:15:00.000Z`,
        is_bot: 0,
        visitor: `v${d}`,
      });
    }
    const c = await launch(
      t.ctx,
      promoCampaign({
        name: 'best hour',
        schedule: {
          kind: 'best_hour',
          date: '2030-01-09',
          window: { start: '09:00', end: '21:00' },
        },
      }),
      NOON_LA,
    );
    await runCampaigns(t.ctx, { now: new Date(NOON_LA.getTime() + 7 * 24 * HOUR) });
    const messages = await campaignMessages(t.ctx, c.id);
    // The dates passed by then: the same local hour a week later. 19:00 PST = 03:00Z.
    expect(messages.find((m) => m.contact_id === habitual)!.not_before).toBe(
      '2030-01-16T03:00:00.000Z',
    );
    // No history: the best good window inside 09–21, lunch at 12:00 PST.
    expect(messages.find((m) => m.contact_id === fresh)!.not_before).toBe(
      '2030-01-15T20:00:00.000Z',
    );
  });
});
