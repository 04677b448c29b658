/**
 * Delivery receipts: a carrier's report on a message it accepted moves the message to
 * `delivered`, `undelivered`, `failed`, `expired` or `unknown`, with the carrier's error code and
 * a history event. The same receipt twice changes nothing the second time (carriers redeliver,
 * webhooks retry); a permanent failure of the number counts as a hard bounce against the
 * contact, which the hygiene job turns into `invalid` + suppressed at HERALD_HARD_BOUNCE_LIMIT.
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
import {
  addHardBounce,
  findMessageByCarrierId,
  updateMessageFrom,
  type MessagePatch,
} from '../store/messages.js';
import { emitMessageOutcome, emitMessageOutcomes } from '../webhooks/emit.js';
import { recordHistory } from './history.js';
import { isHardBounce } from './outcomes.js';
import type { MessageStatus } from './outbox.js';

export const RECEIPT_RESULTS = ['applied', 'duplicate', 'ignored', 'unmatched'] as const;
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
): Promise<ReceiptResult> {
  const result = await ctx.store.db.transaction().execute(async (tx): Promise<ReceiptResult> => {
    const row = await findMessageByCarrierId(tx, {
      carrier: receipt.carrier,
      carrierMessageId: receipt.carrierMessageId,
    });
    if (!row) return 'unmatched';
    if (row.status === receipt.status) return 'duplicate';
    if (!(AWAITING_RECEIPT as readonly string[]).includes(row.status)) return 'ignored';
    const patch: MessagePatch = {
      status: receipt.status,
      error_code: receipt.status === 'delivered' ? null : (receipt.errorCode ?? null),
      ...(receipt.status === 'delivered' ? { delivered_at: receipt.at.toISOString() } : {}),
    };
    // Guarded by the status read above: of two copies of a receipt racing, one changes the row.
    if (!(await updateMessageFrom(tx, { id: row.id, from: AWAITING_RECEIPT, patch }))) {
      return 'duplicate';
    }
    await recordHistory(tx, [
      {
        messageId: row.id,
        status: receipt.status,
        at: receipt.at,
        detail: receipt.errorCode ?? null,
        carrier: receipt.carrier,
      },
    ]);
    await emitMessageOutcome(ctx, tx, row, {
      status: receipt.status,
      carrier: receipt.carrier,
      carrierMessageId: receipt.carrierMessageId,
      errorCode: patch.error_code ?? null,
      at: receipt.at,
    });
    if (
      BOUNCING.includes(receipt.status) &&
      isHardBounce(receipt.errorCode, receipt.permanent) &&
      row.contact_id !== null
    ) {
      await addHardBounce(tx, row.contact_id);
    }
    return 'applied';
  });
  if (result === 'ignored') {
    ctx.logger.debug(
      { carrier: receipt.carrier, status: receipt.status },
      'receipt for a message already settled: ignored',
    );
  }
  return result;
}

/**
 * recordReceipt for many receipts in one transaction (the carrier-events loop hands them over
 * as they pile up): per receipt, in order, what became of it. A message named twice in one call
 * takes its first receipt here; the later ones are recorded by a second round in the same
 * transaction, so the outcome is the one recordReceipt would give one after the other.
 */
export async function recordReceipts(
  ctx: AppContext,
  receipts: readonly DeliveryReceipt[],
): Promise<ReceiptResult[]> {
  const results: ReceiptResult[] = new Array<ReceiptResult>(receipts.length);
  await ctx.store.db.transaction().execute(async (tx) => {
    let round = receipts.map((receipt, index) => ({ receipt, index }));
    while (round.length > 0) {
      const seen = new Set<string>();
      const now: typeof round = [];
      const later: typeof round = [];
      for (const item of round) {
        const key = `${item.receipt.carrier}\u0000${item.receipt.carrierMessageId}`;
        (seen.has(key) ? later : now).push(item);
        seen.add(key);
      }
      await applyRound(ctx, tx, now, results);
      round = later;
    }
  });
  return results;
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
    byCarrier.set(item.receipt.carrier, [...(byCarrier.get(item.receipt.carrier) ?? []), item]);
  }
  const writes: { item: RoundItem; id: number; contactId: number | null; row: ReceiptTarget }[] =
    [];
  for (const [carrier, list] of byCarrier) {
    const rows = await findMessagesByCarrierIds(tx, {
      carrier,
      carrierMessageIds: list.map((i) => i.receipt.carrierMessageId),
    });
    // Newest first: the first row seen for an id is the one findMessageByCarrierId would pick.
    const byId = new Map<string, (typeof rows)[number]>();
    for (const row of rows)
      if (!byId.has(row.carrier_message_id)) byId.set(row.carrier_message_id, row);
    for (const item of list) {
      const row = byId.get(item.receipt.carrierMessageId);
      if (!row) results[item.index] = 'unmatched';
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
