/**
 * A message as the API shows it: the number masked (`+86 138****8000`), a confirmation link cut
 * short, its latest decision and, for one message, its history.
 */
import type { AppContext } from '../app-context.js';
import { maskPhone } from '../core/phone.js';
import { explainDecision, type Decision } from '../core/policy/index.js';
import type { MessageEventRow } from '../store/message-events.js';
import type { MessageRow } from '../store/messages.js';
import type { MessageStatus, StoredDecision } from './outbox.js';
import { redactConfirmLinks, replyLanguage } from './replies.js';

export interface DecisionView {
  readonly action: 'send' | 'defer' | 'block';
  readonly reason?: string;
  readonly until?: string;
  /** In words; given when the decision was just made. */
  readonly explanation?: string;
}

export interface MessageEventView {
  readonly at: string;
  readonly status: string;
  readonly detail: string | null;
  readonly carrier: string | null;
}

export interface MessageView {
  readonly id: number;
  readonly to: string | null;
  readonly contactId: number | null;
  readonly country: string | null;
  readonly purpose: string;
  readonly kind: string;
  readonly status: MessageStatus;
  readonly errorCode: string | null;
  readonly body: string | null;
  readonly segments: number;
  readonly sender: string | null;
  readonly carrier: string | null;
  readonly carrierMessageId: string | null;
  readonly campaignId: number | null;
  readonly notBefore: string;
  readonly attempts: number;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
  readonly decision: DecisionView | null;
  readonly history?: MessageEventView[];
}

export function decisionView(
  decision: Decision,
  locale: { country: string | null; locale?: string | null },
): DecisionView {
  return {
    action: decision.action,
    ...(decision.action === 'send' ? {} : { reason: decision.reason }),
    ...(decision.action === 'defer' ? { until: decision.until.toISOString() } : {}),
    explanation: explainDecision(decision, replyLanguage(locale.country, locale.locale)),
  };
}

function storedDecisionView(json: string | null): DecisionView | null {
  if (!json) return null;
  const d = JSON.parse(json) as StoredDecision;
  return {
    action: d.action,
    ...(d.reason ? { reason: d.reason } : {}),
    ...(d.until ? { until: d.until } : {}),
  };
}

export function messageView(
  ctx: AppContext,
  row: MessageRow,
  history?: readonly MessageEventRow[],
): MessageView {
  return {
    id: row.id,
    to: row.phone_enc === null ? null : maskPhone(ctx.cipher.decrypt(row.phone_enc)),
    contactId: row.contact_id,
    country: row.country,
    purpose: row.purpose,
    kind: row.kind,
    status: row.status as MessageStatus,
    errorCode: row.error_code,
    body: row.body === null ? null : redactConfirmLinks(row.body),
    segments: row.segments,
    sender: row.sender,
    carrier: row.carrier,
    carrierMessageId: row.carrier_message_id,
    campaignId: row.campaign_id,
    notBefore: row.not_before,
    attempts: row.attempts,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    decision: storedDecisionView(row.decision),
    ...(history
      ? {
          history: history.map((e) => ({
            at: e.at,
            status: e.status,
            detail: e.detail,
            carrier: e.carrier,
          })),
        }
      : {}),
  };
}
