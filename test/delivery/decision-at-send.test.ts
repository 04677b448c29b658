import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import type { SimulatorCarrier } from '../../src/carriers/simulator.js';
import { setPolicyOverrides } from '../../src/compliance/policies.js';
import { receiveInbound } from '../../src/contacts/inbound.js';
import { policyResolver } from '../../src/compliance/policies.js';
import { claimBatch, dispatchDue } from '../../src/delivery/dispatcher.js';
import { fencedHandOff } from '../../src/delivery/fence.js';
import { decideAndReserve } from '../../src/delivery/reserve.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { findMessage, listMessagesOf } from '../../src/store/messages.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  historyOf,
  NOON_LA,
  openDelivery,
  PROMO,
  setMarketingCap,
  type DeliveryTest,
} from './helpers.js';

const US = '+14155550123';
const OTHER = '+14155550188';

describe.each(DIALECTS)('[%s] the decision at the moment of sending', (dialect) => {
  let t: DeliveryTest;
  let ctx: AppContext;
  let sim: SimulatorCarrier;
  let contactId: number;

  const promo = (opts: { to?: string; contactId?: number; now?: Date; body?: string } = {}) =>
    enqueueMessage(ctx, {
      to: opts.to ?? US,
      purpose: 'marketing',
      kind: 'campaign',
      body: opts.body ?? PROMO,
      brand: 'Acme',
      contactId: opts.contactId ?? contactId,
      now: opts.now ?? NOON_LA,
    });

  beforeAll(async () => {
    t = await openDelivery(dialect);
    ctx = t.ctx;
    sim = t.sims.simulator!;
    contactId = await consentingContact(ctx, US);
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await ctx.store.db.deleteFrom('messages').execute();
    await setPolicyOverrides(ctx, 'US', null, 'test');
    sim.clear();
  });

  it('blocks a message queued before an opt-out that arrived after it', async () => {
    const contact = await consentingContact(ctx, OTHER);
    const queued = await promo({ to: OTHER, contactId: contact });
    const stop = await receiveInbound(ctx, sim.injectInbound(OTHER, 'stop', NOON_LA));
    expect(stop.action).toBe('opted_out');
    await dispatchDue(ctx, { now: NOON_LA });
    expect(await findMessage(ctx.store.db, queued.id)).toMatchObject({
      status: 'blocked',
      error_code: 'suppressed',
      decision: JSON.stringify({ action: 'block', reason: 'suppressed' }),
    });
    // Only the opt-out confirmation went, which the policy owes them.
    expect(sim.sentTo(OTHER).map((m) => m.purpose)).toEqual(['transactional']);
  });

  it('stops at the hand-off itself a message decided just before an opt-out', async () => {
    const contact = await consentingContact(ctx, '+14155550189');
    const queued = await promo({ to: '+14155550189', contactId: contact });
    const leaseUntil = new Date(NOON_LA.getTime() + 60_000).toISOString();
    const { rows } = await claimBatch(ctx, { now: NOON_LA, leaseUntil, limit: 10 });
    const verdict = await decideAndReserve(ctx, rows[0]!, {
      now: NOON_LA,
      leaseUntil,
      policyFor: policyResolver(new Map()),
      carrier: 'simulator',
      sender: undefined,
    });
    expect(verdict.action).toBe('send');
    // The STOP is recorded between the decision and the hand-off.
    await receiveInbound(ctx, sim.injectInbound('+14155550189', 'STOP', NOON_LA));
    const handOff = fencedHandOff(ctx, rows[0]!, { leaseUntil, now: NOON_LA });
    expect(
      await handOff(sim, {
        messageId: queued.id,
        to: '+14155550189',
        body: PROMO,
        purpose: 'marketing',
        segments: 1,
      }),
    ).toEqual({ stopped: 'suppressed' });
    expect(sim.sentTo('+14155550189')).toEqual([]);
    expect(await findMessage(ctx.store.db, queued.id)).toMatchObject({
      status: 'blocked',
      error_code: 'suppressed',
      lease_until: null,
    });
    expect(await historyOf(ctx, queued.id)).toEqual(['queued', 'sending', 'submitted', 'blocked']);
  });

  it('defers a marketing message due at 23:00 recipient time to 08:00, then sends it', async () => {
    const elevenPm = new Date('2030-01-08T07:00:00.000Z'); // 23:00 in Los Angeles, 7 January
    const queued = await promo({ now: elevenPm });
    expect(await dispatchDue(ctx, { now: elevenPm })).toMatchObject({ claimed: 1, deferred: 1 });
    const deferred = (await findMessage(ctx.store.db, queued.id))!;
    expect(deferred).toMatchObject({
      status: 'deferred',
      error_code: 'quiet_hours',
      not_before: '2030-01-08T16:00:00.000Z', // 08:00 in Los Angeles
      attempts: 0,
      lease_until: null,
    });
    expect(sim.sent()).toEqual([]);
    expect((await dispatchDue(ctx, { now: new Date('2030-01-08T15:59:59Z') })).claimed).toBe(0);
    expect(await dispatchDue(ctx, { now: new Date('2030-01-08T16:00:00Z') })).toMatchObject({
      sent: 1,
    });
    expect(await historyOf(ctx, queued.id)).toEqual([
      'queued',
      'sending',
      'deferred',
      'sending',
      'submitted',
      'sent',
    ]);
  });

  it.each([1, 2, 1, 2])(
    'never lets concurrent dispatch runs pass a cap of %i together',
    async (cap) => {
      await setMarketingCap(ctx, 'US', cap);
      for (let i = 0; i < 9; i++) await promo({ body: `${PROMO} #${i}` });
      // Three workers (or three campaigns' dispatchers) at the same instant, each with its share.
      const runs = await Promise.all(
        [1, 2, 3].map(() => dispatchDue(ctx, { now: NOON_LA, limit: 3 })),
      );
      expect(runs.reduce((n, r) => n + r.claimed, 0)).toBe(9);
      expect(sim.sentTo(US)).toHaveLength(cap);
      const rows = await listMessagesOf(ctx.store.db, { phoneIndex: ctx.cipher.blindIndex(US) });
      expect(rows.filter((r) => r.status === 'sent')).toHaveLength(cap);
      const deferred = rows.filter((r) => r.status === 'deferred');
      expect(deferred).toHaveLength(9 - cap);
      expect(new Set(deferred.map((r) => r.error_code))).toEqual(new Set(['frequency_cap']));
      // The cap frees a week after the first send; a run in between sends nothing more.
      const nextDay = new Date(NOON_LA.getTime() + 86_400_000);
      expect((await dispatchDue(ctx, { now: nextDay })).sent).toBe(0);
      expect(sim.sentTo(US)).toHaveLength(cap);
    },
  );

  it('counts what was already sent: a message over the cap waits for the window to free', async () => {
    await setMarketingCap(ctx, 'US', 1, 24);
    await promo();
    await dispatchDue(ctx, { now: NOON_LA });
    const second = await promo({ body: `${PROMO} again` });
    await dispatchDue(ctx, { now: NOON_LA });
    expect(await findMessage(ctx.store.db, second.id)).toMatchObject({
      status: 'deferred',
      error_code: 'frequency_cap',
      not_before: new Date(NOON_LA.getTime() + 86_400_000).toISOString(),
    });
  });

  it('sends a transactional message to a number that is not a contact, unless suppressed for all', async () => {
    const plain = await enqueueMessage(ctx, {
      to: '+14155550177',
      purpose: 'transactional',
      kind: 'api',
      body: 'Your parcel is on its way',
      now: NOON_LA,
    });
    const barred = await enqueueMessage(ctx, {
      to: '+14155550166',
      purpose: 'transactional',
      kind: 'api',
      body: 'Your parcel is on its way',
      now: NOON_LA,
    });
    await addSuppression(ctx.store.db, {
      phone_index: ctx.cipher.blindIndex('+14155550166'),
      scope: 'all',
      reason: 'complaint',
      note: null,
      created_by: 'test',
      created_at: NOON_LA.toISOString(),
    });
    expect(await dispatchDue(ctx, { now: NOON_LA })).toMatchObject({ sent: 1, blocked: 1 });
    expect((await findMessage(ctx.store.db, plain.id))!.status).toBe('sent');
    expect(await findMessage(ctx.store.db, barred.id)).toMatchObject({
      status: 'blocked',
      error_code: 'suppressed',
    });
  });

  it('blocks marketing that breaks the content rules at send time', async () => {
    const noOptOut = await promo({ body: 'Acme: spring sale, 20% off today' });
    await dispatchDue(ctx, { now: NOON_LA });
    expect(await findMessage(ctx.store.db, noOptOut.id)).toMatchObject({
      status: 'blocked',
      error_code: 'content_noncompliant',
    });
  });
});
