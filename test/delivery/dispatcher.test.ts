import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import type { SimulatorCarrier } from '../../src/carriers/simulator.js';
import { policyResolver } from '../../src/compliance/policies.js';
import { claimBatch, dispatchDue, retryDelayMs } from '../../src/delivery/dispatcher.js';
import { enqueueMessage, type EnqueueInput } from '../../src/delivery/outbox.js';
import { recheckAtSend } from '../../src/delivery/recheck.js';
import { decideAndReserve } from '../../src/delivery/reserve.js';
import { claimDueMessages, finishClaim, findMessage } from '../../src/store/messages.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  historyOf,
  NOON_LA,
  openDelivery,
  PROMO,
  type DeliveryTest,
} from './helpers.js';

const T0 = NOON_LA;
const at = (ms: number) => new Date(T0.getTime() + ms);
const US = '+14155550123';

describe('recheckAtSend (Herald’s own replies)', () => {
  const base = { hasNumber: true, suppressions: [], marketingConsent: true } as const;
  it.each([
    [{ ...base, purpose: 'marketing' }, { action: 'send' }],
    [
      { ...base, purpose: 'marketing', marketingConsent: null },
      { action: 'block', reason: 'no_consent' },
    ],
    [
      { ...base, purpose: 'marketing', suppressions: [{ scope: 'marketing', reason: 'opt_out' }] },
      { action: 'block', reason: 'suppressed', detail: 'opt_out' },
    ],
    [
      {
        ...base,
        purpose: 'transactional',
        suppressions: [{ scope: 'marketing', reason: 'opt_out' }],
      },
      { action: 'send' },
    ],
    [
      { ...base, purpose: 'transactional', suppressions: [{ scope: 'all', reason: 'blocklist' }] },
      { action: 'block', reason: 'suppressed', detail: 'blocklist' },
    ],
    [
      { ...base, purpose: 'transactional', hasNumber: false },
      { action: 'block', reason: 'invalid_number', detail: 'erased' },
    ],
  ] as const)('%j → %j', (facts, expected) => {
    expect(recheckAtSend(facts)).toEqual(expected);
  });
});

describe.each(DIALECTS)('[%s] outbox and dispatcher', (dialect) => {
  let t: DeliveryTest;
  let ctx: AppContext;
  let sim: SimulatorCarrier;
  let consenting: number;

  const queue = (input: Partial<EnqueueInput> & { to: string }) =>
    enqueueMessage(ctx, {
      purpose: 'transactional',
      kind: 'api',
      body: 'Your code is 123456',
      now: T0,
      ...input,
    });
  const promo = (to = US) =>
    queue({
      to,
      purpose: 'marketing',
      kind: 'campaign',
      body: PROMO,
      brand: 'Acme',
      contactId: consenting,
    });

  beforeAll(async () => {
    t = await openDelivery(dialect);
    ctx = t.ctx;
    sim = t.sims.simulator!;
    consenting = await consentingContact(ctx, US);
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await ctx.store.db.deleteFrom('messages').execute();
    sim.clear();
  });

  it('keeps the number encrypted, sends through the default route and keeps a history', async () => {
    const queued = await queue({ to: US, body: '你好' });
    expect(queued).toMatchObject({ status: 'queued', segments: 1, attempts: 0, country: 'US' });
    expect(JSON.stringify(queued)).not.toContain('4155550123');
    expect(queued.phone_index).toBe(ctx.cipher.blindIndex(US));

    const counts = await dispatchDue(ctx, { now: T0 });
    expect(counts).toMatchObject({ claimed: 1, sent: 1, failed: 0, blocked: 0 });
    expect(sim.sent()).toMatchObject([{ seq: 1, messageId: queued.id, to: US, body: '你好' }]);
    expect(await findMessage(ctx.store.db, queued.id)).toMatchObject({
      status: 'sent',
      carrier: 'simulator',
      carrier_message_id: sim.sent()[0]!.carrierMessageId,
      sent_at: T0.toISOString(),
      lease_until: null,
      attempts: 1,
      decision: JSON.stringify({ action: 'send' }),
    });
    expect(await historyOf(ctx, queued.id)).toEqual(['queued', 'sending', 'submitted', 'sent']);
    expect((await dispatchDue(ctx, { now: at(60_000) })).claimed).toBe(0);
  });

  it('waits for not_before', async () => {
    const later = await queue({ to: US, notBefore: at(3_600_000) });
    expect((await dispatchDue(ctx, { now: at(3_599_000) })).claimed).toBe(0);
    expect((await dispatchDue(ctx, { now: at(3_600_000) })).sent).toBe(1);
    expect((await findMessage(ctx.store.db, later.id))!.status).toBe('sent');
  });

  it('ends permanent failures, retries temporary ones with back-off, then gives up', async () => {
    const dead = await queue({ to: '+14155550001' });
    const busy = await queue({ to: '+14155550002' });
    const first = await dispatchDue(ctx, { now: T0, maxAttempts: 2 });
    expect(first).toMatchObject({ claimed: 2, failed: 1, retried: 1 });
    expect(await findMessage(ctx.store.db, dead.id)).toMatchObject({
      status: 'failed',
      error_code: 'SIM_UNKNOWN_SUBSCRIBER',
    });
    const retry = (await findMessage(ctx.store.db, busy.id))!;
    expect(retry).toMatchObject({
      status: 'queued',
      error_code: 'SIM_THROTTLED',
      attempts: 1,
      sent_at: null,
    });
    expect(retry.not_before).toBe(at(retryDelayMs(1)).toISOString());
    expect((await dispatchDue(ctx, { now: at(retryDelayMs(1) - 1) })).claimed).toBe(0);
    expect(await dispatchDue(ctx, { now: at(retryDelayMs(1)), maxAttempts: 2 })).toMatchObject({
      claimed: 1,
      failed: 1,
    });
    expect(await findMessage(ctx.store.db, busy.id)).toMatchObject({
      status: 'failed',
      attempts: 2,
    });
    expect(await historyOf(ctx, busy.id)).toEqual([
      'queued',
      'sending',
      'submitted',
      'queued',
      'sending',
      'submitted',
      'failed',
    ]);
  });

  it('blocks at send time what the decision refuses: no consent, suppression, erased number', async () => {
    const noConsent = await queue({
      to: '+14155550124',
      purpose: 'marketing',
      kind: 'campaign',
      body: PROMO,
      brand: 'Acme',
    });
    const fine = await promo();
    const blocked = await queue({ to: '+447400123456' });
    await addSuppression(ctx.store.db, {
      phone_index: ctx.cipher.blindIndex('+447400123456'),
      scope: 'all',
      reason: 'blocklist',
      note: null,
      created_by: 'test',
      created_at: T0.toISOString(),
    });
    const erased = await queue({ to: '+447400123457' });
    await ctx.store.db
      .updateTable('messages')
      .set({ phone_enc: null })
      .where('id', '=', erased.id)
      .execute();
    expect(await dispatchDue(ctx, { now: T0 })).toMatchObject({ sent: 1, blocked: 3 });
    expect(await findMessage(ctx.store.db, noConsent.id)).toMatchObject({
      status: 'blocked',
      error_code: 'no_consent',
    });
    expect(await findMessage(ctx.store.db, blocked.id)).toMatchObject({
      status: 'blocked',
      error_code: 'suppressed',
    });
    expect(await findMessage(ctx.store.db, erased.id)).toMatchObject({
      status: 'blocked',
      error_code: 'invalid_number',
    });
    expect(sim.sent().map((m) => m.messageId)).toEqual([fine.id]);
    expect(await historyOf(ctx, blocked.id)).toEqual(['queued', 'sending', 'blocked']);
  });

  it('takes over a claim that was never decided, whatever its purpose', async () => {
    const message = await promo();
    // A worker claims it and dies before deciding: no carrier has seen it.
    await claimDueMessages(ctx.store.db, {
      now: T0.toISOString(),
      leaseUntil: at(60_000).toISOString(),
      limit: 10,
    });
    expect((await dispatchDue(ctx, { now: at(30_000) })).claimed).toBe(0);
    expect(await dispatchDue(ctx, { now: at(61_000) })).toMatchObject({ claimed: 1, sent: 1 });
    expect(await findMessage(ctx.store.db, message.id)).toMatchObject({
      status: 'sent',
      attempts: 2,
    });
  });

  it('after a crash between hand-off and answer: marketing ends unknown, transactional is sent again under its id', async () => {
    const otp = await queue({ to: US });
    const offer = await promo();
    const leaseUntil = at(60_000).toISOString();
    const { rows: claimed } = await claimBatch(ctx, { now: T0, leaseUntil, limit: 10 });
    const policyFor = policyResolver(new Map());
    for (const row of claimed) {
      const verdict = await decideAndReserve(ctx, row, {
        now: T0,
        leaseUntil,
        policyFor,
        carrier: 'simulator',
        sender: undefined,
      });
      expect(verdict.action).toBe('send');
    }
    // ... and the worker dies while the carrier has both (or not).
    expect((await findMessage(ctx.store.db, offer.id))!.status).toBe('submitted');
    expect((await dispatchDue(ctx, { now: at(30_000) })).claimed).toBe(0);
    const after = await dispatchDue(ctx, { now: at(61_000) });
    expect(after).toMatchObject({ claimed: 1, sent: 1, abandoned: 1 });
    expect(await findMessage(ctx.store.db, otp.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await findMessage(ctx.store.db, offer.id)).toMatchObject({
      status: 'unknown',
      error_code: 'lease_expired',
      lease_until: null,
    });
    expect(await historyOf(ctx, offer.id)).toEqual(['queued', 'sending', 'submitted', 'unknown']);
    // The carrier's idempotency reference is the message id.
    expect(sim.sent().map((m) => m.messageId)).toEqual([otp.id]);
    expect(await dispatchDue(ctx, { now: at(3_600_000) })).toMatchObject({ claimed: 0 });
    // The dead worker's late outcome does not overwrite the new one.
    expect(
      await finishClaim(ctx.store.db, { id: otp.id, leaseUntil, patch: { status: 'failed' } }),
    ).toBe(false);
    expect((await findMessage(ctx.store.db, otp.id))!.status).toBe('sent');
  });

  it('never hands one message to two concurrent dispatchers', async () => {
    for (let i = 0; i < 30; i++) await queue({ to: US, body: `m${i}` });
    const runs = await Promise.all([
      dispatchDue(ctx, { now: T0, limit: 20 }),
      dispatchDue(ctx, { now: T0, limit: 20 }),
      dispatchDue(ctx, { now: T0, limit: 20 }),
    ]);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(30);
    const ids = sim.sent().map((m) => m.messageId);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
  });

  it('gives claims back unsent when the batch runs out of lease', async () => {
    for (let i = 0; i < 3; i++) await queue({ to: US, body: `late ${i}` });
    // A lease so short that the batch is past its give-back point at once.
    const counts = await dispatchDue(ctx, { now: T0, leaseMs: 0 });
    expect(counts).toMatchObject({ claimed: 3, released: 3, sent: 0 });
    expect(sim.sent()).toEqual([]);
    expect(await dispatchDue(ctx, { now: at(1) })).toMatchObject({ claimed: 3, sent: 3 });
  });
});
