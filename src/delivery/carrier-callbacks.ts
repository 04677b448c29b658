/**
 * A carrier's HTTP callback, once the API has it: the carrier checks its signature (Twilio) or
 * callback token (Tencent, Alibaba) and parses it; receipts go to recordReceipts, inbound
 * messages to the inbound handling (STOP, START, HELP, YES/是, the inbox). Nothing is believed or
 * changed before the check passed: a forged or altered callback throws FORBIDDEN and leaves no
 * trace but a log line. A receipt for a message whose carrier id is not written yet is held in
 * the same transaction and applied once it is (held-receipts.ts); the carrier gets its answer
 * at once either way.
 *
 * Repeats change nothing: receipts are idempotent by message and status, inbound messages by the
 * carrier's id (or, where it gives none, a keyed hash of sender, carrier time and text). Where the
 * carrier dates what it sends, a callback older than CALLBACK_MAX_AGE_MS (or dated in the future
 * beyond the clock skew) is refused as stale: a replay of an old request, or one too late to act on.
 */
import type { AppContext } from '../app-context.js';
import type { Carrier, CarrierRequest, DeliveryReceipt, InboundSms } from '../carriers/carrier.js';
import { receiveInbound, type InboundAction } from '../contacts/inbound.js';
import { HeraldError } from '../core/errors.js';
import { parsePhone, type CountryCode } from '../core/phone.js';
import { recordReceipts, type ReceiptResult } from './receipts.js';

export const CALLBACK_KINDS = ['receipts', 'inbound'] as const;
export type CallbackKind = (typeof CALLBACK_KINDS)[number];

/** Carriers retry for hours, rarely for days; older callbacks are refused. */
export const CALLBACK_MAX_AGE_MS = 72 * 3_600_000;
/** How far ahead of Herald's clock a carrier's time may be. */
export const CALLBACK_MAX_SKEW_MS = 10 * 60_000;

export interface CallbackOutcome {
  readonly counts: Readonly<Partial<Record<ReceiptResult | InboundAction | 'stale', number>>>;
  /** What to answer the carrier (its documented acknowledgement). */
  readonly reply: { readonly status: number; readonly contentType: string; readonly body: string };
}

function isStale(at: Date, now: Date): boolean {
  const age = now.getTime() - at.getTime();
  return age > CALLBACK_MAX_AGE_MS || age < -CALLBACK_MAX_SKEW_MS;
}

/** The carrier's id for the message, or a keyed hash where it gives none. */
function dedupeKey(ctx: AppContext, sms: InboundSms): string | null {
  if (sms.carrierMessageId) return `${sms.carrier}:id:${sms.carrierMessageId}`;
  const parsed = parsePhone(sms.from, ctx.config.defaultCountry as CountryCode | undefined);
  if (!parsed.ok) return null;
  const fingerprint = `inbound|${parsed.e164}|${sms.receivedAt.toISOString()}|${sms.text}`;
  return `${sms.carrier}:h:${ctx.cipher.blindIndex(fingerprint)}`;
}

/**
 * @example
 *   const { reply } = await handleCarrierCallback(ctx, twilio, 'inbound', request);
 *   // reply: 200 text/xml <Response></Response>; the STOP in it is recorded
 */
export async function handleCarrierCallback(
  ctx: AppContext,
  carrier: Carrier,
  kind: CallbackKind,
  request: CarrierRequest,
  now: Date = new Date(),
): Promise<CallbackOutcome> {
  const counts: Partial<Record<ReceiptResult | InboundAction | 'stale', number>> = {};
  const count = (key: keyof typeof counts) => (counts[key] = (counts[key] ?? 0) + 1);
  if (kind === 'receipts') {
    if (!carrier.parseReceipts) {
      throw new HeraldError('NOT_FOUND', `${carrier.name} does not report receipts by webhook`);
    }
    const fresh: DeliveryReceipt[] = [];
    for (const receipt of carrier.parseReceipts(request)) {
      if (isStale(receipt.at, now)) count('stale');
      else fresh.push(receipt);
    }
    // One transaction; a receipt faster than the dispatcher's record of its id is held in it.
    if (fresh.length > 0)
      for (const result of await recordReceipts(ctx, fresh, { now })) count(result);
  } else {
    if (!carrier.parseInbound) {
      throw new HeraldError('NOT_FOUND', `${carrier.name} does not deliver messages by webhook`);
    }
    for (const sms of carrier.parseInbound(request)) {
      if (isStale(sms.receivedAt, now)) {
        count('stale');
        continue;
      }
      const outcome = await receiveInbound(ctx, sms, { dedupeKey: dedupeKey(ctx, sms) });
      count(outcome.action);
    }
  }
  if (counts.stale) {
    ctx.logger.warn({ carrier: carrier.name, kind, stale: counts.stale }, 'stale callback refused');
  }
  const reply = carrier.webhookReply?.(kind) ?? {
    status: 204,
    contentType: 'text/plain',
    body: '',
  };
  return { counts, reply };
}
