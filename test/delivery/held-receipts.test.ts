/**
 * Receipts that come before their message's carrier id is written: acknowledged at once, held in
 * the store (held_receipts), applied once the dispatcher writes the id (or by the worker's sweep
 * when the two transactions missed each other), once only, across a restart of the process; and
 * dropped, counted and logged after HERALD_RECEIPT_HOLD_DAYS. Over real SMPP to the fake SMSC on
 * 127.0.0.1 (the webhook carriers' case is in test/api/carrier-webhooks.test.ts).
 */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openContext, type AppContext } from '../../src/app-context.js';
import { createMetrics } from '../../src/api/metrics.js';
import { createCarrierRegistry } from '../../src/carriers/carrier.js';
import { createSmppCarrier, type SmppCarrier } from '../../src/carriers/smpp.js';
import { wireCarrierEvents, type CarrierEvents } from '../../src/delivery/carrier-events.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { applyHeldReceipts, sweepHeldReceipts } from '../../src/delivery/held-receipts.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { recordReceipt, recordReceipts, settleReceipts } from '../../src/delivery/receipts.js';
import { normaliseRouting } from '../../src/delivery/routing-config.js';
import { createRouter } from '../../src/delivery/routing.js';
import { createLogger } from '../../src/logger.js';
import { lockCarrierIds } from '../../src/store/held-receipts.js';
import { findMessage } from '../../src/store/messages.js';
import { FakeSmsc } from '../fakes/smsc.js';
import { openTestContext } from '../helpers/context.js';
import { DIALECTS, PG_URL, type TestDatabase } from '../helpers/databases.js';
import { consentingContact, historyOf, NOON_LA } from './helpers.js';

const DAY_MS = 86_400_000;

/** A context on `database` (a new process, as far as Herald can tell) sending through `fake`. */
async function smppContext(
  base: AppContext,
  fake: FakeSmsc,
  name = 'smpp',
): Promise<{ ctx: AppContext; smpp: SmppCarrier }> {
  const smpp = createSmppCarrier({
    name,
    host: '127.0.0.1',
    port: fake.port,
    systemId: 'herald',
    password: 'secret',
    reconnectMs: 20,
  });
  const carriers = createCarrierRegistry([smpp]);
  const ctx: AppContext = {
    ...base,
    carriers,
    router: createRouter(normaliseRouting(undefined), carriers, base.logger),
    close: async () => {
      await carriers.close();
      await base.close();
    },
  };
  return { ctx, smpp };
}

async function reopen(database: TestDatabase): Promise<AppContext> {
  return openContext(database.config, createLogger({ level: 'silent' }), {
    storeOptions: database.schema ? { searchPath: database.schema } : {},
  });
}

const heldRows = (ctx: AppContext) =>
  ctx.store.db
    .selectFrom('held_receipts')
    .select(['carrier', 'carrier_message_id', 'status', 'error_code', 'detail'])
    .orderBy('id')
    .execute();

const order = (ctx: AppContext, to: string, contactId: number | null = null) =>
  enqueueMessage(ctx, {
    to,
    purpose: 'transactional',
    kind: 'api',
    body: 'Your order has shipped',
    contactId,
    now: NOON_LA,
  });

describe.each(DIALECTS)('[%s] receipts held until their message is known', (dialect) => {
  let fake: FakeSmsc;
  let ctx: AppContext;
  let smpp: SmppCarrier;
  let database: TestDatabase;
  let logs: () => string;
  let events: CarrierEvents;

  beforeAll(async () => {
    fake = await FakeSmsc.start();
    const opened = await openTestContext(dialect);
    database = opened.database;
    logs = opened.logs;
    ({ ctx, smpp } = await smppContext(opened.ctx, fake));
    events = wireCarrierEvents(ctx);
  });
  afterEach(async () => {
    await events.idle();
    await ctx.store.db.deleteFrom('held_receipts').execute();
  });
  afterAll(async () => {
    events?.stop();
    await ctx?.close();
    await fake?.close();
    await database?.drop();
  });

  it('acknowledges a receipt that overtook its id at once, and applies it when the id is written', async () => {
    const queued = await order(ctx, '+14155550170');
    // The SMSC reports the message delivered before the dispatcher has recorded its answer.
    const seen: { status: string; held: unknown[]; carrierMessageId: string }[] = [];
    const send = smpp.send.bind(smpp);
    smpp.send = async (sms) => {
      const result = await send(sms);
      if (result.status === 'accepted') {
        await fake.deliverReceipt(result.carrierMessageId, 'delivered'); // resolves when answered
        seen.push({
          status: (await findMessage(ctx.store.db, queued.id))!.status,
          held: await heldRows(ctx),
          carrierMessageId: result.carrierMessageId,
        });
      }
      return result;
    };
    try {
      await dispatchDue(ctx, { now: NOON_LA });
    } finally {
      smpp.send = send;
    }
    expect(seen).toHaveLength(1);
    const { carrierMessageId } = seen[0]!;
    // Answered while the message was still `submitted`: it was saved, not kept in memory.
    expect(seen[0]).toMatchObject({
      status: 'submitted',
      held: [{ carrier: 'smpp', carrier_message_id: carrierMessageId, status: 'delivered' }],
    });
    expect(events.counts()).toMatchObject({ held: 1, applied: 0 });
    const row = (await findMessage(ctx.store.db, queued.id))!;
    expect(row).toMatchObject({ status: 'delivered', carrier_message_id: carrierMessageId });
    expect(await historyOf(ctx, queued.id)).toEqual([
      'queued',
      'sending',
      'submitted',
      'sent',
      'delivered',
    ]);
    expect(await heldRows(ctx)).toEqual([]);

    // The SMSC delivers it again: nothing changes, and nothing is held again.
    await fake.deliverReceipt(carrierMessageId, 'delivered');
    await events.idle();
    expect(events.counts()).toMatchObject({ held: 1, duplicate: 1 });
    expect(await historyOf(ctx, queued.id)).toHaveLength(5);
    expect(await heldRows(ctx)).toEqual([]);
    expect(fake.counts()).toMatchObject({ deliverRefusals: 0, deliverDrops: 0 });
  });

  it('keeps a held receipt across a restart and applies it once, with one hard bounce', async () => {
    // Another SMSC (another account) whose first message id is known ahead: F000000001.
    const second = await FakeSmsc.start();
    const contactId = await consentingContact(ctx, '+14155550171');
    const bounce = {
      carrier: 'smsc-b',
      carrierMessageId: 'F000000001',
      status: 'undelivered' as const,
      errorCode: '001',
      permanent: true,
      at: new Date('2030-01-08T20:00:05.000Z'),
    };
    // Held by this process (twice: the carrier delivered it again), which then stops.
    expect(await recordReceipt(ctx, bounce)).toBe('held');
    expect(await recordReceipt(ctx, bounce)).toBe('held');
    expect(await heldRows(ctx)).toEqual([
      {
        carrier: 'smsc-b',
        carrier_message_id: 'F000000001',
        status: 'undelivered',
        error_code: '001',
        detail: '{"permanent":true}',
      },
    ]);
    const queued = await order(ctx, '+14155550171', contactId);

    // Another process on the same database sends the message; the receipt waits in the table.
    const { ctx: next } = await smppContext(await reopen(database), second, 'smsc-b');
    try {
      await dispatchDue(next, { now: NOON_LA });
      expect(await findMessage(next.store.db, queued.id)).toMatchObject({
        status: 'undelivered',
        carrier_message_id: 'F000000001',
        error_code: '001',
      });
      expect((await historyOf(next, queued.id)).slice(-2)).toEqual(['sent', 'undelivered']);
      expect(await heldRows(next)).toEqual([]);
      const bounces = async () =>
        (
          await next.store.db
            .selectFrom('contacts')
            .select('hard_bounces')
            .where('id', '=', contactId)
            .executeTakeFirstOrThrow()
        ).hard_bounces;
      expect(await bounces()).toBe(1);
      // Once only: the same receipt again, and a sweep, change nothing.
      expect(await recordReceipt(next, bounce)).toBe('duplicate');
      expect(await sweepHeldReceipts(next, { now: new Date() })).toEqual({
        settled: 0,
        dropped: 0,
      });
      expect(await bounces()).toBe(1);
      expect(await historyOf(next, queued.id)).toHaveLength(5);
    } finally {
      await next.close();
      await second.close();
    }
  });

  it('applies in the sweep what the dispatcher could not see (its transaction looked first)', async () => {
    const queued = await order(ctx, '+14155550172');
    const receipt = {
      carrier: 'smpp',
      carrierMessageId: 'RACE-1',
      status: 'expired' as const,
      errorCode: '000',
      at: new Date('2030-01-08T20:00:07.000Z'),
    };
    expect(await recordReceipt(ctx, receipt)).toBe('held');
    // The id written by a transaction that looked for held receipts before this one committed.
    await ctx.store.db
      .updateTable('messages')
      .set({ status: 'sent', carrier: 'smpp', carrier_message_id: 'RACE-1' })
      .where('id', '=', queued.id)
      .execute();
    expect(await sweepHeldReceipts(ctx, { now: new Date() })).toEqual({ settled: 1, dropped: 0 });
    expect(await findMessage(ctx.store.db, queued.id)).toMatchObject({
      status: 'expired',
      error_code: '000',
    });
    expect((await historyOf(ctx, queued.id)).at(-1)).toBe('expired');
    expect(await heldRows(ctx)).toEqual([]);
    expect(await sweepHeldReceipts(ctx, { now: new Date() })).toEqual({ settled: 0, dropped: 0 });
  });

  it('drops what matched nothing for HERALD_RECEIPT_HOLD_DAYS (default 7), logged and counted', async () => {
    const receivedAt = new Date('2030-01-08T20:00:00.000Z');
    const lost = {
      carrier: 'smpp',
      carrierMessageId: 'NEVER-1',
      status: 'delivered' as const,
      at: receivedAt,
    };
    expect(await recordReceipt(ctx, lost, { now: receivedAt })).toBe('held');
    expect(
      await recordReceipt(ctx, { ...lost, carrierMessageId: 'NEVER-2' }, { now: receivedAt }),
    ).toBe('held');
    const at = (ms: number) => new Date(receivedAt.getTime() + ms);
    expect(await sweepHeldReceipts(ctx, { now: at(7 * DAY_MS) })).toEqual({
      settled: 0,
      dropped: 0,
    });
    expect(await heldRows(ctx)).toHaveLength(2);
    expect(await sweepHeldReceipts(ctx, { now: at(7 * DAY_MS + 1) })).toEqual({
      settled: 0,
      dropped: 2,
    });
    expect(await heldRows(ctx)).toEqual([]);
    expect(logs()).toContain('receipts for no known message dropped after the hold');
    const metrics = await createMetrics(ctx.store.db).registry.metrics();
    expect(metrics).toContain('herald_receipts_dropped_total{carrier="smpp"} 2');
    expect(metrics).not.toContain('herald_receipts_held{');
  });
});

describe.each(DIALECTS)('[%s] a shorter hold', (dialect) => {
  it('follows HERALD_RECEIPT_HOLD_DAYS', async () => {
    const { ctx, database } = await openTestContext(dialect, { HERALD_RECEIPT_HOLD_DAYS: '2' });
    try {
      const receivedAt = new Date('2030-01-08T20:00:00.000Z');
      const receipt = {
        carrier: 'simulator',
        carrierMessageId: 'sim-never',
        status: 'failed' as const,
        at: receivedAt,
      };
      expect(await recordReceipt(ctx, receipt, { now: receivedAt })).toBe('held');
      const metrics = await createMetrics(ctx.store.db).registry.metrics();
      expect(metrics).toContain('herald_receipts_held{carrier="simulator"} 1');
      const after = new Date(receivedAt.getTime() + 2 * DAY_MS + 1);
      expect(await sweepHeldReceipts(ctx, { now: after })).toEqual({ settled: 0, dropped: 1 });
    } finally {
      await ctx.close();
      await database.drop();
    }
  });
});

// PostgreSQL runs the receipt's transaction and the dispatcher's side by side (READ COMMITTED):
// each could miss the other's uncommitted work. Both lock the carrier ids first, so whichever
// comes second waits and then sees what the first committed; here each order is played out.
describe.skipIf(!PG_URL)('[postgres] a receipt and the write of its id at the same moment', () => {
  let ctx: AppContext;
  let database: TestDatabase;

  beforeAll(async () => {
    ({ ctx, database } = await openTestContext('postgres'));
  });
  afterAll(async () => {
    await ctx?.close();
    await database?.drop();
  });

  /** Whether a transaction waits for the advisory lock on this carrier id (lockCarrierIds). */
  const waitsFor = async (carrierMessageId: string) => {
    const key = `receipt:smpp:${carrierMessageId}`;
    const { rows } = await sql<{ n: string }>`select count(*) as n from pg_locks,
        (select hashtextextended(${key}, 0) as k) as h
      where locktype = 'advisory' and not granted and objsubid = 1
        and classid::bigint = ((h.k >> 32) & 4294967295) and objid::bigint = (h.k & 4294967295)`.execute(
      ctx.store.db,
    );
    return Number(rows[0]!.n) > 0;
  };
  /**
   * The dispatcher's transaction as recordOutcomes runs it, left open: the id locked, written
   * (`sent` to this transaction alone), then the receipts held for it applied.
   */
  const dispatcher = async (id: number, carrierMessageId: string) => {
    const tx = await ctx.store.db.startTransaction().execute();
    const ids = [{ carrier: 'smpp', carrierMessageId }];
    const applied = (async () => {
      await lockCarrierIds(tx, ids);
      await tx
        .updateTable('messages')
        .set({ status: 'sent', carrier: 'smpp', carrier_message_id: carrierMessageId })
        .where('id', '=', id)
        .execute();
      return applyHeldReceipts(ctx, tx, ids);
    })();
    return { applied, commit: async () => void (await tx.commit().execute()) };
  };
  const delivered = (carrierMessageId: string) => ({
    carrier: 'smpp',
    carrierMessageId,
    status: 'delivered' as const,
    at: new Date('2030-01-08T20:00:09.000Z'),
  });

  it('the id is written first: the receipt waits for its commit and is applied, not held', async () => {
    const queued = await order(ctx, '+14155550173');
    const writing = await dispatcher(queued.id, 'BOTH-1');
    expect(await writing.applied).toBe(0);
    const receipt = recordReceipts(ctx, [delivered('BOTH-1')]);
    await vi.waitFor(async () => expect(await waitsFor('BOTH-1')).toBe(true));
    await writing.commit();
    expect(await receipt).toEqual(['applied']);
    expect((await findMessage(ctx.store.db, queued.id))!.status).toBe('delivered');
    expect(await heldRows(ctx)).toEqual([]);
  });

  it('the receipt is held first: the write of the id waits for its commit and applies it', async () => {
    const queued = await order(ctx, '+14155550174');
    const receiver = await ctx.store.db.startTransaction().execute();
    expect(
      await settleReceipts(ctx, receiver, [delivered('BOTH-2')], {
        holdAt: new Date().toISOString(),
      }),
    ).toEqual(['held']);
    const writing = await dispatcher(queued.id, 'BOTH-2');
    await vi.waitFor(async () => expect(await waitsFor('BOTH-2')).toBe(true));
    await receiver.commit().execute();
    expect(await writing.applied).toBe(1);
    await writing.commit();
    expect((await findMessage(ctx.store.db, queued.id))!.status).toBe('delivered');
    expect(await heldRows(ctx)).toEqual([]);
  });
});
