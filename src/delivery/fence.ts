/**
 * The last gate of a marketing message: its hand-off to the carrier happens inside a short
 * transaction that an opt-out cannot overtake. The transaction takes the write lock (SQLite) or
 * a share lock on the contact's marketing consent row (PostgreSQL: fenceOptOut), reads the
 * suppressions and the consent once more, and only then starts the carrier's send; it commits
 * right after the carrier has the message (its answer is awaited outside).
 *
 * So an opt-out recorded before the hand-off is seen and the message ends `blocked`; an opt-out
 * being recorded meanwhile waits for the commit, i.e. comes after the hand-off. Nothing reaches
 * the carrier after the STOP was recorded. The decision before it (reserve.ts) already made the
 * message `submitted`, so a crash in here never sends it twice: it ends `unknown`.
 */
import type { AppContext } from '../app-context.js';
import type { Carrier, OutgoingSms, SendResult } from '../carriers/carrier.js';
import type { DecisionReason } from '../core/policy/reasons.js';
import { currentConsents } from '../store/consents.js';
import {
  consentsOfContacts,
  fenceOptOuts,
  finishClaims,
  holdClaims,
  suppressionsOfNumbers,
} from '../store/dispatch-batch.js';
import { fenceOptOut, finishClaim, holdClaim, type MessageRow } from '../store/messages.js';
import { findSuppressions } from '../store/suppressions.js';
import { recordHistory } from './history.js';
import { sendSafely, type HandOff, type Stopped } from './submit.js';

// What an opt-out changes: a suppression (any scope stops marketing), a revoked consent. The
// rest of the decision was made moments ago and does not change with an opt-out.
function stopReason(
  suppressions: readonly { scope: string }[],
  consents: readonly { purpose: string; granted: number }[],
): DecisionReason | null {
  if (suppressions.length > 0) return 'suppressed';
  const marketing = consents.find((c) => c.purpose === 'marketing');
  return marketing?.granted === 0 ? 'opted_out' : null;
}

/** The hand-off of a submitted marketing message to a contact, fenced as described above. */
export function fencedHandOff(
  ctx: AppContext,
  row: MessageRow,
  opts: { leaseUntil: string; now: Date },
): HandOff {
  const contactId = row.contact_id!;
  return async (carrier: Carrier, sms: OutgoingSms) => {
    type Gate = Stopped | { readonly answer: Promise<SendResult> };
    const gate = await ctx.store.db.transaction().execute(async (tx): Promise<Gate> => {
      const held = await holdClaim(tx, {
        id: row.id,
        leaseUntil: opts.leaseUntil,
        status: 'submitted',
      });
      if (!held) return { stopped: 'lost' };
      await fenceOptOut(tx, { contactId });
      const [suppressions, consents] = await Promise.all([
        findSuppressions(tx, row.phone_index),
        currentConsents(tx, contactId),
      ]);
      const reason = stopReason(suppressions, consents);
      if (reason) {
        await finishClaim(tx, {
          id: row.id,
          leaseUntil: opts.leaseUntil,
          patch: {
            status: 'blocked',
            error_code: reason,
            decision: JSON.stringify({ action: 'block', reason }),
          },
          from: ['submitted'],
        });
        await recordHistory(tx, [
          { messageId: row.id, status: 'blocked', at: opts.now, detail: `${reason}:at_hand_off` },
        ]);
        return { stopped: reason };
      }
      // The carrier takes the message now, before the commit; its answer is awaited after.
      const answer = sendSafely(carrier, sms);
      return { answer };
    });
    return 'answer' in gate ? gate.answer : gate;
  };
}

/** A submitted message and the first carrier of its route, ready to be handed over. */
export interface PendingHandOff {
  readonly row: MessageRow;
  readonly carrier: Carrier;
  readonly sms: OutgoingSms;
}

/**
 * fencedHandOff for many marketing messages at once, in one transaction: their claims held,
 * their contacts' consent rows share-locked (PostgreSQL) or the write lock taken (SQLite), the
 * suppressions and consents read once, the stopped ones ended `blocked`, and the carrier's send
 * started for every other one before the commit. Returns, per message id, the carrier's answer
 * to come or why it was not handed over.
 */
export async function fencedHandOffs(
  ctx: AppContext,
  pending: readonly PendingHandOff[],
  opts: { leaseUntil: string; now: Date },
): Promise<Map<number, Promise<SendResult> | Stopped>> {
  const out = new Map<number, Promise<SendResult> | Stopped>();
  if (pending.length === 0) return out;
  return ctx.store.db.transaction().execute(async (tx) => {
    const held = await holdClaims(tx, {
      ids: pending.map((p) => p.row.id),
      leaseUntil: opts.leaseUntil,
      status: 'submitted',
    });
    const mine = pending.filter((p) => held.has(p.row.id));
    for (const p of pending) if (!held.has(p.row.id)) out.set(p.row.id, { stopped: 'lost' });
    const contactIds = [...new Set(mine.map((p) => p.row.contact_id!))];
    await fenceOptOuts(tx, contactIds);
    const [suppressions, consents] = await Promise.all([
      suppressionsOfNumbers(tx, [...new Set(mine.map((p) => p.row.phone_index))]),
      consentsOfContacts(tx, contactIds),
    ]);
    const stopped = new Map<DecisionReason, number[]>();
    for (const p of mine) {
      const reason = stopReason(
        suppressions.get(p.row.phone_index) ?? [],
        consents.get(p.row.contact_id!) ?? [],
      );
      if (reason) {
        stopped.set(reason, [...(stopped.get(reason) ?? []), p.row.id]);
        out.set(p.row.id, { stopped: reason });
        continue;
      }
      // The carrier takes the message now, before the commit; its answer is awaited after.
      out.set(p.row.id, sendSafely(p.carrier, p.sms));
    }
    for (const [reason, ids] of stopped) {
      await finishClaims(tx, {
        ids,
        leaseUntil: opts.leaseUntil,
        patch: {
          status: 'blocked',
          error_code: reason,
          decision: JSON.stringify({ action: 'block', reason }),
        },
        from: ['submitted'],
      });
      await recordHistory(
        tx,
        ids.map((id) => ({
          messageId: id,
          status: 'blocked' as const,
          at: opts.now,
          detail: `${reason}:at_hand_off`,
        })),
      );
    }
    return out;
  });
}
