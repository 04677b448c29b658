/**
 * Putting a message in the outbox. The row is written (number encrypted, blind index, segments
 * counted) before any carrier sees it; the dispatcher takes it from there. Callers that decide
 * something in the same breath (a sign-up, an opt-out) pass their transaction so that the
 * decision and the message land together or not at all.
 */
import type { AppContext } from '../app-context.js';
import { inspectText } from '../core/content/encoding.js';
import { HeraldError } from '../core/errors.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { DbOrTx } from '../store/database.js';
import { insertMessage, type MessageRow } from '../store/messages.js';

/**
 * Message states. `queued` waits for `not_before`; `sending` is claimed under a lease; `sent`
 * means a carrier accepted it; `blocked` the re-check at send time stopped it; `unknown` a
 * marketing message whose worker lost its lease (never retried); `cancelled` erased before it
 * left. Receipts (`delivered`, `undelivered`, `expired`) arrive with issue 5.
 */
export const MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'blocked',
  'cancelled',
  'expired',
  'unknown',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Why Herald writes a message: the replies it owes people, then campaign and API traffic. */
export const MESSAGE_KINDS = [
  'doi_confirmation',
  'opt_out_confirmation',
  'opt_in_confirmation',
  'help_reply',
  'campaign',
  'api',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface EnqueueInput {
  /** E.164; stored only encrypted plus its blind index. */
  readonly to: string;
  readonly purpose: Purpose;
  readonly kind: MessageKind;
  readonly body: string;
  readonly contactId?: number | null;
  readonly campaignId?: number | null;
  /** Pins a carrier; absent: the registry's default route at send time. */
  readonly carrier?: string | null;
  readonly notBefore?: Date;
  readonly now?: Date;
  /** The caller's transaction; default: the store itself. */
  readonly tx?: DbOrTx;
}

export type OutboxDeps = Pick<AppContext, 'cipher' | 'store'>;

export async function enqueueMessage(ctx: OutboxDeps, input: EnqueueInput): Promise<MessageRow> {
  if (input.body.trim() === '') throw new HeraldError('VALIDATION_FAILED', 'Empty message body');
  const now = input.now ?? new Date();
  return insertMessage(input.tx ?? ctx.store.db, {
    contact_id: input.contactId ?? null,
    phone_index: ctx.cipher.blindIndex(input.to),
    phone_enc: ctx.cipher.encrypt(input.to),
    purpose: input.purpose,
    kind: input.kind,
    body: input.body,
    segments: inspectText(input.body).segments,
    status: 'queued',
    carrier: input.carrier ?? null,
    carrier_message_id: null,
    error_code: null,
    not_before: (input.notBefore ?? now).toISOString(),
    lease_until: null,
    campaign_id: input.campaignId ?? null,
    created_at: now.toISOString(),
    sent_at: null,
    delivered_at: null,
  });
}
