import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { isSimulator, type SimulatorCarrier } from '../../src/carriers/simulator.js';
import { createContact } from '../../src/contacts/contacts.js';
import { dispatchDue, retryDelayMs } from '../../src/delivery/dispatcher.js';
import { enqueueMessage, type EnqueueInput } from '../../src/delivery/outbox.js';
import { recheckAtSend } from '../../src/delivery/recheck.js';
import { claimDueMessages, finishClaim, findMessage } from '../../src/store/messages.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestContext } from '../helpers/context.js';

const T0 = new Date('2030-01-07T08:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('recheckAtSend', () => {
  const base = { hasNumber: true, suppressions: [], marketingConsent: true } as const;
  it.each([
    [{ ...base, purpose: 'marketing' }, { action: 'send' }],
    [
      { ...base, purpose: 'marketing', marketingConsent: null },
      { action: 'block', reason: 'no_consent' },
    ],
    [
      { ...base, purpose: 'marketing', marketingConsent: false },
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
  let ctx: AppContext;
  let sim: SimulatorCarrier;
  let drop: () => Promise<void>;
  let consenting: number;

  const queue = (input: Partial<EnqueueInput> & { to: string }) =>
    enqueueMessage(ctx, {
      purpose: 'transactional',
      kind: 'api',
      body: 'Your code is 123456',
      now: T0,
      ...input,
    });

  beforeAll(async () => {
    const opened = await openTestContext(dialect);
    ctx = opened.ctx;
    drop = async () => {
      await ctx.close();
      await opened.database.drop();
    };
    const carrier = ctx.carriers.default();
    if (!isSimulator(carrier)) throw new Error('the simulator is the default carrier');
    sim = carrier;
    const contact = await createContact(
      ctx,
      {
        phone: '+14155550123',
        source: 'test',
        consents: [{ purpose: 'marketing', action: 'grant', method: 'web_form', source: 'test' }],
      },
      'test',
    );
    consenting = contact.id;
  });
  afterAll(async () => drop());
  beforeEach(async () => {
    await ctx.store.db.deleteFrom('messages').execute();
    sim.clear();
  });

  it('keeps the number encrypted in the outbox and sends through the default carrier', async () => {
    const queued = await queue({ to: '+14155550123', body: '你好' });
    expect(queued).toMatchObject({ status: 'queued', segments: 1, attempts: 0, carrier: null });
    expect(JSON.stringify(queued)).not.toContain('4155550123');
    expect(queued.phone_index).toBe(ctx.cipher.blindIndex('+14155550123'));

    const counts = await dispatchDue(ctx, { now: T0 });
    expect(counts).toMatchObject({ claimed: 1, sent: 1, failed: 0, blocked: 0 });
    expect(sim.sent()).toMatchObject([{ messageId: queued.id, to: '+14155550123', body: '你好' }]);
    const row = await findMessage(ctx.store.db, queued.id);
    expect(row).toMatchObject({
      status: 'sent',
      carrier: 'simulator',
      carrier_message_id: sim.sent()[0]!.carrierMessageId,
      sent_at: T0.toISOString(),
      lease_until: null,
      attempts: 1,
    });
    expect((await dispatchDue(ctx, { now: at(60_000) })).claimed).toBe(0);
  });

  it('waits for not_before', async () => {
    const later = await queue({ to: '+14155550123', notBefore: at(3_600_000) });
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
    expect(retry).toMatchObject({ status: 'queued', error_code: 'SIM_THROTTLED', attempts: 1 });
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
  });

  it('checks suppressions and consent again at the moment of sending', async () => {
    const noConsent = await queue({ to: '+14155550124', purpose: 'marketing', kind: 'campaign' });
    const fine = await queue({
      to: '+14155550123',
      purpose: 'marketing',
      kind: 'campaign',
      contactId: consenting,
    });
    const blocked = await queue({ to: '+447400123456' });
    await addSuppression(ctx.store.db, {
      phone_index: ctx.cipher.blindIndex('+447400123456'),
      scope: 'all',
      reason: 'blocklist',
      note: null,
      created_by: 'test',
      created_at: T0.toISOString(),
    });
    expect(await dispatchDue(ctx, { now: T0 })).toMatchObject({ sent: 1, blocked: 2 });
    expect(await findMessage(ctx.store.db, noConsent.id)).toMatchObject({
      status: 'blocked',
      error_code: 'no_consent',
    });
    expect(await findMessage(ctx.store.db, blocked.id)).toMatchObject({
      status: 'blocked',
      error_code: 'suppressed',
    });
    expect(sim.sent().map((m) => m.messageId)).toEqual([fine.id]);
  });

  it('claims a transactional message again when its lease runs out; a marketing one ends unknown', async () => {
    const otp = await queue({ to: '+14155550123' });
    const promo = await queue({
      to: '+14155550123',
      purpose: 'marketing',
      kind: 'campaign',
      contactId: consenting,
    });
    // A worker claims both and dies before recording anything.
    const leaseUntil = at(60_000).toISOString();
    const claimed = await claimDueMessages(ctx.store.db, {
      now: T0.toISOString(),
      leaseUntil,
      limit: 10,
    });
    expect(claimed.map((m) => m.status)).toEqual(['sending', 'sending']);
    // While the lease holds, nobody else takes them.
    expect((await dispatchDue(ctx, { now: at(30_000) })).claimed).toBe(0);
    const after = await dispatchDue(ctx, { now: at(61_000) });
    expect(after).toMatchObject({ claimed: 1, sent: 1, abandoned: 1 });
    expect(await findMessage(ctx.store.db, otp.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await findMessage(ctx.store.db, promo.id)).toMatchObject({
      status: 'unknown',
      error_code: 'lease_expired',
      lease_until: null,
    });
    expect(sim.sent().map((m) => m.messageId)).toEqual([otp.id]);
    // The dead worker's late outcome does not overwrite the new one.
    expect(
      await finishClaim(ctx.store.db, { id: otp.id, leaseUntil, patch: { status: 'failed' } }),
    ).toBe(false);
    expect((await findMessage(ctx.store.db, otp.id))!.status).toBe('sent');
  });

  it('never hands one message to two concurrent dispatchers', async () => {
    for (let i = 0; i < 30; i++) await queue({ to: '+14155550123', body: `m${i}` });
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
});
