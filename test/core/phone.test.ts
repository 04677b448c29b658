import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { isHeraldError } from '../../src/core/errors.js';
import {
  PHONE_INVALID_REASONS,
  PHONE_TYPES,
  formatPhone,
  maskPhone,
  parsePhone,
  splitE164,
} from '../../src/core/phone.js';
import type { CountryCode, PhoneInvalidReason, PhoneParseResult } from '../../src/core/phone.js';

/**
 * test/fixtures/numbers.csv: one row per writing of a number. `duplicate_of:<row>` is the
 * spreadsheet row number (the header is row 1, the first number row 2). `ext=<digits>` in the
 * note is the extension the row must keep apart from the E.164. Zones are checked by
 * test/contacts/phone-metadata.test.ts.
 */
interface FixtureRow {
  row: number;
  phone: string;
  default_country: string;
  expected_e164: string;
  expected_type: string;
  expected_zones: string;
  expected_result: string;
  note: string;
}

const FIXTURE: FixtureRow[] = (
  parse(readFileSync(new URL('../fixtures/numbers.csv', import.meta.url), 'utf8'), {
    columns: true,
  }) as Omit<FixtureRow, 'row'>[]
).map((record, index) => ({ ...record, row: index + 2 }));
const byRow = new Map(FIXTURE.map((row) => [row.row, row]));
const countryOf = (row: FixtureRow): CountryCode | undefined =>
  row.default_country === '' ? undefined : (row.default_country as CountryCode);

describe('numbers.csv fixture', () => {
  it('has at least 70 rows, every country of the brief and every reason', () => {
    expect(FIXTURE.length).toBeGreaterThanOrEqual(70);
    const callingCodes = new Set(
      FIXTURE.map((row) => splitE164(row.expected_e164)?.callingCode).filter(Boolean),
    );
    for (const code of ['86', '1', '44', '49', '33', '65', '91', '61', '81']) {
      expect(callingCodes).toContain(code);
    }
    const reasons = FIXTURE.filter((row) => row.expected_result.startsWith('invalid:')).map((row) =>
      row.expected_result.slice('invalid:'.length),
    );
    expect(new Set(reasons)).toEqual(new Set(PHONE_INVALID_REASONS));
  });

  it.each(FIXTURE.filter((row) => row.expected_result.startsWith('duplicate_of:')))(
    'row $row duplicates an ok row with the same expectations',
    (row) => {
      const target = byRow.get(Number(row.expected_result.slice('duplicate_of:'.length)));
      expect(target?.expected_result).toBe('ok');
      expect(row.expected_e164).toBe(target?.expected_e164);
      expect(row.expected_type).toBe(target?.expected_type);
      expect(row.expected_zones).toBe(target?.expected_zones);
    },
  );
});

describe('parsePhone over numbers.csv', () => {
  it.each(FIXTURE)('row $row: $note', (row) => {
    const result = parsePhone(row.phone, countryOf(row));
    if (row.expected_result.startsWith('invalid:')) {
      expect(result).toEqual({ ok: false, reason: row.expected_result.slice('invalid:'.length) });
      return;
    }
    const extension = /ext=(\d+)/.exec(row.note)?.[1];
    expect(result).toEqual({
      ok: true,
      e164: row.expected_e164,
      country: expect.any(String),
      nationalNumber: splitE164(row.expected_e164)?.nationalNumber,
      callingCode: splitE164(row.expected_e164)?.callingCode,
      type: row.expected_type,
      ...(extension === undefined ? {} : { extension }),
    });
  });

  it('gives every duplicate the E.164 of the first row with that number', () => {
    const firstRow = new Map<string, number>();
    for (const row of FIXTURE) {
      const result = parsePhone(row.phone, countryOf(row));
      if (!result.ok) continue;
      const first = firstRow.get(result.e164);
      if (first === undefined) {
        firstRow.set(result.e164, row.row);
        expect(row.expected_result).toBe('ok');
      } else {
        expect(row.expected_result).toBe(`duplicate_of:${first}`);
      }
    }
  });
});

type Case = [input: string, country: CountryCode | undefined, expected: Partial<PhoneParseResult>];

describe('parsePhone edge cases', () => {
  const valid: Case[] = [
    // full width: digits, plus, brackets, dashes, ideographic space; CJK separators
    ['＋８６１３８００１３８０００', undefined, { e164: '+8613800138000' }],
    ['+８６ 138 0013 8000', undefined, { e164: '+8613800138000' }],
    ['（０２１）６２３４　５６７８', 'CN', { e164: '+862162345678', type: 'fixed_line' }],
    ['１３８－００１３－８０００', 'CN', { e164: '+8613800138000' }],
    ['138・0013・8000', 'CN', { e164: '+8613800138000' }],
    // extensions in their many writings, never part of the E.164
    ['+1 212 555 0123 x123', undefined, { e164: '+12125550123', extension: '123' }],
    ['+1 212 555 0123 ext. 123', undefined, { e164: '+12125550123', extension: '123' }],
    ['+1 212 555 0123 extension 9', undefined, { e164: '+12125550123', extension: '9' }],
    ['+1 212 555 0123#123', undefined, { e164: '+12125550123', extension: '123' }],
    ['+1 212 555 0123;ext=123', undefined, { e164: '+12125550123', extension: '123' }],
    ['010-65529988转8001', 'CN', { e164: '+861065529988', extension: '8001' }],
    ['010-65529988 转 8001', 'CN', { e164: '+861065529988', extension: '8001' }],
    ['010-65529988分机8001', 'CN', { e164: '+861065529988', extension: '8001' }],
    ['０１０－６５５２９９８８＃８００１', 'CN', { e164: '+861065529988', extension: '8001' }],
    // international prefixes: 00 from anywhere, and each country's own
    ['0044 20 7946 0123', undefined, { e164: '+442079460123' }],
    ['0044 20 7946 0123', 'US', { e164: '+442079460123' }],
    ['0044 20 7946 0123', 'JP', { e164: '+442079460123' }],
    ['0044 20 7946 0123', 'AU', { e164: '+442079460123' }],
    ['011 44 20 7946 0123', 'US', { e164: '+442079460123' }],
    ['010 44 20 7946 0123', 'JP', { e164: '+442079460123' }],
    ['0011 44 20 7946 0123', 'AU', { e164: '+442079460123' }],
    ['001 44 20 7946 0123', 'SG', { e164: '+442079460123' }],
    ['(0044) 20 7946 0123', 'US', { e164: '+442079460123' }],
    // 010 from China is Beijing, not an international prefix
    ['010 6552 9988', 'CN', { e164: '+861065529988', type: 'fixed_line' }],
    // national trunk 0 per country
    ['07400 123456', 'GB', { e164: '+447400123456', type: 'mobile' }],
    ['0151 23456789', 'DE', { e164: '+4915123456789', type: 'mobile' }],
    ['06 12 34 56 78', 'FR', { e164: '+33612345678', type: 'mobile' }],
    ['0412 345 678', 'AU', { e164: '+61412345678', type: 'mobile' }],
    ['090-1234-5678', 'JP', { e164: '+819012345678', type: 'mobile' }],
    // the + always wins over the default country
    ['+86 138 0013 8000', 'US', { e164: '+8613800138000', country: 'CN' }],
    // a non-geographic number: valid, but of no country
    ['+800 1234 5678', undefined, { e164: '+80012345678', country: null, type: 'toll_free' }],
    ['  +86 138 0013 8000  ', undefined, { e164: '+8613800138000' }],
  ];
  it.each(valid)('%s (%s) is valid', (input, country, expected) => {
    const result = parsePhone(input, country);
    expect(result).toMatchObject({ ok: true, ...expected });
    if (!('extension' in expected)) expect(result).not.toHaveProperty('extension');
  });

  const invalid: [string, CountryCode | undefined, PhoneInvalidReason][] = [
    ['', 'CN', 'empty'],
    ['\t \n', undefined, 'empty'],
    ['--', 'CN', 'not_a_number'],
    ['+', undefined, 'not_a_number'],
    ['138 0013 8000 abc', 'CN', 'not_a_number'],
    ['tel number', 'US', 'not_a_number'],
    ['13800138000', undefined, 'no_country'],
    ['020 7946 0123', undefined, 'no_country'],
    ['+999 1234 5678', undefined, 'invalid_country_code'],
    ['00999 1234 5678', undefined, 'invalid_country_code'],
    ['+86 138', undefined, 'too_short'],
    ['+86 138 0013 8000 0000', undefined, 'too_long'],
    // the national reading of 00... from the US fails; the international one says why
    ['0086 118 0013 8000', 'US', 'invalid_for_region'],
    ['+86 118 0013 8000', undefined, 'invalid_for_region'],
    ['13800138000', 'US', 'invalid_for_region'],
  ];
  it.each(invalid)('%j (%s) is invalid: %s', (input, country, reason) => {
    expect(parsePhone(input, country)).toEqual({ ok: false, reason });
  });

  it('never throws, whatever it is given', () => {
    for (const input of ['\u0000', '+'.repeat(300), '9'.repeat(300), '（（（', '转', '＋']) {
      expect(parsePhone(input, 'CN').ok).toBe(false);
    }
    expect(parsePhone(undefined as unknown as string)).toEqual({ ok: false, reason: 'empty' });
  });

  it('maps libphonenumber types onto PHONE_TYPES', () => {
    const types = [
      '+8613800138000',
      '+861065529988',
      '+12125550123',
      '+815012345678',
      '+448081570123',
      '+864008108888',
    ].map((input) => {
      const result = parsePhone(input);
      return result.ok ? result.type : result.reason;
    });
    expect(types).toEqual([
      'mobile',
      'fixed_line',
      'fixed_line_or_mobile',
      'voip',
      'toll_free',
      'shared_cost',
    ]);
    for (const type of types) expect(PHONE_TYPES).toContain(type);
  });
});

describe('splitE164', () => {
  it.each([
    ['+8613800138000', { callingCode: '86', nationalNumber: '13800138000' }],
    ['+12125550123', { callingCode: '1', nationalNumber: '2125550123' }],
    ['+3531234567', { callingCode: '353', nationalNumber: '1234567' }],
    ['+80012345678', { callingCode: '800', nationalNumber: '12345678' }],
    ['+99912345', null],
    ['8613800138000', null],
    ['+86 138 0013 8000', null],
    ['', null],
  ])('%s', (input, expected) => {
    expect(splitE164(input)).toEqual(expected);
  });
});

describe('maskPhone', () => {
  it.each([
    // 11 national digits: first 3, last 4, 4 hidden
    ['+8613800138000', '+86 138****8000'],
    ['+4915123456789', '+49 151****6789'],
    // 10 digits: 3 hidden
    ['+12125550123', '+1 212***0123'],
    ['+447400123456', '+44 740***3456'],
    ['+819012345678', '+81 901***5678'],
    // 9 digits: the head shrinks so that 3 stay hidden
    ['+33612345678', '+33 61***5678'],
    ['+61491570156', '+61 49***0156'],
    // 8 digits
    ['+6581234567', '+65 8***4567'],
    // 7 digits: no head left
    ['+3531234567', '+353 ***4567'],
    // 5 digits: then the tail shrinks too
    ['+29012345', '+290 ***45'],
  ])('%s → %s', (e164, masked) => {
    expect(maskPhone(e164)).toBe(masked);
    expect(masked.split('*').length - 1).toBeGreaterThanOrEqual(3);
  });

  it.each(['13800138000', '+86 138 0013 8000', '+99912345', ''])(
    'rejects %j without echoing it',
    (input) => {
      let caught: unknown;
      try {
        maskPhone(input);
      } catch (error) {
        caught = error;
      }
      expect(isHeraldError(caught) && caught.code).toBe('CONTACT_INVALID_NUMBER');
      if (input.length > 0) expect((caught as Error).message).not.toContain(input);
    },
  );
});

describe('formatPhone', () => {
  it.each([
    ['+8613800138000', 'international', '+86 138 0013 8000'],
    ['+8613800138000', 'national', '138 0013 8000'],
    ['+861065529988', 'national', '010 6552 9988'],
    ['+442079460123', 'national', '020 7946 0123'],
    ['+12125550123', 'national', '(212) 555-0123'],
    ['+12125550123', 'international', '+1 212 555 0123'],
    ['+819012345678', 'national', '090-1234-5678'],
    ['+33612345678', 'international', '+33 6 12 34 56 78'],
  ] as const)('%s as %s → %s', (e164, format, expected) => {
    expect(formatPhone(e164, format)).toBe(expected);
  });

  it('rejects what is not E.164', () => {
    expect(() => formatPhone('138 0013 8000', 'national')).toThrow(/E\.164/);
  });
});
