/**
 * Issue 5's opt-out race, scaled down for the suite: 1,000 marketing messages to one number are
 * being dispatched by two workers when the person texts STOP. Every message handed to the
 * carrier was decided before the STOP was recorded; none is handed after it; the rest end
 * blocked. The simulator's hand-off sequence is the carrier's own record of the order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveInbound } from '../../src/contacts/inbound.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { enqueueMessage, HANDED_STATUSES } from '../../src/delivery/outbox.js';
import { listMessagesOf } from '../../src/store/messages.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  NOON_LA,
  openDelivery,
  PROMO,
  setMarketingCap,
  type DeliveryTest,
} from './helpers.js';

const US = '+14155550123';
const COUNT = 1000;

describe.each(DIALECTS)('[%s] opt-out race', (dialect) => {
  let t: DeliveryTest;

  beforeAll(async () => {
    // 5 ms per submission: the carrier's answer takes a while, as a real one's does, so the STOP
    // lands in the middle of the dispatch even on a loaded machine.
    t = await openDelivery(dialect, {
      simulators: [{ historyLimit: 5000, receipts: false, latencyMs: 5 }],
    });
  });
  afterAll(async () => t.close());

  it(`stops every one of ${COUNT} queued messages not yet handed to the carrier`, async () => {
    const { ctx } = t;
    const sim = t.sims.simulator!;
    const contactId = await consentingContact(ctx, US);
    await setMarketingCap(ctx, 'US', 10 * COUNT);
    for (let i = 0; i < COUNT; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          enqueueMessage(ctx, {
            to: US,
            purpose: 'marketing',
            kind: 'campaign',
            body: `${PROMO} (${i + j})`,
            brand: 'Acme',
            contactId,
            now: NOON_LA,
          }),
        ),
      );
    }

    const worker = async () => {
      for (;;) {
        const counts = await dispatchDue(ctx, { now: NOON_LA, limit: 50 });
        if (counts.claimed === 0) return;
      }
    };
    const workers = Promise.all([worker(), worker()]);
    const marketingHanded = () => sim.sentTo(US).filter((m) => m.purpose === 'marketing');
    while (marketingHanded().length < 50) await new Promise((r) => setTimeout(r, 1));

    const stop = await receiveInbound(ctx, sim.injectInbound(US, 'STOP', NOON_LA));
    const seqAtStop = sim.handoffs;
    const decidedBeforeStop = (
      await listMessagesOf(ctx.store.db, {
        phoneIndex: ctx.cipher.blindIndex(US),
        limit: 10 * COUNT,
      })
    ).filter(
      (m) => m.kind === 'campaign' && (HANDED_STATUSES as readonly string[]).includes(m.status),
    ).length;
    await workers;

    expect(stop.action).toBe('opted_out');
    const handed = marketingHanded();
    expect(handed.length).toBeGreaterThanOrEqual(50);
    expect(handed.length).toBeLessThan(COUNT);
    // None after the STOP was recorded: by the carrier's own sequence, and by the outbox.
    expect(handed.filter((m) => m.seq > seqAtStop)).toEqual([]);
    // (Some decided before it may still have been stopped at the hand-off itself.)
    expect(handed.length).toBeLessThanOrEqual(decidedBeforeStop);
    expect(new Set(handed.map((m) => m.messageId)).size).toBe(handed.length);

    const rows = (
      await listMessagesOf(ctx.store.db, {
        phoneIndex: ctx.cipher.blindIndex(US),
        limit: 10 * COUNT,
      })
    ).filter((m) => m.kind === 'campaign');
    expect(rows).toHaveLength(COUNT);
    const byStatus = new Map<string, number>();
    for (const r of rows) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({
      sent: handed.length,
      blocked: COUNT - handed.length,
    });
    // Suppressed, or opted out: a decision whose reads straddle the STOP's commit (each statement
    // sees the latest commit, as the count of sends under the lock must) sees the revocation first.
    for (const r of rows.filter((x) => x.status === 'blocked')) {
      expect(['suppressed', 'opted_out']).toContain(r.error_code);
    }
    // The confirmation the policy owes went out too, after the STOP.
    expect(sim.sentTo(US).filter((m) => m.purpose === 'transactional')).toHaveLength(1);
  });
});
