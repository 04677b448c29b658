/**
 * Putting a message in the outbox. The row is written (number encrypted, blind index, segments
 * counted) before any carrier sees it; the dispatcher takes it from there. Callers that decide
 * something in the same breath (a sign-up, an opt-out) pass their transaction so that the
 * decision and the message land together or not at all.
 */
import type { AppContext } from '../app-context.js';
import type { OutgoingSms } from '../carriers/carrier.js';
import { inspectText } from '../core/content/encoding.js';
import { HeraldError } from '../core/errors.js';
import { parsePhone } from '../core/phone.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { DbOrTx } from '../store/database.js';
import { insertMessage, type MessageRow } from '../store/messages.js';
import { recordHistory } from './history.js';

/**
 * Message states, in the order a message passes them:
 *   - `queued`: waits for `not_before`; `deferred`: the send decision postponed it (quiet hours,
 *     a holiday, a cap) to `not_before`, the earliest lawful instant;
 *   - `sending`: claimed by a worker under a lease while the decision runs again;
 *   - `submitted`: decided and handed to its carrier, no answer yet (the state a crash makes
 *     ambiguous); `sent`: the carrier accepted it and gave its id;
 *   - from receipts: `delivered`, `undelivered`, `expired`, `failed` (also: the carrier refused it
 *     for good, or retries ran out), `unknown` (also: a marketing message whose worker lost its
 *     lease after handing it over: never sent again);
 *   - `blocked`: the decision refused it (reason in error_code); `cancelled`: erased first, or
 *     its campaign was cancelled before it left;
 *   - `paused`: its campaign is paused; back to `queued`/`deferred` when it resumes.
 */
export const MESSAGE_STATUSES = [
  'queued',
  'deferred',
  'sending',
  'submitted',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'expired',
  'unknown',
  'blocked',
  'cancelled',
  'paused',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Waiting in the outbox for their time. */
export const WAITING_STATUSES = ['queued', 'deferred'] as const satisfies readonly MessageStatus[];

/**
 * Handed to a carrier (or possibly so): what counts against frequency caps at the moment a
 * message leaves. `failed` does not: a carrier that refused a message did not deliver it.
 */
export const HANDED_STATUSES = [
  'submitted',
  'sent',
  'delivered',
  'undelivered',
  'expired',
  'unknown',
] as const satisfies readonly MessageStatus[];

/** Why Herald writes a message: the replies it owes people, then campaign and API traffic. */
export const MESSAGE_KINDS = [
  'doi_confirmation',
  'opt_out_confirmation',
  'opt_in_confirmation',
  'help_reply',
  'campaign',
  'api',
  // A one-time code (API): the pack's flood limit applies.
  'otp',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * Herald's own answers to something the person just did. They pass only the minimal check at
 * dispatch (a number left, no suppression of scope `all`): the confirmation of an opt-out must
 * reach someone who just opted out, and a double opt-in request someone who is not a contact.
 */
export const REPLY_KINDS = [
  'doi_confirmation',
  'opt_out_confirmation',
  'opt_in_confirmation',
  'help_reply',
] as const satisfies readonly MessageKind[];

export function isReplyKind(kind: string): boolean {
  return (REPLY_KINDS as readonly string[]).includes(kind);
}

/** The send decision as a message row keeps it (the latest: at enqueue, then at dispatch). */
export interface StoredDecision {
  readonly action: 'send' | 'defer' | 'block';
  readonly reason?: string;
  /** ISO: the earliest lawful instant of a deferral. */
  readonly until?: string;
}

export interface EnqueueInput {
  /** E.164; stored only encrypted plus its blind index. */
  readonly to: string;
  readonly purpose: Purpose;
  readonly kind: MessageKind;
  readonly body: string;
  readonly contactId?: number | null;
  readonly campaignId?: number | null;
  /** Pins a carrier; absent: the route for the purpose and country at send time. */
  readonly carrier?: string | null;
  /** The destination country; absent: parsed from the number. */
  readonly country?: string | null;
  readonly sender?: string | null;
  readonly brand?: string | null;
  readonly template?: OutgoingSms['template'] | null;
  /** The decision made while composing (API); absent: queued, decided at dispatch. */
  readonly decision?: StoredDecision;
  /** Already hashed with its caller (see src/delivery/send.ts). */
  readonly idempotencyKey?: string | null;
  readonly requestHash?: string | null;
  readonly notBefore?: Date;
  readonly now?: Date;
  /** The caller's transaction; default: a transaction of its own. */
  readonly tx?: DbOrTx;
}

export type OutboxDeps = Pick<AppContext, 'cipher' | 'store'>;

function statusOf(decision: StoredDecision | undefined): MessageStatus {
  if (decision?.action === 'block') return 'blocked';
  return decision?.action === 'defer' ? 'deferred' : 'queued';
}

export async function enqueueMessage(ctx: OutboxDeps, input: EnqueueInput): Promise<MessageRow> {
  if (input.body.trim() === '') throw new HeraldError('VALIDATION_FAILED', 'Empty message body');
  const now = input.now ?? new Date();
  const decision = input.decision;
  const status = statusOf(decision);
  const notBefore = decision?.until ?? (input.notBefore ?? now).toISOString();
  const parsed = input.country === undefined ? parsePhone(input.to) : null;
  const write = async (tx: DbOrTx) => {
    const row = await insertMessage(tx, {
      contact_id: input.contactId ?? null,
      phone_index: ctx.cipher.blindIndex(input.to),
      phone_enc: ctx.cipher.encrypt(input.to),
      purpose: input.purpose,
      kind: input.kind,
      body: input.body,
      segments: inspectText(input.body).segments,
      status,
      carrier: null,
      pinned_carrier: input.carrier ?? null,
      carrier_message_id: null,
      error_code: decision?.reason ?? null,
      not_before: notBefore,
      lease_until: null,
      campaign_id: input.campaignId ?? null,
      created_at: now.toISOString(),
      sent_at: null,
      delivered_at: null,
      country: input.country ?? (parsed?.ok ? parsed.country : null),
      sender: input.sender ?? null,
      brand: input.brand ?? null,
      template: input.template ? JSON.stringify(input.template) : null,
      decision: decision ? JSON.stringify(decision) : null,
      idempotency_key: input.idempotencyKey ?? null,
      request_hash: input.requestHash ?? null,
    });
    await recordHistory(tx, [
      { messageId: row.id, status, at: now, detail: decision?.reason ?? null },
    ]);
    return row;
  };
  return input.tx ? write(input.tx) : ctx.store.db.transaction().execute(write);
}
