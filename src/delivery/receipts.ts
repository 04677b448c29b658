/**
 * Delivery receipts: a carrier's report on a message it accepted moves the message to
 * `delivered`, `undelivered`, `failed`, `expired` or `unknown`, with the carrier's error code and
 * a history event. The same receipt twice changes nothing the second time (carriers redeliver,
 * webhooks retry); a permanent failure of the number counts as a hard bounce against the
 * contact, which the hygiene job turns into `invalid` + suppressed at HERALD_HARD_BOUNCE_LIMIT.
 */
import type { AppContext } from '../app-context.js';
import type { DeliveryReceipt, ReceiptStatus } from '../carriers/carrier.js';
import {
  addHardBounce,
  findMessageByCarrierId,
  updateMessageFrom,
  type MessagePatch,
} from '../store/messages.js';
import { emitMessageOutcome } from '../webhooks/emit.js';
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
