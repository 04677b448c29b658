/**
 * The decision at the moment a message leaves, and its reservation, in one short transaction per
 * message:
 *   1. the claim is confirmed (and the row locked: an erasure waits, a takeover is refused);
 *   2. the number is locked (lockNumber: a PostgreSQL advisory lock on its blind index; SQLite's
 *      single writer is taken by step 1), so decisions for one number run one after the other in
 *      every worker on every machine;
 *   3. contact, consents, opt-out and suppressions are read fresh, with the sends already handed
 *      to carriers for that number, and decide() runs under the policy of its country;
 *   4. send: the row becomes `submitted` (it counts against caps from this instant) and the
 *      transaction commits before the carrier is called; defer: `deferred` until the earliest
 *      lawful instant; block: `blocked` with the reason.
 * Because the count and the reservation happen under the same lock, two dispatchers (or two
 * campaigns) can never both pass a cap for the same number. Herald's own replies pass only the
 * minimal check of recheck.ts.
 */
import type { AppContext } from '../app-context.js';
import type { DecisionReason } from '../core/policy/reasons.js';
import type { Purpose } from '../core/policy/purposes.js';
import { findContactById } from '../store/contacts.js';
import {
  finishClaim,
  holdClaim,
  lockNumber,
  type MessagePatch,
  type MessageRow,
} from '../store/messages.js';
import { findSuppressions } from '../store/suppressions.js';
import { recordHistory } from './history.js';
import { isReplyKind, type MessageStatus, type StoredDecision } from './outbox.js';
import { decideAt, decisionMessage, loadDecisionRecipient, type PolicyFor } from './recipients.js';
import { recheckAtSend } from './recheck.js';

export type Verdict =
  | { readonly action: 'lost' }
  | { readonly action: 'send'; readonly e164: string }
  | { readonly action: 'defer'; readonly until: Date; readonly reason: DecisionReason }
  | { readonly action: 'block'; readonly reason: DecisionReason; readonly detail?: string };

export interface ReserveOptions {
  readonly now: Date;
  readonly leaseUntil: string;
  readonly policyFor: PolicyFor;
  /** The carrier the message is about to be handed to (for its history). */
  readonly carrier: string | null;
  readonly sender: string | undefined;
}

export type Decided = Exclude<Verdict, { action: 'lost' }>;

async function judge(
  tx: Parameters<typeof holdClaim>[0],
  row: MessageRow,
  e164: string | null,
  now: Date,
  policyFor: PolicyFor,
): Promise<Decided> {
  if (e164 === null) return { action: 'block', reason: 'invalid_number', detail: 'erased' };
  if (isReplyKind(row.kind)) {
    const check = recheckAtSend({
      purpose: row.purpose as Purpose,
      hasNumber: true,
      suppressions: await findSuppressions(tx, row.phone_index),
      marketingConsent: null,
    });
    return check.action === 'send' ? { action: 'send', e164 } : { ...check };
  }
  const contact = row.contact_id === null ? undefined : await findContactById(tx, row.contact_id);
  const recipient = await loadDecisionRecipient(
    tx,
    { e164, phoneIndex: row.phone_index, contact },
    now,
    { kind: 'handed', excludeId: row.id },
  );
  const decision = decideAt(
    decisionMessage(row, contact),
    recipient,
    policyFor(recipient.country),
    now,
  );
  if (decision.action === 'send') return { action: 'send', e164 };
  if (decision.action === 'defer') {
    return { action: 'defer', until: decision.until, reason: decision.reason };
  }
  const detail = decision.checks.find((c) => !c.passed && c.reason === decision.reason)?.detail;
  return { action: 'block', reason: decision.reason, ...(detail ? { detail } : {}) };
}

function stored(verdict: Decided): StoredDecision {
  if (verdict.action === 'send') return { action: 'send' };
  if (verdict.action === 'defer') {
    return { action: 'defer', reason: verdict.reason, until: verdict.until.toISOString() };
  }
  return { action: 'block', reason: verdict.reason };
}

export function reservationPatch(
  row: MessageRow,
  verdict: Decided,
  opts: ReserveOptions,
): MessagePatch {
  const decision = JSON.stringify(stored(verdict));
  switch (verdict.action) {
    case 'send':
      return {
        status: 'submitted',
        sent_at: opts.now.toISOString(),
        sender: row.sender ?? opts.sender ?? null,
        error_code: null,
        decision,
      };
    case 'defer':
      // A deferral is not an attempt at the carrier: the claim's count is given back.
      return {
        status: 'deferred',
        not_before: verdict.until.toISOString(),
        error_code: verdict.reason,
        attempts: Math.max(0, row.attempts - 1),
        decision,
      };
    case 'block':
      return { status: 'blocked', error_code: verdict.reason, decision, template: null };
  }
}

export const STATUS_OF_VERDICT: Record<Decided['action'], MessageStatus> = {
  send: 'submitted',
  defer: 'deferred',
  block: 'blocked',
};

/** What a verdict's history event says: the reason (and detail) of a deferral or a block. */
export function historyDetail(verdict: Decided): string | null {
  if (verdict.action === 'send') return null;
  return verdict.action === 'block' && verdict.detail
    ? `${verdict.reason}:${verdict.detail}`
    : verdict.reason;
}

/** Decides one claimed message and records the verdict (see the module comment). */
export async function decideAndReserve(
  ctx: AppContext,
  row: MessageRow,
  opts: ReserveOptions,
): Promise<Verdict> {
  const e164 = row.phone_enc === null ? null : ctx.cipher.decrypt(row.phone_enc);
  return ctx.store.db.transaction().execute(async (tx): Promise<Verdict> => {
    if (!(await holdClaim(tx, { id: row.id, leaseUntil: opts.leaseUntil }))) {
      return { action: 'lost' };
    }
    await lockNumber(tx, row.phone_index);
    const verdict = await judge(tx, row, e164, opts.now, opts.policyFor);
    const patch = reservationPatch(row, verdict, opts);
    await finishClaim(tx, {
      id: row.id,
      leaseUntil: opts.leaseUntil,
      patch,
      from: ['sending'],
      // A submitted message keeps its lease: a crash before the carrier answers is detectable.
      keepLease: verdict.action === 'send',
    });
    await recordHistory(tx, [
      {
        messageId: row.id,
        status: STATUS_OF_VERDICT[verdict.action],
        at: opts.now,
        detail: historyDetail(verdict),
        carrier: verdict.action === 'send' ? opts.carrier : null,
      },
    ]);
    return verdict;
  });
}
