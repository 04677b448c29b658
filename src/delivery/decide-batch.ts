/**
 * The decision at the moment of sending for a whole batch, in one short transaction (the batch
 * form of reserve.ts, with the same guarantees):
 *   1. the claims are confirmed (holdClaims: SQLite's write lock, PostgreSQL's row locks);
 *   2. every number of the batch is locked (lockNumbers: advisory locks in key order), so
 *      decisions for one number still run one after the other in every worker;
 *   3. contacts, consents, suppressions and the sends already handed to carriers are read fresh
 *      for the whole batch in a few statements, and decide() runs in memory, message after
 *      message in claim order; a message decided `send` counts at once against the caps of the
 *      messages after it to the same number (the count and the reservation stay atomic);
 *   4. the verdicts are written (one UPDATE for all the sends of a sender) with their history,
 *      and the transaction commits before any carrier is called.
 */
import type { AppContext } from '../app-context.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { Recipient } from '../core/policy/index.js';
import type { ContactConsentRow } from '../store/consents.js';
import type { ContactRow } from '../store/contacts.js';
import type { DbOrTx } from '../store/database.js';
import {
  consentsOfContacts,
  findContactsByIds,
  finishClaims,
  handedSendsOfNumbers,
  holdClaims,
  lockNumbers,
  suppressionsOfNumbers,
  type HandedSend,
} from '../store/dispatch-batch.js';
import { finishClaim, type MessageRow } from '../store/messages.js';
import type { SuppressionRow } from '../store/suppressions.js';
import { recordHistory, type Transition } from './history.js';
import { HANDED_STATUSES, isReplyKind } from './outbox.js';
import {
  capWindowStart,
  contactRecipient,
  decideAt,
  decisionMessage,
  numberRecipient,
} from './recipients.js';
import { recheckAtSend } from './recheck.js';
import {
  historyDetail,
  reservationPatch,
  STATUS_OF_VERDICT,
  type Decided,
  type ReserveOptions,
  type Verdict,
} from './reserve.js';

/** What a batch's decisions read, loaded once under the locks. */
interface Facts {
  readonly contacts: Map<number, ContactRow>;
  readonly consents: Map<number, ContactConsentRow[]>;
  readonly suppressions: Map<string, SuppressionRow[]>;
  readonly sends: Map<string, HandedSend[]>;
}

async function loadFacts(tx: DbOrTx, rows: readonly MessageRow[], now: Date): Promise<Facts> {
  const decided = rows.filter((r) => !isReplyKind(r.kind) && r.phone_enc !== null);
  const contactIds = [
    ...new Set(decided.map((r) => r.contact_id).filter((id): id is number => id !== null)),
  ];
  const [contacts, consents, suppressions, sends] = await Promise.all([
    findContactsByIds(tx, contactIds),
    consentsOfContacts(tx, contactIds),
    suppressionsOfNumbers(tx, [...new Set(rows.map((r) => r.phone_index))]),
    handedSendsOfNumbers(tx, {
      phoneIndexes: [...new Set(decided.map((r) => r.phone_index))],
      since: capWindowStart(now),
      statuses: HANDED_STATUSES,
    }),
  ]);
  return { contacts, consents, suppressions, sends };
}

async function judge(
  ctx: AppContext,
  row: MessageRow,
  facts: Facts,
  opts: ReserveOptions,
): Promise<Decided> {
  if (row.phone_enc === null)
    return { action: 'block', reason: 'invalid_number', detail: 'erased' };
  const e164 = ctx.cipher.decrypt(row.phone_enc);
  const suppressions = facts.suppressions.get(row.phone_index) ?? [];
  if (isReplyKind(row.kind)) {
    const check = recheckAtSend({
      purpose: row.purpose as Purpose,
      hasNumber: true,
      suppressions,
      marketingConsent: null,
    });
    return check.action === 'send' ? { action: 'send', e164 } : { ...check };
  }
  const contact = row.contact_id === null ? undefined : facts.contacts.get(row.contact_id);
  const sends = (facts.sends.get(row.phone_index) ?? []).filter((s) => s.id !== row.id);
  const recipient: Recipient = contact
    ? contactRecipient(contact, facts.consents.get(contact.id) ?? [], suppressions, sends)
    : await numberRecipient({ e164, phoneIndex: row.phone_index, contact }, suppressions, sends);
  const decision = decideAt(
    decisionMessage(row, contact),
    recipient,
    opts.policyFor(recipient.country),
    opts.now,
  );
  if (decision.action === 'send') return { action: 'send', e164 };
  if (decision.action === 'defer') {
    return { action: 'defer', until: decision.until, reason: decision.reason };
  }
  const detail = decision.checks.find((c) => !c.passed && c.reason === decision.reason)?.detail;
  return { action: 'block', reason: decision.reason, ...(detail ? { detail } : {}) };
}

/**
 * Decides every claimed message of a batch and records the verdicts (see the module comment).
 * `carrierOf` names the carrier each message is about to be handed to, for its history.
 */
export async function decideBatch(
  ctx: AppContext,
  rows: readonly MessageRow[],
  opts: Omit<ReserveOptions, 'carrier' | 'sender'> & {
    readonly routeOf: (row: MessageRow) => { carrier: string | null; sender: string | undefined };
  },
): Promise<Map<number, Verdict>> {
  return ctx.store.db.transaction().execute(async (tx) => {
    const verdicts = new Map<number, Verdict>();
    const held = await holdClaims(tx, {
      ids: rows.map((r) => r.id),
      leaseUntil: opts.leaseUntil,
      status: 'sending',
    });
    const mine = rows.filter((r) => held.has(r.id));
    for (const r of rows) if (!held.has(r.id)) verdicts.set(r.id, { action: 'lost' });
    if (mine.length === 0) return verdicts;
    await lockNumbers(tx, [...new Set(mine.map((r) => r.phone_index))]);
    const facts = await loadFacts(tx, mine, opts.now);

    const sendsBySender = new Map<string | null, number[]>();
    const history: Transition[] = [];
    const sentAt = opts.now.toISOString();
    for (const row of mine) {
      const { carrier, sender } = opts.routeOf(row);
      const verdict = await judge(ctx, row, facts, { ...opts, carrier, sender });
      verdicts.set(row.id, verdict);
      history.push({
        messageId: row.id,
        status: STATUS_OF_VERDICT[verdict.action],
        at: opts.now,
        detail: historyDetail(verdict),
        carrier: verdict.action === 'send' ? carrier : null,
      });
      if (verdict.action === 'send') {
        // It counts against the caps of the next messages to the number from this instant.
        const sends = facts.sends.get(row.phone_index) ?? [];
        sends.push({ id: row.id, purpose: row.purpose, kind: row.kind, at: sentAt });
        facts.sends.set(row.phone_index, sends);
        const key = row.sender ?? sender ?? null;
        const ids = sendsBySender.get(key);
        if (ids) ids.push(row.id);
        else sendsBySender.set(key, [row.id]);
        continue;
      }
      await finishClaim(tx, {
        id: row.id,
        leaseUntil: opts.leaseUntil,
        patch: reservationPatch(row, verdict, { ...opts, carrier, sender }),
        from: ['sending'],
      });
    }
    for (const [sender, ids] of sendsBySender) {
      // A submitted message keeps its lease: a crash before the carrier answers is detectable.
      await finishClaims(tx, {
        ids,
        leaseUntil: opts.leaseUntil,
        patch: {
          status: 'submitted',
          sent_at: sentAt,
          sender,
          error_code: null,
          decision: JSON.stringify({ action: 'send' }),
        },
        from: ['sending'],
        keepLease: true,
      });
    }
    await recordHistory(tx, history);
    return verdicts;
  });
}
