/**
 * What Herald does with the error codes carriers report. Carriers map their own codes to Herald's
 * names for the outcomes that matter (see src/carriers/twilio-errors.ts); this says what each
 * of those means for the message and for the phone-number database.
 */

/**
 * The carrier may have taken the message although it did not say so (no answer in time, or it
 * threw): a marketing message ends `unknown` rather than risk a second copy through another
 * route; a transactional one is tried again under its idempotency reference.
 */
export const AMBIGUOUS_CODES = [
  'CARRIER_TIMEOUT',
  'CARRIER_ERROR',
  // SMPP: the link dropped while the submit_sm awaited its answer (the SMSC may have it).
  'SMPP_CONNECTION_LOST',
] as const;

/** Permanent failures that say the number itself cannot get SMS: a hard bounce for hygiene. */
export const HARD_BOUNCE_CODES = [
  'invalid_number',
  'SIM_UNKNOWN_SUBSCRIBER',
  'SIM_NOT_MOBILE',
  'ESME_RINVDSTADR',
] as const;

/** The carrier holds an opt-out for the number (the person replied STOP to it): suppress. */
export const CARRIER_OPT_OUT_CODES = ['opted_out'] as const;

const has = (list: readonly string[], code: string | null | undefined) =>
  code != null && list.includes(code);

export function isAmbiguous(code: string | null | undefined): boolean {
  return has(AMBIGUOUS_CODES, code);
}

/**
 * @example
 *   isHardBounce('invalid_number'); // true
 *   isHardBounce('SIM_ABSENT_SUBSCRIBER'); // false: the phone was off, the number is fine
 *   isHardBounce('001', true); // true: the carrier said so itself
 */
export function isHardBounce(code: string | null | undefined, permanent?: boolean): boolean {
  return permanent === true || has(HARD_BOUNCE_CODES, code);
}

export function isCarrierOptOut(code: string | null | undefined): boolean {
  return has(CARRIER_OPT_OUT_CODES, code);
}
