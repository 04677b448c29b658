/**
 * Hygiene decisions for one stored contact: is its number still valid under the current
 * libphonenumber metadata, does it still normalise to the E.164 it was stored as, has it bounced
 * too often, is its marketing consent stale? Pure: the shell decrypts, looks up and applies.
 */
import {
  PHONE_INVALID_REASONS,
  maskPhone,
  parsePhone,
  type PhoneInvalidReason,
  type PhoneType,
} from './phone.js';

/** Why a contact is invalid: its number no longer parses, or the carriers keep refusing it. */
export const CONTACT_INVALID_REASONS = [...PHONE_INVALID_REASONS, 'hard_bounce'] as const;
export type ContactInvalidReason = (typeof CONTACT_INVALID_REASONS)[number];

/** Every kind of change a hygiene run makes; one line of the report each. */
export const HYGIENE_CHANGES = [
  'invalid_number',
  'hard_bounce',
  'merged',
  'renormalised',
  'retyped',
  'repermission_flagged',
  'repermission_cleared',
] as const;
export type HygieneChange = (typeof HYGIENE_CHANGES)[number];

export interface HygieneSubject {
  /** The number as stored (decrypted). */
  readonly e164: string;
  readonly status: string;
  readonly numberType: string;
  readonly country: string | null;
  readonly hardBounces: number;
  readonly lastEngagedAt: string | null;
  readonly repermissionAt: string | null;
  /** When the current marketing consent was granted; null without a current grant. */
  readonly marketingGrantedAt: string | null;
}

export interface HygieneParams {
  readonly now: Date;
  readonly hardBounceLimit: number;
  readonly repermissionDays: number;
}

export type NumberVerdict =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'invalid'; readonly reason: ContactInvalidReason }
  /** Same number, but the metadata now says another type or country. */
  | { readonly kind: 'retyped'; readonly type: PhoneType; readonly country: string | null }
  /** The stored value now normalises to another E.164 (it may belong to another contact). */
  | {
      readonly kind: 'renormalised';
      readonly e164: string;
      readonly type: PhoneType;
      readonly country: string | null;
    };

export interface HygieneVerdict {
  readonly number: NumberVerdict;
  readonly repermission: 'flag' | 'clear' | 'keep';
}

const DAY_MS = 86_400_000;

/**
 * Stale: the marketing consent and the latest engagement are both older than the window.
 *
 * @example
 *   isConsentStale({ grantedAt: '2023-01-01T00:00:00Z', lastEngagedAt: null,
 *     now: new Date('2025-01-01T00:00:00Z'), repermissionDays: 540 }); // true
 */
export function isConsentStale(input: {
  readonly grantedAt: string;
  readonly lastEngagedAt: string | null;
  readonly now: Date;
  readonly repermissionDays: number;
}): boolean {
  const cutoff = input.now.getTime() - input.repermissionDays * DAY_MS;
  const granted = Date.parse(input.grantedAt);
  if (Number.isNaN(granted) || granted >= cutoff) return false;
  if (input.lastEngagedAt === null) return true;
  const engaged = Date.parse(input.lastEngagedAt);
  return Number.isNaN(engaged) || engaged < cutoff;
}

/**
 * What hygiene should do with one contact. Contacts already invalid are left alone, so a second
 * run changes nothing. An unparseable number wins over a bounce count (its reason says more).
 *
 * @example
 *   reviewContact({ e164: '+22501234567', status: 'active', ... }, params);
 *   // { number: { kind: 'invalid', reason: 'too_short' }, repermission: 'keep' }
 *   reviewContact({ e164: '+49015112345678', ... }, params);
 *   // { number: { kind: 'renormalised', e164: '+4915112345678', type: 'mobile', country: 'DE' }, ... }
 */
export function reviewContact(subject: HygieneSubject, params: HygieneParams): HygieneVerdict {
  if (subject.status === 'invalid') return { number: { kind: 'unchanged' }, repermission: 'keep' };
  const parsed = parsePhone(subject.e164);
  let number: NumberVerdict;
  if (!parsed.ok) {
    number = { kind: 'invalid', reason: parsed.reason };
  } else if (subject.hardBounces >= params.hardBounceLimit) {
    number = { kind: 'invalid', reason: 'hard_bounce' };
  } else if (parsed.e164 !== subject.e164) {
    number = {
      kind: 'renormalised',
      e164: parsed.e164,
      type: parsed.type,
      country: parsed.country,
    };
  } else if (parsed.type !== subject.numberType || parsed.country !== subject.country) {
    number = { kind: 'retyped', type: parsed.type, country: parsed.country };
  } else {
    number = { kind: 'unchanged' };
  }
  if (number.kind === 'invalid') return { number, repermission: 'keep' };
  const stale =
    subject.marketingGrantedAt !== null &&
    isConsentStale({
      grantedAt: subject.marketingGrantedAt,
      lastEngagedAt: subject.lastEngagedAt,
      now: params.now,
      repermissionDays: params.repermissionDays,
    });
  const repermission =
    stale && subject.repermissionAt === null
      ? 'flag'
      : !stale && subject.repermissionAt !== null
        ? 'clear'
        : 'keep';
  return { number, repermission };
}

/** Which of two duplicates survives a merge: the older one (then the lower id). */
export function keeperOf<T extends { readonly id: number; readonly createdAt: string }>(
  a: T,
  b: T,
): { keep: T; drop: T } {
  const older = a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
  return older ? { keep: a, drop: b } : { keep: b, drop: a };
}

/**
 * A masked number for reports; never throws, so one unreadable stored value cannot stop a run.
 *
 * @example
 *   maskForReport('+8613800138000'); // '+86 138****8000'
 *   maskForReport('garbage');        // '[unreadable]'
 */
export function maskForReport(e164: string): string {
  try {
    return maskPhone(e164);
  } catch {
    return '[unreadable]';
  }
}

export type { PhoneInvalidReason };
