/**
 * The minimal check at the moment a message leaves, for what the full decision does not apply
 * to: Herald's own replies (REPLY_KINDS: the confirmation of an opt-out, a double opt-in request
 * to someone not yet a contact, help). An erasure or a suppression of scope `all` that arrived
 * after the message was queued still stops it. Every other message passes the full decide()
 * of src/core/policy at dispatch (reserve.ts). Pure; the dispatcher loads the facts.
 */
import type { DecisionReason } from '../core/policy/reasons.js';
import type { Purpose } from '../core/policy/purposes.js';

export interface SendFacts {
  readonly purpose: Purpose;
  /** False once the number was erased from the row. */
  readonly hasNumber: boolean;
  readonly suppressions: readonly { readonly scope: string; readonly reason: string }[];
  /** The contact's current marketing consent; null when there is no contact or no record. */
  readonly marketingConsent: boolean | null;
}

export type SendCheck =
  | { readonly action: 'send' }
  | {
      readonly action: 'block';
      readonly reason: Extract<DecisionReason, 'suppressed' | 'no_consent' | 'invalid_number'>;
      readonly detail?: string;
    };

/**
 * Transactional traffic (a double opt-in confirmation, an opt-out reply) respects suppressions of
 * scope `all`; marketing respects every suppression and needs consent granted right now.
 *
 * @example
 *   recheckAtSend({ purpose: 'marketing', hasNumber: true, marketingConsent: true,
 *     suppressions: [{ scope: 'marketing', reason: 'opt_out' }] });
 *   // { action: 'block', reason: 'suppressed', detail: 'opt_out' }
 */
export function recheckAtSend(facts: SendFacts): SendCheck {
  if (!facts.hasNumber) return { action: 'block', reason: 'invalid_number', detail: 'erased' };
  const blocking = facts.suppressions.find(
    (s) => s.scope === 'all' || facts.purpose === 'marketing',
  );
  if (blocking) return { action: 'block', reason: 'suppressed', detail: blocking.reason };
  if (facts.purpose === 'marketing' && facts.marketingConsent !== true) {
    return { action: 'block', reason: 'no_consent' };
  }
  return { action: 'send' };
}
