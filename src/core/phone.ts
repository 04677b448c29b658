/**
 * Phone numbers: parse any common human writing into E.164, mask it for display, format it.
 *
 * Always the `/max` metadata: `/min` only checks lengths and accepts prefixes no operator has
 * (+86 11x..., DE 1586...), which would let invalid numbers into the database.
 *
 * This runs on every row of an import (millions), so the happy path is one libphonenumber parse
 * and one type match; normalisation and retries only happen for the rare inputs that need them.
 */
import {
  Metadata,
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import type { CountryCode, NumberType, PhoneNumber } from 'libphonenumber-js/max';
import { HeraldError } from './errors.js';

export type { CountryCode };

/** What a valid number is used for, from the numbering plan of its country. */
export const PHONE_TYPES = [
  'mobile',
  'fixed_line',
  'fixed_line_or_mobile',
  'voip',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
  'unknown',
] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];

/** Why an input is not a phone number we can store. */
export const PHONE_INVALID_REASONS = [
  'empty',
  'not_a_number',
  'too_short',
  'too_long',
  'invalid_country_code',
  'invalid_for_region',
  'no_country',
] as const;
export type PhoneInvalidReason = (typeof PHONE_INVALID_REASONS)[number];

export const PHONE_FORMATS = ['international', 'national'] as const;
export type PhoneFormat = (typeof PHONE_FORMATS)[number];

export interface ParsedPhone {
  ok: true;
  /** `+8613800138000`: what we store, index and de-duplicate on. */
  e164: string;
  /** Null for non-geographic calling codes (+800, +808, +870, +881, +883, +888, +979). */
  country: CountryCode | null;
  /** National significant number: no calling code and no trunk prefix (`13800138000`). */
  nationalNumber: string;
  type: PhoneType;
  /** Digits dialled after connection (`x123`, `ext. 123`, `#123`, `转123`); never in `e164`. */
  extension?: string;
  /** `86` for `+8613800138000`: given by the parse, so callers need not split `e164` again. */
  callingCode: string;
}

export interface InvalidPhone {
  ok: false;
  reason: PhoneInvalidReason;
}

export type PhoneParseResult = ParsedPhone | InvalidPhone;

// With /max metadata a number is valid exactly when it matches one of the type patterns, so
// `getType()` answers both questions in one pass (`isValid()` would run the same matching again).
// 'unknown' is never produced for a parsed number; it stays in the set for stored rows whose type
// predates a metadata update.
const TYPE_OF: Record<NonNullable<NumberType>, PhoneType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed_line',
  FIXED_LINE_OR_MOBILE: 'fixed_line_or_mobile',
  VOIP: 'voip',
  TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium_rate',
  SHARED_COST: 'shared_cost',
  PERSONAL_NUMBER: 'personal_number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

const LENGTH_REASON: Record<string, PhoneInvalidReason> = {
  TOO_SHORT: 'too_short',
  TOO_LONG: 'too_long',
  NOT_A_NUMBER: 'not_a_number',
  INVALID_COUNTRY: 'invalid_country_code',
  // Between two allowed lengths (e.g. 9 digits where a plan has 8 and 10): the length is not
  // short or long, it just does not exist in that plan.
  INVALID_LENGTH: 'invalid_for_region',
};

const NON_ASCII = /[^\x20-\x7e]/;
// Chinese and Japanese list separators people put between digit groups; libphonenumber only
// knows ASCII and full-width punctuation.
const CJK_SEPARATORS = /[、。·・]/g;
// libphonenumber knows ext/x/#/~/доб/anexo... but not the Chinese words for "extension".
const CJK_EXTENSION = /\s*(?:转|轉|分机|分機|内线|內線)\s*/;
// `(+86) 138...` / `(0086) 138...`: a bracketed international prefix, common in Chinese writing,
// that libphonenumber rejects as not a number.
const BRACKETED_PREFIX = /^\s*[([]\s*(\+|00)\s*(\d{1,4})\s*[)\]]/;
// ITU-T E.164's recommended international prefix; many countries use another one (US 011,
// JP 010, AU 0011), but people abroad write `00` anyway.
const LEADING_00 = /^\s*00/;

/**
 * Parses a phone number as people write it. `defaultCountry` is the country assumed when the
 * number has no `+` (or `00`): its trunk prefix (`0` in GB/DE/FR/AU/JP/CN) and its own
 * international prefix (`011` in the US, `010` in JP) are understood.
 *
 * @example
 *   parsePhone('138 0013 8000', 'CN');
 *   // { ok: true, e164: '+8613800138000', country: 'CN', nationalNumber: '13800138000', type: 'mobile' }
 *   parsePhone('＋８６ １３８ ００１３ ８０００');   // same number, full-width
 *   parsePhone('020 7946 0123 ext. 42', 'GB');      // e164 '+442079460123', extension '42'
 *   parsePhone('0086 138 0013 8000', 'US');         // '00' understood even where IDD is 011
 *   parsePhone('07946 0123');                       // { ok: false, reason: 'no_country' }
 */
export function parsePhone(input: string, defaultCountry?: CountryCode): PhoneParseResult {
  // libphonenumber rejects surrounding blanks as "not a number"; CSV cells often have them.
  const trimmed = typeof input === 'string' ? input.trim() : '';
  if (trimmed === '') return { ok: false, reason: 'empty' };
  let text = NON_ASCII.test(trimmed) ? normaliseUnicode(trimmed) : trimmed;
  if (text.includes('(') || text.includes('[')) text = text.replace(BRACKETED_PREFIX, '$1$2 ');

  // Without a default country only an international writing can be read; `00` is the one
  // international prefix we can assume without knowing where the writer dials from.
  if (defaultCountry === undefined && LEADING_00.test(text)) text = text.replace(LEADING_00, '+');

  const first = attempt(text, defaultCountry);
  if (first.ok || defaultCountry === undefined || !LEADING_00.test(text)) return first;
  // The national reading of `00...` failed (e.g. from the US, whose own prefix is 011): read it
  // as international. The second reason is the one that matters: `00` was meant as a prefix.
  return attempt(text.replace(LEADING_00, '+'), defaultCountry);
}

function normaliseUnicode(input: string): string {
  // NFKC folds full-width digits, `＋`, `（）`, `－`, `＃` and the ideographic space to ASCII.
  return input.normalize('NFKC').replace(CJK_SEPARATORS, ' ').replace(CJK_EXTENSION, ' ext. ');
}

function attempt(text: string, defaultCountry: CountryCode | undefined): PhoneParseResult {
  let parsed: PhoneNumber;
  try {
    // extract: false, so `138 0013 8000abc` is rejected instead of read as the digits it holds.
    parsed = parsePhoneNumberWithError(text, { defaultCountry, extract: false });
  } catch (error) {
    return { ok: false, reason: reasonOfParseError(error, text, defaultCountry) };
  }
  const numberType = typeOf(parsed.country, parsed.countryCallingCode, parsed.nationalNumber);
  if (numberType === undefined) {
    return { ok: false, reason: reasonOfInvalid(text, defaultCountry) };
  }
  const result: ParsedPhone = {
    ok: true,
    e164: parsed.number,
    country: parsed.country ?? null,
    nationalNumber: parsed.nationalNumber,
    callingCode: parsed.countryCallingCode,
    type: TYPE_OF[numberType],
  };
  if (parsed.ext) result.extension = parsed.ext;
  return result;
}

/** The parts of libphonenumber's numbering-plan metadata that `typeOf` reads. */
interface NumberingPlanTypes {
  selectNumberingPlan(country: CountryCode | undefined, callingCode?: string): void;
  nationalNumberPattern(): string;
  type(
    name: NonNullable<NumberType>,
  ): { pattern(): string; possibleLengths(): number[] } | undefined;
}

const PLANS = new Metadata() as unknown as NumberingPlanTypes;
const NON_FIXED_LINE_TYPES = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;
// Pattern text -> compiled pattern. libphonenumber's own `getType()` builds a new RegExp from the
// pattern text on every test; the fixed-line patterns run to kilobytes, so hashing and flattening
// that text cost more than the match (profiled: ~40% of an import's parse time). A few hundred
// patterns exist in all.
const COMPILED = new Map<string, RegExp>();

function matchesEntirely(digits: string, pattern: string): boolean {
  let compiled = COMPILED.get(pattern);
  if (compiled === undefined) {
    compiled = new RegExp(`^(?:${pattern})$`);
    COMPILED.set(pattern, compiled);
  }
  return compiled.test(digits);
}

/**
 * libphonenumber's `getNumberType` (helpers/getNumberType.js of libphonenumber-js 1.12), step
 * for step, over compiled patterns; undefined means the number is not valid. Parity with the
 * library is tested (test/core/phone-type.test.ts).
 */
function typeOf(
  country: CountryCode | undefined,
  callingCode: string,
  national: string,
): NumberType | undefined {
  PLANS.selectNumberingPlan(country, callingCode);
  if (!matchesEntirely(national, PLANS.nationalNumberPattern())) return undefined;
  if (isOfType(national, 'FIXED_LINE')) {
    const mobile = PLANS.type('MOBILE');
    if (mobile === undefined || mobile.pattern() === '') return 'FIXED_LINE_OR_MOBILE';
    return isOfType(national, 'MOBILE') ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  for (const type of NON_FIXED_LINE_TYPES) if (isOfType(national, type)) return type;
  return undefined;
}

function isOfType(national: string, name: NonNullable<NumberType>): boolean {
  const type = PLANS.type(name);
  if (type === undefined || !type.pattern()) return false;
  const lengths = type.possibleLengths();
  if (lengths && !lengths.includes(national.length)) return false;
  return matchesEntirely(national, type.pattern());
}

function reasonOfParseError(
  error: unknown,
  text: string,
  defaultCountry: CountryCode | undefined,
): PhoneInvalidReason {
  const code = error instanceof Error ? error.message : '';
  if (code === 'INVALID_COUNTRY') {
    // libphonenumber says INVALID_COUNTRY both for `+999...` and for a national number with no
    // country to read it in; only the second is a missing default country.
    return defaultCountry === undefined && !text.trimStart().startsWith('+')
      ? 'no_country'
      : 'invalid_country_code';
  }
  return LENGTH_REASON[code] ?? 'not_a_number';
}

// Only reached for parsed-but-invalid numbers, so the second parse inside
// validatePhoneNumberLength costs nothing on valid rows.
function reasonOfInvalid(
  text: string,
  defaultCountry: CountryCode | undefined,
): PhoneInvalidReason {
  const length = validatePhoneNumberLength(text, { defaultCountry });
  return length === undefined
    ? 'invalid_for_region'
    : (LENGTH_REASON[length] ?? 'invalid_for_region');
}

const E164 = /^\+[1-9]\d{1,14}$/;

// Calling codes of the ITU's global services, which belong to no country (so getCountries()
// does not list them) but are valid E.164 numbers libphonenumber knows.
const NON_GEOGRAPHIC_CALLING_CODES = [
  '800',
  '808',
  '870',
  '878',
  '881',
  '882',
  '883',
  '888',
  '979',
];
const CALLING_CODES: ReadonlySet<string> = new Set([
  ...getCountries().map((country) => getCountryCallingCode(country) as string),
  ...NON_GEOGRAPHIC_CALLING_CODES,
]);

/**
 * Splits a stored E.164 number into its calling code and national number without parsing it
 * again: calling codes are prefix-free (ITU-T E.164), so at most three set look-ups find it.
 * Null when the value is not E.164 or its calling code does not exist.
 *
 * @example
 *   splitE164('+8613800138000'); // { callingCode: '86', nationalNumber: '13800138000' }
 *   splitE164('+12125550123');   // { callingCode: '1', nationalNumber: '2125550123' }
 *   splitE164('+99912345');      // null
 */
export function splitE164(e164: string): { callingCode: string; nationalNumber: string } | null {
  if (!E164.test(e164)) return null;
  for (let length = 1; length <= 3; length++) {
    const callingCode = e164.slice(1, 1 + length);
    if (CALLING_CODES.has(callingCode)) {
      return { callingCode, nationalNumber: e164.slice(1 + length) };
    }
  }
  return null;
}

function requireE164(e164: string): { callingCode: string; nationalNumber: string } {
  const split = splitE164(e164);
  // Never echo the value: error messages end up in logs.
  if (split === null) throw new HeraldError('CONTACT_INVALID_NUMBER', 'Expected an E.164 number');
  return split;
}

const SHOWN_HEAD = 3;
const SHOWN_TAIL = 4;
const MIN_MASKED = 3;

/**
 * Masks a number for display: the calling code, then the national number with its middle
 * replaced by `*`. Keeps the first 3 and last 4 national digits; where that would hide fewer
 * than 3 digits (national numbers under 10 digits), the head shrinks first, then the tail, so
 * at least 3 digits are always hidden. The tail is kept longest because it is what people quote
 * to confirm a number ("ending in 8000").
 *
 * @example
 *   maskPhone('+8613800138000'); // '+86 138****8000'
 *   maskPhone('+447400123456');  // '+44 740***3456'
 *   maskPhone('+6581234567');    // '+65 8***4567'  (8 digits: head shrinks to 1)
 *   maskPhone('+33612345678');   // '+33 61***5678' (9 digits)
 */
export function maskPhone(e164: string): string {
  const { callingCode, nationalNumber: national } = requireE164(e164);
  const masked = Math.min(
    national.length,
    Math.max(MIN_MASKED, national.length - SHOWN_HEAD - SHOWN_TAIL),
  );
  const shown = national.length - masked;
  const tail = Math.min(SHOWN_TAIL, shown);
  const head = Math.min(SHOWN_HEAD, shown - tail);
  return `+${callingCode} ${national.slice(0, head)}${'*'.repeat(masked)}${national.slice(national.length - tail)}`;
}

/**
 * Formats a stored E.164 number for people, grouped as in its country.
 *
 * @example
 *   formatPhone('+8613800138000', 'international'); // '+86 138 0013 8000'
 *   formatPhone('+442079460123', 'national');       // '020 7946 0123'
 *   formatPhone('+12125550123', 'national');        // '(212) 555-0123'
 */
export function formatPhone(e164: string, format: PhoneFormat): string {
  requireE164(e164);
  const parsed = parsePhoneNumberWithError(e164, { extract: false });
  return format === 'national' ? parsed.formatNational() : parsed.formatInternational();
}
