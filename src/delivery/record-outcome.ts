/**
 * What the carrier said about a submitted message, recorded in one transaction with its history
 * and its consequences: accepted → `sent`; refused for good → `failed` (a hard bounce for the
 * number's hygiene, or the carrier's own opt-out list: suppressed); no answer for a marketing
 * message → `unknown` (never sent again); a temporary failure on every carrier of the route →
 * `queued` again with back-off, or `failed` once the attempts are used up.
 */
import type { AppContext } from '../app-context.js';
import { recordConsent } from '../contacts/consent.js';
import type { DbOrTx } from '../store/database.js';
import { recordSent, type AcceptedSend } from '../store/dispatch-batch.js';
import { lockCarrierIds } from '../store/held-receipts.js';
import {
  addHardBounce,
  finishClaim,
  type MessagePatch,
  type MessageRow,
} from '../store/messages.js';
import { addSuppression } from '../store/suppressions.js';
import { emitMessageOutcome } from '../webhooks/emit.js';
import { applyHeldReceipts, type WrittenCarrierId } from './held-receipts.js';
import { recordHistory, type Transition } from './history.js';
import { isAmbiguous, isCarrierOptOut, isHardBounce } from './outcomes.js';
import type { MessageStatus } from './outbox.js';
import { bodyAfterSend } from './replies.js';
import type { SubmitOutcome } from './submit.js';

export type Outcome = 'sent' | 'failed' | 'retried' | 'unknown';

const ACTOR = 'system:dispatcher';

/** Back-off for temporary failures: 30 s, 1 min, 2 min, ... at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

function classify(row: MessageRow, outcome: SubmitOutcome, maxAttempts: number): Outcome {
  const { result } = outcome;
  if (result.status === 'accepted') return 'sent';
  if (result.permanent) return 'failed';
  if (row.purpose === 'marketing' && isAmbiguous(result.errorCode)) return 'unknown';
  return row.attempts >= maxAttempts ? 'failed' : 'retried';
}

const STATUS: Record<Outcome, MessageStatus> = {
  sent: 'sent',
  failed: 'failed',
  unknown: 'unknown',
  retried: 'queued',
};

function patchFor(row: MessageRow, outcome: SubmitOutcome, kind: Outcome, now: Date): MessagePatch {
  const { result } = outcome;
  if (result.status === 'accepted') {
    return {
      status: 'sent',
      carrier: outcome.carrier,
      carrier_message_id: result.carrierMessageId,
      error_code: null,
      body: bodyAfterSend(row.kind, row.body),
      // The template's values (names, order numbers) are needed only until the message left.
      template: null,
    };
  }
  if (kind === 'retried') {
    return {
      status: 'queued',
      error_code: result.errorCode,
      sent_at: null,
      not_before: new Date(now.getTime() + retryDelayMs(row.attempts)).toISOString(),
    };
  }
  return {
    status: STATUS[kind],
    carrier: outcome.carrier,
    error_code: result.errorCode,
    body: bodyAfterSend(row.kind, row.body),
    template: null,
  };
}

function historyOf(row: MessageRow, outcome: SubmitOutcome, kind: Outcome, now: Date) {
  const events: Transition[] = [];
  // Each fail-over is a new hand-off: to the next carrier, after the previous one's error.
  outcome.attempts.forEach((attempt, i) => {
    const before = outcome.attempts[i - 1]?.result;
    if (before?.status === 'failed') {
      events.push({
        messageId: row.id,
        status: 'submitted',
        at: now,
        detail: before.errorCode,
        carrier: attempt.carrier,
      });
    }
  });
  const { result } = outcome;
  events.push({
    messageId: row.id,
    status: STATUS[kind],
    at: now,
    detail: result.status === 'failed' ? result.errorCode : null,
    carrier: outcome.carrier,
  });
  return events;
}

async function feedHygiene(tx: DbOrTx, row: MessageRow, outcome: SubmitOutcome, now: Date) {
  const { result } = outcome;
  if (result.status !== 'failed' || !result.permanent) return;
  if (isHardBounce(result.errorCode) && row.contact_id !== null) {
    await addHardBounce(tx, row.contact_id);
  }
  if (!isCarrierOptOut(result.errorCode)) return;
  // The person replied STOP to the carrier itself: record it as the opt-out it is.
  const note = `the carrier ${outcome.carrier ?? '?'} holds an opt-out for the number`;
  if (row.contact_id !== null) {
    await recordConsent(
      tx,
      { id: row.contact_id, phoneIndex: row.phone_index },
      {
        purpose: 'marketing',
        action: 'revoke',
        method: 'keyword',
        source: `carrier:${outcome.carrier ?? 'unknown'}`,
        evidence: { carrier: outcome.carrier, errorCode: result.errorCode, messageId: row.id },
        at: now,
      },
      ACTOR,
    );
  } else {
    await addSuppression(tx, {
      phone_index: row.phone_index,
      scope: 'marketing',
      reason: 'opt_out',
      note,
      created_by: ACTOR,
      created_at: now.toISOString(),
    });
  }
}

function failedOutcome(outcome: SubmitOutcome, at: Date) {
  const { result } = outcome;
  const errorCode = result.status === 'failed' ? result.errorCode : null;
  return { status: 'failed', carrier: outcome.carrier, carrierMessageId: null, errorCode, at };
}

/** Writes one outcome inside the caller's transaction; false when the claim no longer held. */
async function writeOutcome(
  tx: DbOrTx,
  row: MessageRow,
  outcome: SubmitOutcome,
  kind: Outcome,
  opts: { leaseUntil: string; now: Date },
  ctx: AppContext,
): Promise<boolean> {
  const finished = await finishClaim(tx, {
    id: row.id,
    leaseUntil: opts.leaseUntil,
    patch: patchFor(row, outcome, kind, opts.now),
    from: ['submitted'],
  });
  if (!finished) return false;
  await recordHistory(tx, historyOf(row, outcome, kind, opts.now));
  await feedHygiene(tx, row, outcome, opts.now);
  // message.failed for a message that ends here (outbound webhooks, issue 5).
  if (kind === 'failed') await emitMessageOutcome(ctx, tx, row, failedOutcome(outcome, opts.now));
  return true;
}

function logRefusal(ctx: AppContext, row: MessageRow, outcome: SubmitOutcome, kind: Outcome) {
  if (outcome.result.status !== 'failed') return;
  ctx.logger.warn(
    {
      messageId: row.id,
      carrier: outcome.carrier,
      code: outcome.result.errorCode,
      attempt: row.attempts,
      outcome: kind,
    },
    'carrier refused a message',
  );
}

/** Records the outcome of a hand-off; null when the claim was taken over meanwhile. */
export async function recordOutcome(
  ctx: AppContext,
  row: MessageRow,
  outcome: SubmitOutcome,
  opts: { leaseUntil: string; now: Date; maxAttempts: number },
): Promise<Outcome | null> {
  return (await recordOutcomes(ctx, [{ row, outcome }], opts)).get(row.id) ?? null;
}

/**
 * recordOutcome for a batch, in one transaction: the messages the first carrier accepted (nearly
 * all of them) in one UPDATE with one history insert, the others one by one as recordOutcome
 * writes them; then the receipts held for the carrier ids written (held-receipts.ts). Per
 * message: its outcome, or null when the claim was taken over meanwhile.
 */
export async function recordOutcomes(
  ctx: AppContext,
  items: readonly { readonly row: MessageRow; readonly outcome: SubmitOutcome }[],
  opts: { leaseUntil: string; now: Date; maxAttempts: number },
): Promise<Map<number, Outcome | null>> {
  const kinds = new Map<number, Outcome | null>();
  const simple: AcceptedSend[] = [];
  const rest: { row: MessageRow; outcome: SubmitOutcome; kind: Outcome }[] = [];
  for (const { row, outcome } of items) {
    const kind = classify(row, outcome, opts.maxAttempts);
    const { result } = outcome;
    if (result.status === 'accepted' && outcome.attempts.length === 1 && outcome.carrier) {
      simple.push({
        id: row.id,
        carrier: outcome.carrier,
        carrierMessageId: result.carrierMessageId,
        body: bodyAfterSend(row.kind, row.body),
      });
    } else {
      rest.push({ row, outcome, kind });
    }
  }
  const accepted: WrittenCarrierId[] = [
    ...simple,
    ...rest.flatMap(({ outcome: { result, carrier } }) =>
      result.status === 'accepted' && carrier
        ? [{ carrier, carrierMessageId: result.carrierMessageId }]
        : [],
    ),
  ];
  await ctx.store.db.transaction().execute(async (tx) => {
    // PostgreSQL: first of all, as the receipts' side does (lock order), see held-receipts.ts.
    await lockCarrierIds(tx, accepted);
    const sent = await recordSent(tx, { sends: simple, leaseUntil: opts.leaseUntil });
    await recordHistory(
      tx,
      simple
        .filter((s) => sent.has(s.id))
        .map((s) => ({
          messageId: s.id,
          status: 'sent' as const,
          at: opts.now,
          carrier: s.carrier,
        })),
    );
    for (const s of simple) kinds.set(s.id, sent.has(s.id) ? 'sent' : null);
    const written: WrittenCarrierId[] = simple
      .filter((s) => sent.has(s.id))
      .map((s) => ({ carrier: s.carrier, carrierMessageId: s.carrierMessageId }));
    for (const { row, outcome, kind } of rest) {
      const done = await writeOutcome(tx, row, outcome, kind, opts, ctx);
      kinds.set(row.id, done ? kind : null);
      const { result } = outcome;
      if (done && result.status === 'accepted' && outcome.carrier) {
        written.push({ carrier: outcome.carrier, carrierMessageId: result.carrierMessageId });
      }
    }
    // Receipts that came before their id was known wait in held_receipts: applied now.
    await applyHeldReceipts(ctx, tx, written);
  });
  for (const { row, outcome, kind } of rest) {
    if (kinds.get(row.id)) logRefusal(ctx, row, outcome, kind);
  }
  return kinds;
}
