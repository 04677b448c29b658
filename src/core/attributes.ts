/**
 * Contact attributes: the declared schema of what a contact may carry beyond its number
 * (birth year, city, tags...), and the one check every write goes through (API, console, CSV
 * import), so a segment on `birth_year >= 1990` never meets the string "nineteen ninety".
 *
 * Error messages say what was expected, never the value given: attributes are personal data
 * and errors end up in logs and import reports.
 */
import { HeraldError } from './errors.js';

export const ATTRIBUTE_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'date',
  'enum',
  'string_list',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Extra rules a string can follow. `locale`: a BCP 47 tag, language[-Script][-REGION]. */
export const STRING_FORMATS = ['locale'] as const;
export type StringFormat = (typeof STRING_FORMATS)[number];

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  required?: boolean;
  /** `enum`: the allowed values. */
  values?: readonly string[];
  /** `string`: most characters; `string_list`: most characters of each item. */
  maxLength?: number;
  /** `number` / `integer`: inclusive bounds. */
  min?: number;
  max?: number;
  format?: StringFormat;
}

export type AttributeSchema = readonly AttributeDefinition[];
export type AttributeValue = string | number | boolean | string[];

export interface AttributeError {
  field: string;
  message: string;
}

export type AttributesResult =
  { ok: true; value: Record<string, AttributeValue> } | { ok: false; errors: AttributeError[] };

export interface ValidateAttributesOptions {
  /**
   * Accept the text a CSV cell holds: numeric strings for numbers, `yes`/`no`/`1`/`0` for
   * booleans, `a, b; c` for lists, enum values in any case. Off for the JSON API, whose
   * clients can send real types.
   */
  coerce?: boolean;
}

type Check = { ok: true; value: AttributeValue } | { ok: false; message: string };

export const AGE_BANDS = ['<18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

const EARLIEST_BIRTH_YEAR = 1900;

/**
 * The attributes every contact may have. `birth_year` and `age_band` are alternatives (sources
 * give one or the other); both may be present and are not cross-checked, since a birth year
 * gives the age only to within a year. The current year is a parameter: the core has no clock.
 *
 * @example
 *   validateAttributes(builtInAttributes(2026), { birth_year: 1990, tags: ['vip'] });
 *   // { ok: true, value: { birth_year: 1990, tags: ['vip'] } }
 */
export function builtInAttributes(currentYear: number): AttributeSchema {
  return [
    { name: 'birth_year', type: 'integer', min: EARLIEST_BIRTH_YEAR, max: currentYear },
    { name: 'age_band', type: 'enum', values: AGE_BANDS },
    { name: 'city', type: 'string', maxLength: 100 },
    { name: 'region', type: 'string', maxLength: 100 },
    { name: 'gender', type: 'enum', values: GENDERS },
    { name: 'locale', type: 'string', format: 'locale', maxLength: 35 },
    { name: 'tags', type: 'string_list', maxLength: 64 },
  ];
}

/**
 * Checks values against a schema and returns them normalised: strings trimmed, numbers as
 * numbers, dates as `YYYY-MM-DD`, lists without duplicates, locales in canonical case. Unknown
 * fields are errors; absent, null and empty values are left out (and are errors if required).
 *
 * @example
 *   const schema = [{ name: 'joined', type: 'date' }, { name: 'visits', type: 'integer' }];
 *   validateAttributes(schema, { joined: '2024/3/5', visits: '12' }, { coerce: true });
 *   // { ok: true, value: { joined: '2024-03-05', visits: 12 } }
 *   validateAttributes(schema, { visits: '12', colour: 'red' });
 *   // { ok: false, errors: [{ field: 'visits', message: 'must be an integer' },
 *   //                       { field: 'colour', message: 'is not a declared attribute' }] }
 */
export function validateAttributes(
  schema: AttributeSchema,
  values: Record<string, unknown>,
  options: ValidateAttributesOptions = {},
): AttributesResult {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return { ok: false, errors: [{ field: '', message: 'attributes must be an object' }] };
  }
  const coerce = options.coerce === true;
  const errors: AttributeError[] = [];
  const value: Record<string, AttributeValue> = {};
  const declared = new Set<string>();

  for (const definition of schema) {
    declared.add(definition.name);
    const raw = Object.hasOwn(values, definition.name) ? values[definition.name] : undefined;
    if (isAbsent(raw)) {
      if (definition.required === true)
        errors.push({ field: definition.name, message: 'is required' });
      continue;
    }
    const checked = checkValue(definition, raw, coerce);
    if (checked.ok) value[definition.name] = checked.value;
    else errors.push({ field: definition.name, message: checked.message });
  }
  for (const field of Object.keys(values)) {
    if (!declared.has(field)) errors.push({ field, message: 'is not a declared attribute' });
  }
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}

/**
 * `validateAttributes` for callers that stop at the first bad record: throws ATTRIBUTE_INVALID
 * with the list of errors as details.
 *
 * @example
 *   const attributes = assertAttributes(schema, request.body.attributes);
 */
export function assertAttributes(
  schema: AttributeSchema,
  values: Record<string, unknown>,
  options: ValidateAttributesOptions = {},
): Record<string, AttributeValue> {
  const result = validateAttributes(schema, values, options);
  if (!result.ok) throw new HeraldError('ATTRIBUTE_INVALID', undefined, { errors: result.errors });
  return result.value;
}

/**
 * Finds mistakes in a declared schema (from an admin, so it is checked before it is stored).
 *
 * @example
 *   checkAttributeSchema([{ name: 'tier', type: 'enum' }]);
 *   // [{ field: 'tier', message: 'an enum needs a non-empty list of values' }]
 */
export function checkAttributeSchema(schema: AttributeSchema): AttributeError[] {
  const errors: AttributeError[] = [];
  const seen = new Set<string>();
  for (const definition of schema) {
    const field = definition.name;
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(field)) {
      errors.push({ field, message: 'names are 1-64 of a-z, 0-9 and _, starting with a letter' });
    }
    if (seen.has(field)) errors.push({ field, message: 'is declared twice' });
    seen.add(field);
    if (!(ATTRIBUTE_TYPES as readonly string[]).includes(definition.type)) {
      errors.push({ field, message: `type must be one of ${ATTRIBUTE_TYPES.join(', ')}` });
    }
    if (definition.type === 'enum' && (definition.values?.length ?? 0) === 0) {
      errors.push({ field, message: 'an enum needs a non-empty list of values' });
    }
    if (definition.maxLength !== undefined && !(definition.maxLength >= 1)) {
      errors.push({ field, message: 'maxLength must be at least 1' });
    }
    if (
      definition.min !== undefined &&
      definition.max !== undefined &&
      definition.min > definition.max
    ) {
      errors.push({ field, message: 'min is greater than max' });
    }
  }
  return errors;
}

function isAbsent(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

function checkValue(definition: AttributeDefinition, raw: unknown, coerce: boolean): Check {
  switch (definition.type) {
    case 'string':
      return checkString(definition, raw);
    case 'number':
    case 'integer':
      return checkNumber(definition, raw, coerce);
    case 'boolean':
      return checkBoolean(raw, coerce);
    case 'date':
      return checkDate(raw);
    case 'enum':
      return checkEnum(definition, raw, coerce);
    case 'string_list':
      return checkList(definition, raw, coerce);
  }
}

function checkString(definition: AttributeDefinition, raw: unknown): Check {
  if (typeof raw !== 'string') return { ok: false, message: 'must be text' };
  const text = raw.trim();
  // Code points, not UTF-16 units: 64 Chinese characters or emoji are 64, not 128.
  if (definition.maxLength !== undefined && [...text].length > definition.maxLength) {
    return { ok: false, message: `must be at most ${definition.maxLength} characters` };
  }
  if (definition.format === 'locale') return checkLocale(text);
  return { ok: true, value: text };
}

// language[-Script][-REGION]: what a contact's language preference needs; extensions and
// variants (en-US-u-ca-gregory, de-CH-1996) say nothing useful about the SMS to send.
const SIMPLE_LOCALE = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$/;

function checkLocale(text: string): Check {
  let canonical: string | undefined;
  try {
    // zh_CN is how Java, gettext and many CSV exports write zh-CN.
    canonical = Intl.getCanonicalLocales(text.replaceAll('_', '-'))[0];
  } catch {
    canonical = undefined;
  }
  if (canonical === undefined || !SIMPLE_LOCALE.test(canonical)) {
    return { ok: false, message: 'must be a BCP 47 locale such as zh-CN or en-US' };
  }
  return { ok: true, value: canonical };
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function checkNumber(definition: AttributeDefinition, raw: unknown, coerce: boolean): Check {
  const wanted = definition.type === 'integer' ? 'an integer' : 'a number';
  let number: number | undefined;
  if (typeof raw === 'number') number = raw;
  else if (coerce && typeof raw === 'string' && NUMERIC.test(raw.trim()))
    number = Number(raw.trim());
  if (number === undefined || !Number.isFinite(number))
    return { ok: false, message: `must be ${wanted}` };
  if (definition.type === 'integer' && !Number.isSafeInteger(number)) {
    return { ok: false, message: 'must be an integer' };
  }
  if (definition.min !== undefined && number < definition.min) {
    return { ok: false, message: `must be at least ${definition.min}` };
  }
  if (definition.max !== undefined && number > definition.max) {
    return { ok: false, message: `must be at most ${definition.max}` };
  }
  return { ok: true, value: number };
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', '是']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', '否']);

function checkBoolean(raw: unknown, coerce: boolean): Check {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (coerce && typeof raw === 'string') {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, value: true };
    if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  }
  return { ok: false, message: 'must be true or false' };
}

// Year first only: 03/04/2024 is 3 April in Europe and 4 March in the US, so it is refused
// rather than guessed. An ISO date-time keeps the date as written, not shifted to UTC.
const YEAR_FIRST = /^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?)(?:[T ].*)?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

function checkDate(raw: unknown): Check {
  const invalid: Check = { ok: false, message: 'must be a date written YYYY-MM-DD' };
  if (typeof raw !== 'string') return invalid;
  const text = raw.trim();
  const match = YEAR_FIRST.exec(text) ?? COMPACT.exec(text);
  if (match === null) return invalid;
  const year = Number(match[1]);
  const month = Number(match[2] ?? match[4]);
  const day = Number(match[3] ?? match[5]);
  // Date.UTC rolls 2023-02-30 over to March; a real date survives the round trip.
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return invalid;
  }
  return { ok: true, value: `${match[1]}-${pad2(month)}-${pad2(day)}` };
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function checkEnum(definition: AttributeDefinition, raw: unknown, coerce: boolean): Check {
  const allowed = definition.values ?? [];
  const message = `must be one of ${allowed.join(', ')}`;
  if (typeof raw !== 'string') return { ok: false, message };
  const text = raw.trim();
  if (allowed.includes(text)) return { ok: true, value: text };
  if (coerce) {
    const folded = allowed.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
    if (folded !== undefined) return { ok: true, value: folded };
  }
  return { ok: false, message };
}

// What people put between tags in one spreadsheet cell, including the Chinese commas.
const LIST_SEPARATORS = /[,;|，；、]/;

function checkList(definition: AttributeDefinition, raw: unknown, coerce: boolean): Check {
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (coerce && typeof raw === 'string')
    items = raw.split(LIST_SEPARATORS).filter((item) => item.trim() !== '');
  else return { ok: false, message: 'must be a list of text' };

  const maxLength = definition.maxLength;
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string') return { ok: false, message: 'must be a list of text' };
    const text = item.trim();
    const length = [...text].length;
    if (length === 0 || (maxLength !== undefined && length > maxLength)) {
      const most = maxLength === undefined ? '' : `-${maxLength}`;
      return { ok: false, message: `each item must be 1${most} characters` };
    }
    seen.add(text);
  }
  return { ok: true, value: [...seen] };
}
