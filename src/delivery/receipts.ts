/**
 * Delivery receipts: a carrier's report on a message it accepted moves the message to
 * `delivered`, `undelivered`, `failed`, `expired` or `unknown`, with the carrier's error code and
 * a history event. The same receipt twice changes nothing the second time (carriers redeliver,
 * webhooks retry); a permanent failure of the number counts as a hard bounce against the
 * contact, which the hygiene job turns into `invalid` + suppressed at HERALD_HARD_BOUNCE_LIMIT.
 *
 * A receipt that matches no message yet (it overtook the dispatcher's record of the carrier's
 * id, or the worker that sent the message died before recording it) is held in the table
 * `held_receipts`, in the same transaction, so that it can be acknowledged to the carrier at
 * once and is never only in memory. It is applied when the id is written (recordOutcomes) or by
 * the worker's sweep (held-receipts.ts), and dropped after HERALD_RECEIPT_HOLD_DAYS.
 */
import type { AppContext } from '../app-context.js';
import type { DeliveryReceipt, ReceiptStatus } from '../carriers/carrier.js';
import type { DbOrTx } from '../store/database.js';
import {
  addHardBounces,
  applyReceipts,
  findMessagesByCarrierIds,
  type ReceiptTarget,
} from '../store/dispatch-batch.js';
import { holdReceipts, lockCarrierIds } from '../store/held-receipts.js';
import { emitMessageOutcomes } from '../webhooks/emit.js';
import { recordHistory } from './history.js';
import { isHardBounce } from './outcomes.js';
import type { MessageStatus } from './outbox.js';

/** What became of a receipt; `held`: it matched no message yet and waits in held_receipts. */
export const RECEIPT_RESULTS = ['applied', 'duplicate', 'ignored', 'held'] as const;
export type ReceiptResult = (typeof RECEIPT_RESULTS)[number];

/**
 * Statuses a receipt may move a message from: accepted by the carrier, or `unknown` (a report
 * may still settle a message whose outcome was lost; `unknown` receipts are intermediate too).
 * A message already settled by a receipt keeps its outcome.
 */
const AWAITING_RECEIPT = ['sent', 'unknown'] as const satisfies readonly MessageStatus[];

const BOUNCING: readonly ReceiptStatus[] = ['undelivered', 'failed'];

/**
 * @example
 *   await recordReceipt(ctx, { carrier: 'simulator', carrierMessageId: 'sim-00000042',
 *     status: 'undelivered', errorCode: 'SIM_UNKNOWN_SUBSCRIBER', at: new Date() });
 *   // 'applied' (and the contact has one more hard bounce); the same call again: 'duplicate'
 */
export async function recordReceipt(
  ctx: AppContext,
  receipt: DeliveryReceipt,
  opts: { now?: Date } = {},
): Promise<ReceiptResult> {
  const [result] = await recordReceipts(ctx, [receipt], opts);
  return result!;
}

/**
 * recordReceipt for many receipts in one transaction (the carrier-events loop hands them over
 * as they pile up, a webhook its whole body): per receipt, in order, what became of it. Those
 * that match no message are held, `now` being when they were received.
 */
export async function recordReceipts(
  ctx: AppContext,
  receipts: readonly DeliveryReceipt[],
  opts: { now?: Date } = {},
): Promise<ReceiptResult[]> {
  const receivedAt = (opts.now ?? new Date()).toISOString();
  return ctx.store.db
    .transaction()
    .execute((tx) => settleReceipts(ctx, tx, receipts, { holdAt: receivedAt }));
}

/**
 * Applies receipts inside the caller's transaction, in order. Unmatched receipts are held when
 * `holdAt` is given (the time they were received); otherwise (they come from held_receipts) they
 * stay where they are.
 */
export async function settleReceipts(
  ctx: AppContext,
  tx: DbOrTx,
  receipts: readonly DeliveryReceipt[],
  opts: { holdAt: string | null },
): Promise<ReceiptResult[]> {
  // PostgreSQL, before anything is read or written: a dispatcher writing one of these ids now
  // either commits first (and the look-up below sees its id) or finds what this holds.
  if (opts.holdAt !== null) await lockCarrierIds(tx, receipts);
  const results: ReceiptResult[] = new Array<ReceiptResult>(receipts.length);
  const items = receipts.map((receipt, index) => ({ receipt, index }));
  await applyInRounds(ctx, tx, items, results);
  if (opts.holdAt !== null) {
    await holdReceipts(
      tx,
      items.filter((i) => results[i.index] === 'held').map((i) => heldRow(i.receipt, opts.holdAt!)),
    );
  }
  const ignored = results.filter((r) => r === 'ignored').length;
  if (ignored > 0) ctx.logger.debug({ ignored }, 'receipts for messages already settled: ignored');
  return results;
}

/**
 * A message named twice takes its first receipt in a first round and the later ones in the next
 * rounds, so the outcome is the one they would give one after the other.
 */
async function applyInRounds(
  ctx: AppContext,
  tx: DbOrTx,
  items: readonly RoundItem[],
  results: ReceiptResult[],
): Promise<void> {
  let round = items;
  while (round.length > 0) {
    const seen = new Set<string>();
    const now: RoundItem[] = [];
    const later: RoundItem[] = [];
    for (const item of round) {
      const key = `${item.receipt.carrier}\u0000${item.receipt.carrierMessageId}`;
      (seen.has(key) ? later : now).push(item);
      seen.add(key);
    }
    await applyRound(ctx, tx, now, results);
    round = later;
  }
}

/** A receipt as held_receipts keeps it: its own columns, and the rest of it as JSON. */
function heldRow(receipt: DeliveryReceipt, receivedAt: string) {
  const { carrier, carrierMessageId, status, errorCode, at, ...rest } = receipt;
  return {
    carrier,
    carrier_message_id: carrierMessageId,
    status,
    error_code: errorCode ?? null,
    done_at: at.toISOString(),
    detail: JSON.stringify(rest),
    received_at: receivedAt,
  };
}

type RoundItem = { receipt: DeliveryReceipt; index: number };

async function applyRound(
  ctx: AppContext,
  tx: DbOrTx,
  items: readonly RoundItem[],
  results: ReceiptResult[],
): Promise<void> {
  const byCarrier = new Map<string, RoundItem[]>();
  for (const item of items) {
    const list = byCarrier.get(item.receipt.carrier);
    if (list) list.push(item);
    else byCarrier.set(item.receipt.carrier, [item]);
  }
  const writes: { item: RoundItem; id: number; contactId: number | null; row: ReceiptTarget }[] =
    [];
  for (const [carrier, list] of byCarrier) {
    const rows = await findMessagesByCarrierIds(tx, {
      carrier,
      carrierMessageIds: list.map((i) => i.receipt.carrierMessageId),
    });
    // Newest first: a carrier id used twice (it should not be) names the newest message.
    const byId = new Map<string, (typeof rows)[number]>();
    for (const row of rows)
      if (!byId.has(row.carrier_message_id)) byId.set(row.carrier_message_id, row);
    for (const item of list) {
      const row = byId.get(item.receipt.carrierMessageId);
      if (!row) results[item.index] = 'held';
      else if (row.status === item.receipt.status) results[item.index] = 'duplicate';
      else if (!(AWAITING_RECEIPT as readonly string[]).includes(row.status)) {
        results[item.index] = 'ignored';
      } else writes.push({ item, id: row.id, contactId: row.contact_id, row });
    }
  }
  const applied = await applyReceipts(tx, {
    from: AWAITING_RECEIPT,
    receipts: writes.map(({ item: { receipt }, id }) => ({
      id,
      status: receipt.status,
      errorCode: receipt.status === 'delivered' ? null : (receipt.errorCode ?? null),
      deliveredAt: receipt.status === 'delivered' ? receipt.at.toISOString() : null,
    })),
  });
  const done = writes.filter((w) => applied.has(w.id));
  for (const w of writes) results[w.item.index] = applied.has(w.id) ? 'applied' : 'duplicate';
  await recordHistory(
    tx,
    done.map(({ item: { receipt }, id }) => ({
      messageId: id,
      status: receipt.status,
      at: receipt.at,
      detail: receipt.errorCode ?? null,
      carrier: receipt.carrier,
    })),
  );
  await emitMessageOutcomes(
    ctx,
    tx,
    done.map(({ item: { receipt }, row }) => ({
      message: row,
      outcome: {
        status: receipt.status,
        carrier: receipt.carrier,
        carrierMessageId: receipt.carrierMessageId,
        errorCode: receipt.status === 'delivered' ? null : (receipt.errorCode ?? null),
        at: receipt.at,
      },
    })),
  );
  await addHardBounces(
    tx,
    done
      .filter(
        ({ item: { receipt }, contactId }) =>
          BOUNCING.includes(receipt.status) &&
          isHardBounce(receipt.errorCode, receipt.permanent) &&
          contactId !== null,
      )
      .map(({ contactId }) => contactId!),
  );
}
