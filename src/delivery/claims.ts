/**
 * Claims, seen from the dispatcher: taking a batch from the outbox (and ending what lost its
 * lease after the hand-off), and giving a claim back unsent. Each writes the message's history
 * in the same transaction.
 */
import type { AppContext } from '../app-context.js';
import {
  abandonExpiredMarketing,
  claimDueMessages,
  finishClaim,
  type MessageRow,
} from '../store/messages.js';
import { recordHistory } from './history.js';

/**
 * Ends what lost its lease after the hand-off (marketing: `unknown`), claims what is due, and
 * records both in the history, in one transaction.
 */
export async function claimBatch(
  ctx: AppContext,
  opts: { now: Date; leaseUntil: string; limit: number },
): Promise<{ rows: MessageRow[]; abandoned: number }> {
  return ctx.store.db.transaction().execute(async (tx) => {
    const abandoned = await abandonExpiredMarketing(tx, { now: opts.now.toISOString() });
    const rows = await claimDueMessages(tx, {
      now: opts.now.toISOString(),
      leaseUntil: opts.leaseUntil,
      limit: opts.limit,
    });
    await recordHistory(tx, [
      ...abandoned.map((id) => ({
        messageId: id,
        status: 'unknown' as const,
        at: opts.now,
        detail: 'lease_expired',
      })),
      ...rows.map((r) => ({ messageId: r.id, status: 'sending' as const, at: opts.now })),
    ]);
    return { rows, abandoned: abandoned.length };
  });
}

/**
 * Puts a claimed message back in the outbox unsent. Given back for want of time, the claim was
 * no attempt; after an error in the decision it was (so a message that always fails its
 * decision ends `failed` after the attempts instead of coming back for ever).
 */
export async function giveBack(
  ctx: AppContext,
  row: MessageRow,
  batch: { readonly leaseUntil: string; readonly now: Date; readonly maxAttempts: number },
  patch: { not_before?: string; error_code?: string },
): Promise<boolean> {
  const failed = patch.error_code !== undefined && row.attempts >= batch.maxAttempts;
  return ctx.store.db.transaction().execute(async (tx) => {
    const done = await finishClaim(tx, {
      id: row.id,
      leaseUntil: batch.leaseUntil,
      patch: failed
        ? { status: 'failed', error_code: patch.error_code }
        : patch.error_code === undefined
          ? { status: 'queued', attempts: Math.max(0, row.attempts - 1) }
          : { status: 'queued', ...patch },
      from: ['sending'],
    });
    if (done) {
      await recordHistory(tx, [
        {
          messageId: row.id,
          status: failed ? 'failed' : 'queued',
          at: batch.now,
          detail: patch.error_code ?? null,
        },
      ]);
    }
    return done;
  });
}
