/**
 * Records a batch's outcomes while the carriers are still answering, instead of once the whole
 * batch is answered. What came in while one write ran goes in the next (recordOutcomes: one
 * transaction each), so the writes follow the answers by about one transaction.
 *
 * Why not at the end of the batch: a carrier id is known to Herald only once it is written.
 * Until then its receipt matches nothing and waits in held_receipts (held-receipts.ts: applied
 * when the id is written), and a worker killed meanwhile leaves every id it had not written
 * unmatched for good: a transactional message is sent again, a marketing one ends `unknown`.
 * Writing as the answers come keeps both few.
 *
 * Why not each answer at once either: a carrier answers one submission at a time, so a write
 * started on every answer carries one or two of them, and on SQLite each transaction costs a
 * commit that rewrites the same index pages (about 0.75 ms: a quarter of the worker's time went
 * to commits). A write waits OUTCOME_GATHER_MS for the answers on their way, far below the time
 * a receipt takes to come back (a handset answers in seconds), and at most that much longer is
 * left unwritten by a crash.
 */
import type { AppContext } from '../app-context.js';
import type { MessageRow } from '../store/messages.js';
import { recordOutcomes, type Outcome } from './record-outcome.js';
import type { SubmitOutcome } from './submit.js';

/** How long a write waits for more answers when fewer than OUTCOME_BATCH are pending. */
export const OUTCOME_GATHER_MS = 20;
/** Answers written in one transaction at most. */
const OUTCOME_BATCH = 500;

export interface OutcomeWriter {
  /** Queues one answered hand-off; it is written with whatever else came meanwhile. */
  add(row: MessageRow, outcome: SubmitOutcome): void;
  /**
   * Resolves once everything added is written: per message, its outcome, or null when the claim
   * was taken over meanwhile. Rejects with the first write that failed (the others were written).
   */
  done(): Promise<Map<number, Outcome | null>>;
}

export function outcomeWriter(
  ctx: AppContext,
  opts: { leaseUntil: string; now: Date; maxAttempts: number },
): OutcomeWriter {
  const kinds = new Map<number, Outcome | null>();
  let pending: { row: MessageRow; outcome: SubmitOutcome }[] = [];
  let writing: Promise<void> | null = null;
  let failure: { err: unknown } | null = null;
  // Once the hand-over is over nothing more is on its way: what is pending is written at once.
  let finishing = false;

  const drain = async () => {
    while (pending.length > 0) {
      if (!finishing && pending.length < OUTCOME_BATCH) {
        await new Promise((resolve) => setTimeout(resolve, OUTCOME_GATHER_MS));
      }
      const taken = pending.slice(0, OUTCOME_BATCH);
      pending = pending.slice(taken.length);
      try {
        for (const [id, kind] of await recordOutcomes(ctx, taken, opts)) kinds.set(id, kind);
      } catch (err) {
        failure ??= { err };
      }
    }
    writing = null;
  };

  return {
    add: (row, outcome) => {
      pending.push({ row, outcome });
      writing ??= drain();
    },
    done: async () => {
      finishing = true;
      while (writing) await writing;
      if (failure) throw failure.err;
      return kinds;
    },
  };
}
