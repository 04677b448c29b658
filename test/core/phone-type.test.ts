/**
 * parsePhone decides validity and type with its own copy of libphonenumber's `getNumberType`
 * over compiled patterns (src/core/phone.ts, `typeOf`). These tests hold it to the library's
 * answer, `parsePhoneNumberWithError(...).getType()`, on numbers of every kind: random digits
 * behind the calling codes Herald's users text most, every country's example numbers, and
 * national writings with a default country.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import examples from 'libphonenumber-js/examples.mobile.json' with { type: 'json' };
import {
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberWithError,
  type CountryCode,
  type NumberType,
} from 'libphonenumber-js/max';
import { parsePhone } from '../../src/core/phone.js';

/** The library's own verdict: its type, or undefined for a number that is not valid. */
function libraryType(text: string, country?: CountryCode): NumberType | 'unparsable' {
  try {
    return parsePhoneNumberWithError(text, { defaultCountry: country, extract: false }).getType();
  } catch {
    return 'unparsable';
  }
}

function ourType(text: string, country?: CountryCode): string | undefined {
  const parsed = parsePhone(text, country);
  return parsed.ok ? parsed.type : undefined;
}

const LIBRARY_TO_OURS: Record<NonNullable<NumberType>, string> = {
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

function expectSameVerdict(text: string, country?: CountryCode): void {
  const library = libraryType(text, country);
  const expected = library === 'unparsable' || library === undefined ? undefined : library;
  expect(ourType(text, country), `${country ?? '-'} ${text}`).toBe(
    expected === undefined ? undefined : LIBRARY_TO_OURS[expected],
  );
}

const CALLING_CODES = ['86', '1', '44', '49', '33', '65', '91', '61', '81', '7', '39', '55', '800'];

describe('the type of a number, against libphonenumber', () => {
  it('agrees on random digits behind common calling codes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CALLING_CODES),
        fc.stringMatching(/^[0-9]{4,13}$/),
        (code, digits) => expectSameVerdict(`+${code}${digits}`),
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees on near misses of real ranges (valid prefixes, random tails)', () => {
    const prefixes = ['+86138', '+86110', '+8610', '+1212', '+1415', '+44740', '+4420', '+49151'];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.stringMatching(/^[0-9]{5,9}$/), (p, tail) =>
        expectSameVerdict(p + tail),
      ),
      { numRuns: 5_000 },
    );
  });

  it("agrees on every country's example mobile number, international and national", () => {
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      if (example === undefined) continue;
      expectSameVerdict(example.number, undefined);
      expectSameVerdict(example.formatNational(), country);
      expect(getCountryCallingCode(country)).toBe(example.countryCallingCode);
    }
  });
});
