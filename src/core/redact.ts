/**
 * Finds phone-number-like runs in free text and masks them, so that no number reaches a log line
 * in clear. Deliberately greedy: a run of 7 to 15 digits, with the separators people write
 * (spaces, dashes, dots, brackets, a leading + or 00, full-width digits, URL-encoded +), is
 * treated as a number, except shapes that are clearly dates or times.
 *
 * @example
 *   redactPhones('sent to +86 138 0013 8000') // 'sent to [phone]'
 */
const CANDIDATE = /(?:\+|%2[Bb]|＋)?\(?[0-9０-９](?:[0-9０-９]|[\s().\-－/]|%20){5,24}[0-9０-９]/g;
const DATE_OR_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$|^\d{1,2}:\d{2}(?::\d{2})?$/;

export const PHONE_PLACEHOLDER = '[phone]';

const DOTTED = /^[0-9]+(?:\.[0-9]+)+$/;

/**
 * Digits joined only by dots are a number only when they look like one: an IPv4 address
 * (4 groups of at most 3 digits) or a software version (a group of one digit, `120.0.6099.109`)
 * is not; `06.12.34.56.78` and `415.555.0123` are.
 */
function dottedNonPhone(match: string): boolean {
  if (!DOTTED.test(match)) return false;
  const groups = match.split('.');
  if (groups.length === 4 && groups.every((g) => g.length <= 3 && Number(g) <= 255)) return true;
  return groups.some((g) => g.length === 1);
}

function digitCount(text: string): number {
  let n = 0;
  for (const ch of text) if ((ch >= '0' && ch <= '9') || (ch >= '０' && ch <= '９')) n++;
  return n;
}

const ALNUM = /[0-9A-Za-z]/;
/** A token this long with a letter in it is an identifier, not a number with a word stuck on. */
const IDENTIFIER_LENGTH = 20;

/**
 * A digit run inside a long letters-and-digits token (a SHA-256 hash, a carrier's message id such
 * as Twilio's `SM…` SID) is part of that identifier: masking it would garble evidence (the hash
 * of the consent text a contact agreed to) without protecting anyone.
 */
function insideIdentifier(text: string, start: number, end: number): boolean {
  let from = start;
  let to = end;
  while (from > 0 && ALNUM.test(text[from - 1]!)) from--;
  while (to < text.length && ALNUM.test(text[to]!)) to++;
  if (from === start && to === end) return false;
  const token = text.slice(from, to);
  return token.length >= IDENTIFIER_LENGTH && /[A-Za-z]/.test(token) && ALNUM.test(text[start]!);
}

export function redactPhones(text: string): string {
  if (!/[0-9０-９]{2}/.test(text)) return text;
  return text.replace(CANDIDATE, (match: string, offset: number) => {
    const digits = digitCount(match);
    if (digits < 7 || digits > 15) return match;
    if (DATE_OR_TIME.test(match.trim()) || dottedNonPhone(match)) return match;
    if (insideIdentifier(text, offset, offset + match.length)) return match;
    return PHONE_PLACEHOLDER;
  });
}

/** Applies `redactPhones` to every string inside a plain value (objects, arrays). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactPhones(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactPhones(value.message),
      stack: value.stack && redactPhones(value.stack),
    };
  }
  const proto: unknown = Object.getPrototypeOf(value);
  // Class instances (a request, a response) are left to their serializers, which redact too.
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}
