/**
 * Behaviour events (purchases and custom events): the pure checks that decide whether one item of
 * a batch may be stored. The shell resolves the contact; everything here is about the event's
 * own facts, so each rejected item can say exactly why.
 */

/** What happened to one item of a batch. */
export const EVENT_OUTCOMES = ['accepted', 'duplicate', 'rejected'] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

/** Why an item was rejected; a closed set the API documents. */
export const EVENT_REJECTIONS = [
  'invalid_event',
  'unknown_contact',
  'invalid_number',
  'bad_currency',
  'bad_amount',
  'bad_time',
] as const;
export type EventRejection = (typeof EVENT_REJECTIONS)[number];

/** The one event type Herald gives meaning to; any other name is a custom event. */
export const PURCHASE = 'purchase';

// Clocks of shops and apps drift; an event a few minutes "in the future" is still real.
const FUTURE_TOLERANCE_MS = 10 * 60_000;

export interface EventFacts {
  readonly type: string;
  readonly occurredAt: string;
  readonly amount?: number;
  readonly currency?: string;
}

export type FactsCheck =
  | { readonly ok: true; readonly occurredAt: string; readonly currency: string | null }
  | { readonly ok: false; readonly reason: EventRejection; readonly message: string };

/**
 * Checks an event's time, amount and currency. `currencies` is the set of ISO 4217 codes
 * (`Intl.supportedValuesOf('currency')` in the shell); `now` is a parameter.
 *
 * @example
 *   checkEventFacts({ type: 'purchase', occurredAt: '2025-03-01T10:00:00Z', amount: 12.5,
 *     currency: 'cny' }, { now, currencies });
 *   // { ok: true, occurredAt: '2025-03-01T10:00:00.000Z', currency: 'CNY' }
 *   checkEventFacts({ type: 'purchase', occurredAt: '2025-03-01T10:00:00Z', amount: 3 }, ...);
 *   // { ok: false, reason: 'bad_currency', message: 'An amount needs a currency (ISO 4217)' }
 */
export function checkEventFacts(
  facts: EventFacts,
  opts: { readonly now: Date; readonly currencies: ReadonlySet<string> },
): FactsCheck {
  const at = Date.parse(facts.occurredAt);
  if (Number.isNaN(at)) {
    return { ok: false, reason: 'bad_time', message: 'occurredAt is not a date-time' };
  }
  if (at > opts.now.getTime() + FUTURE_TOLERANCE_MS) {
    return { ok: false, reason: 'bad_time', message: 'occurredAt is in the future' };
  }
  if (facts.amount !== undefined) {
    if (!Number.isFinite(facts.amount)) {
      return { ok: false, reason: 'bad_amount', message: 'amount must be a finite number' };
    }
    // A refund is its own custom event; a negative purchase would skew every spend segment.
    if (facts.type === PURCHASE && facts.amount < 0) {
      return { ok: false, reason: 'bad_amount', message: 'A purchase amount cannot be negative' };
    }
  }
  let currency: string | null = null;
  if (facts.currency !== undefined) {
    currency = facts.currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency) || !opts.currencies.has(currency)) {
      return { ok: false, reason: 'bad_currency', message: 'currency is not an ISO 4217 code' };
    }
  } else if (facts.amount !== undefined) {
    // Amounts in different currencies cannot be summed or compared in a segment.
    return { ok: false, reason: 'bad_currency', message: 'An amount needs a currency (ISO 4217)' };
  }
  return { ok: true, occurredAt: new Date(at).toISOString(), currency };
}
