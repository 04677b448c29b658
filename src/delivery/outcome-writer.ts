/**
 * Records a batch's outcomes while the carriers are still answering, instead of once the whole
 * batch is answered. What came in while one write ran goes in the next (recordOutcomes: one
 * transaction each), so the writes follow the answers by about one transaction.
 *
 * Why not at the end of the batch: a carrier id is known to Herald only once it is written.
 * Until then its receipt matches nothing and is held (carrier-events.ts retries it for ~10 s
 * before it gives up, and only then acknowledges it), and a worker killed meanwhile leaves every
 * id it had not written unmatched for good. Written at the end of a batch of 500, that was up to
 * a thousand receipts held 10 s each in the SMSC's deliver window, in front of the receipts of
 * the messages sent again after the crash, which then came too late or never.
 */
import type { AppContext } from '../app-context.js';
import type { MessageRow } from '../store/messages.js';
import { recordOutcomes, type Outcome } from './record-outcome.js';
import type { SubmitOutcome } from './submit.js';

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

  const drain = async () => {
    while (pending.length > 0) {
      const taken = pending;
      pending = [];
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
      while (writing) await writing;
      if (failure) throw failure.err;
      return kinds;
    },
  };
}
