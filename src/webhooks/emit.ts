/**
 * Emitting a webhook event: one delivery row per enabled endpoint that takes the event, written
 * with the caller's database handle. Called inside the transaction of the change it reports, an
 * event is never lost once the change is committed and never sent for a change rolled back; the
 * delivery job (./deliver.ts) sends it afterwards.
 *
 * Payloads carry the contact id and the masked number, never the number in clear: they rest in
 * the outbox and travel to another system. Integrators look people up by contact id (or the
 * external id they gave the contact).
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { redactPhones } from '../core/redact.js';
import {
  maskedPhone,
  type WebhookEnvelope,
  type WebhookEventType,
  type WebhookPayloads,
} from '../core/webhooks.js';
import type { DbOrTx } from '../store/database.js';
import { findContactById } from '../store/contacts.js';
import type { InboundMessageRow } from '../store/inbound.js';
import type { MessageRow } from '../store/messages.js';
import type { ShortLinkRow } from '../store/short-links.js';
import { insertWebhookDeliveries, subscribedEndpointIds } from '../store/webhooks.js';

export interface WebhookEventInput<T extends WebhookEventType> {
  readonly type: T;
  readonly payload: WebhookPayloads[T];
  /** When it happened: the envelope's `createdAt`. */
  readonly at: Date;
}

const randomId = (prefix: string) => `${prefix}_${randomBytes(16).toString('base64url')}`;

/**
 * The payload is built only when some endpoint takes the event, so that events nobody listens to
 * cost one indexed look-up and no more (none when the caller already looked the endpoints up).
 */
async function emitLazy<T extends WebhookEventType>(
  db: DbOrTx,
  type: T,
  at: Date,
  build: () => WebhookPayloads[T] | Promise<WebhookPayloads[T]>,
  known?: readonly number[],
): Promise<number> {
  const endpointIds = known ?? (await subscribedEndpointIds(db, { eventType: type }));
  if (endpointIds.length === 0) return 0;
  const envelope: WebhookEnvelope<T> = {
    id: randomId('evt'),
    type,
    createdAt: at.toISOString(),
    data: await build(),
  };
  const body = JSON.stringify(envelope);
  // Due at once, whenever the event happened (a carrier's receipt may carry an old or skewed time).
  const queuedAt = new Date().toISOString();
  await insertWebhookDeliveries(
    db,
    endpointIds.map((endpointId) => ({
      id: randomId('dlv'),
      endpoint_id: endpointId,
      event_id: envelope.id,
      event_type: type,
      body,
      status: 'pending',
      attempts: 0,
      next_attempt_at: queuedAt,
      lease_until: null,
      last_status_code: null,
      last_error: null,
      created_at: queuedAt,
      finished_at: null,
    })),
  );
  return endpointIds.length;
}

/**
 * Queues an event for every endpoint that takes it; pass the transaction of the change it reports.
 * Returns how many deliveries were queued.
 *
 * @example
 *   await emitWebhookEvent(tx, {
 *     type: 'message.delivered',
 *     payload: { messageId, contactId, phone: maskedPhone(e164), status: 'delivered', ... },
 *     at: receipt.doneAt,
 *   });
 */
export async function emitWebhookEvent<T extends WebhookEventType>(
  db: DbOrTx,
  event: WebhookEventInput<T>,
): Promise<number> {
  return emitLazy(db, event.type, event.at, () => event.payload);
}

/** `link.clicked` for a person's click (the caller leaves out link-preview bots). */
export async function emitLinkClicked(
  ctx: AppContext,
  link: ShortLinkRow,
  at: Date,
): Promise<number> {
  const db = ctx.store.db;
  return emitLazy(db, 'link.clicked', at, async () => {
    const contact =
      link.contact_id === null ? undefined : await findContactById(db, link.contact_id);
    return {
      code: link.code,
      url: link.target,
      messageId: link.message_id,
      contactId: link.contact_id,
      phone: contact ? maskedPhone(ctx.cipher.decrypt(contact.phone_enc)) : null,
      campaignId: link.campaign_id,
      variant: link.variant,
    };
  });
}

/** `message.inbound` for a stored inbound SMS; any number written in its text is masked. */
export async function emitInboundMessage(
  db: DbOrTx,
  inbound: InboundMessageRow,
  sender: { readonly e164: string },
): Promise<number> {
  return emitLazy(db, 'message.inbound', new Date(inbound.received_at), () => ({
    inboundMessageId: inbound.id,
    contactId: inbound.contact_id,
    phone: maskedPhone(sender.e164),
    body: redactPhones(inbound.body ?? ''),
    intent: inbound.intent,
    carrier: inbound.carrier,
  }));
}

/**
 * `contact.opted_out` for the inbound SMS that opted its sender out, when it changed the number's
 * state (a repeated STOP is not a new event). Call it in the opt-out's transaction.
 */
export async function emitKeywordOptOut(
  db: DbOrTx,
  inbound: InboundMessageRow,
  sender: { readonly e164: string },
  keyword: string | null,
): Promise<number> {
  return emitLazy(db, 'contact.opted_out', new Date(inbound.received_at), () => ({
    contactId: inbound.contact_id,
    phone: maskedPhone(sender.e164),
    purpose: 'marketing',
    method: 'keyword',
    keyword,
    inboundMessageId: inbound.id,
  }));
}

/** The final statuses that are an event: delivered, or a carrier's final word that it was not. */
const OUTCOME_EVENTS = {
  delivered: 'message.delivered',
  undelivered: 'message.failed',
  failed: 'message.failed',
  expired: 'message.failed',
} as const satisfies Readonly<Record<string, WebhookEventType>>;

export interface MessageOutcome {
  readonly status: string;
  readonly carrier: string | null;
  readonly carrierMessageId: string | null;
  readonly errorCode: string | null;
  readonly at: Date;
}

/**
 * `message.delivered` or `message.failed` for a message that reached a final status (a receipt,
 * or the dispatcher giving up); nothing for any other status. Call it in the transaction that
 * records the status, so the event exists exactly when the status does.
 *
 * @example
 *   await emitMessageOutcome(ctx, tx, row, { status: 'delivered', carrier: 'twilio',
 *     carrierMessageId: 'SM...', errorCode: null, at: receipt.at });
 */
type OutcomeMessage = Pick<
  MessageRow,
  'id' | 'contact_id' | 'phone_enc' | 'purpose' | 'campaign_id'
>;

function outcomeTypeOf(outcome: MessageOutcome): 'message.delivered' | 'message.failed' | null {
  const type = (OUTCOME_EVENTS as Readonly<Record<string, WebhookEventType>>)[outcome.status];
  return type === 'message.delivered' || type === 'message.failed' ? type : null;
}

function outcomePayload(
  ctx: Pick<AppContext, 'cipher'>,
  message: OutcomeMessage,
  outcome: MessageOutcome,
) {
  return {
    messageId: message.id,
    contactId: message.contact_id,
    phone: message.phone_enc === null ? null : maskedPhone(ctx.cipher.decrypt(message.phone_enc)),
    purpose: message.purpose,
    status: outcome.status,
    carrier: outcome.carrier,
    carrierMessageId: outcome.carrierMessageId,
    errorCode: outcome.errorCode,
    campaignId: message.campaign_id,
  };
}

export async function emitMessageOutcome(
  ctx: Pick<AppContext, 'cipher'>,
  db: DbOrTx,
  message: OutcomeMessage,
  outcome: MessageOutcome,
): Promise<number> {
  const type = outcomeTypeOf(outcome);
  if (type === null) return 0;
  return emitLazy(db, type, outcome.at, () => outcomePayload(ctx, message, outcome));
}

/**
 * emitMessageOutcome for a batch of outcomes (the receipts of one transaction): the endpoints are
 * looked up once per event type, so a batch nobody listens to costs two look-ups.
 */
export async function emitMessageOutcomes(
  ctx: Pick<AppContext, 'cipher'>,
  db: DbOrTx,
  items: readonly { readonly message: OutcomeMessage; readonly outcome: MessageOutcome }[],
): Promise<void> {
  const endpoints = new Map<string, readonly number[]>();
  for (const { message, outcome } of items) {
    const type = outcomeTypeOf(outcome);
    if (type === null) continue;
    let known = endpoints.get(type);
    if (known === undefined) {
      known = await subscribedEndpointIds(db, { eventType: type });
      endpoints.set(type, known);
    }
    if (known.length === 0) continue;
    await emitLazy(db, type, outcome.at, () => outcomePayload(ctx, message, outcome), known);
  }
}
