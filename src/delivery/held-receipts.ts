/**
 * Receipts held because they matched no message yet (receipts.ts) are applied from two places:
 *   - the dispatcher, in the transaction that writes the carrier ids (recordOutcomes): a receipt
 *     that overtook its id is applied the moment the id exists. On PostgreSQL (READ COMMITTED)
 *     both sides lock the ids before anything else (lockCarrierIds), so a receipt held while the
 *     dispatcher's transaction was open is seen by it, or sees the id itself;
 *   - the worker's sweep (`heldReceiptsJob`): whatever matches a message by now however it came
 *     to be held (a safety net, as the locks make it rare).
 * Both delete what they applied; applying is idempotent, so a receipt taken by both changes the
 * message once. The sweep also drops receipts held longer than HERALD_RECEIPT_HOLD_DAYS (ids the
 * dispatcher never wrote: a worker killed after the carrier accepted a message and before it
 * recorded so), with a log line and a count in /metrics (herald_receipts_dropped_total).
 */
import type { AppContext } from '../app-context.js';
import type { DeliveryReceipt, ReceiptStatus } from '../carriers/carrier.js';
import type { Job } from '../jobs/scheduler.js';
import type { DbOrTx } from '../store/database.js';
import {
  countReceiptDrops,
  deleteHeldReceipts,
  dropHeldReceiptsBefore,
  takeHeldReceiptsFor,
  takeMatchedHeldReceipts,
  type HeldReceiptRow,
} from '../store/held-receipts.js';
import { settleReceipts } from './receipts.js';

const DAY_MS = 86_400_000;
/** Held receipts applied, or dropped, per transaction of the sweep. */
const SWEEP_BATCH = 500;

/** A carrier id the dispatcher has just written. */
export interface WrittenCarrierId {
  readonly carrier: string;
  readonly carrierMessageId: string;
}

function receiptOf(row: HeldReceiptRow): DeliveryReceipt {
  return {
    ...(JSON.parse(row.detail) as Partial<DeliveryReceipt>),
    carrier: row.carrier,
    carrierMessageId: row.carrier_message_id,
    status: row.status as ReceiptStatus,
    ...(row.error_code === null ? {} : { errorCode: row.error_code }),
    at: new Date(row.done_at),
  };
}

/** Applies held rows in the caller's transaction and deletes those settled; returns how many. */
async function settleHeld(
  ctx: AppContext,
  tx: DbOrTx,
  rows: readonly HeldReceiptRow[],
): Promise<number> {
  const results = await settleReceipts(ctx, tx, rows.map(receiptOf), { holdAt: null });
  const settled = rows.filter((_, i) => results[i] !== 'held').map((r) => r.id);
  await deleteHeldReceipts(tx, settled);
  return settled.length;
}

/**
 * Inside the dispatcher's transaction that wrote these carrier ids, having locked them before it
 * wrote them (lockCarrierIds): applies the receipts held for them. Returns how many settled.
 */
export async function applyHeldReceipts(
  ctx: AppContext,
  tx: DbOrTx,
  written: readonly WrittenCarrierId[],
): Promise<number> {
  const byCarrier = new Map<string, string[]>();
  for (const { carrier, carrierMessageId } of written) {
    const ids = byCarrier.get(carrier);
    if (ids) ids.push(carrierMessageId);
    else byCarrier.set(carrier, [carrierMessageId]);
  }
  const rows: HeldReceiptRow[] = [];
  for (const [carrier, carrierMessageIds] of byCarrier) {
    rows.push(...(await takeHeldReceiptsFor(tx, { carrier, carrierMessageIds })));
  }
  if (rows.length === 0) return 0;
  return settleHeld(
    ctx,
    tx,
    rows.sort((a, b) => a.id - b.id),
  );
}

export interface HeldReceiptSweep {
  /** Held receipts whose message now exists, applied (or found settled already) and deleted. */
  settled: number;
  /** Held receipts older than the hold, dropped. */
  dropped: number;
}

/** One sweep: applies what now matches, then drops what was held too long. */
export async function sweepHeldReceipts(
  ctx: AppContext,
  opts: { now: Date },
): Promise<HeldReceiptSweep> {
  const out: HeldReceiptSweep = { settled: 0, dropped: 0 };
  for (;;) {
    const { taken, settled } = await ctx.store.db.transaction().execute(async (tx) => {
      const rows = await takeMatchedHeldReceipts(tx, { limit: SWEEP_BATCH });
      return { taken: rows.length, settled: rows.length ? await settleHeld(ctx, tx, rows) : 0 };
    });
    out.settled += settled;
    // A batch that settled nothing would come back the same: the rest waits for the next sweep.
    if (taken < SWEEP_BATCH || settled === 0) break;
  }
  const before = new Date(opts.now.getTime() - ctx.config.receiptHoldDays * DAY_MS).toISOString();
  for (;;) {
    const dropped = await ctx.store.db.transaction().execute(async (tx) => {
      const byCarrier = await dropHeldReceiptsBefore(tx, { before, limit: SWEEP_BATCH });
      await countReceiptDrops(tx, byCarrier);
      return byCarrier;
    });
    const n = [...dropped.values()].reduce((a, b) => a + b, 0);
    if (n === 0) break;
    out.dropped += n;
    ctx.logger.warn(
      { dropped: Object.fromEntries(dropped), heldSince: before },
      'receipts for no known message dropped after the hold',
    );
    if (n < SWEEP_BATCH) break;
  }
  return out;
}

/** The worker's sweep of held receipts. */
export const heldReceiptsJob: Job = {
  name: 'delivery.held-receipts',
  everyMs: 5_000,
  run: async (ctx, now) => ({ ...(await sweepHeldReceipts(ctx, { now })) }),
};
