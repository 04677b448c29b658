import { describe, expect, it } from 'vitest';
import { PHONE_PLACEHOLDER, redactDeep, redactPhones } from '../../src/core/redact.js';

describe('redactPhones', () => {
  it.each([
    ['sent to +8613800138000', 'sent to [phone]'],
    ['sent to +86 138 0013 8000 ok', 'sent to [phone] ok'],
    ['call (415) 555-0123 now', 'call [phone] now'],
    ['uk 07700 900123', 'uk [phone]'],
    ['intl 0049 151 23456789', 'intl [phone]'],
    ['fr 06.12.34.56.78', 'fr [phone]'],
    ['us 415.555.0123', 'us [phone]'],
    ['full-width ＋８６１３８００１３８０００', 'full-width [phone]'],
    ['url /v1/contacts?phone=%2B8613800138000', 'url /v1/contacts?phone=[phone]'],
    ['two: 13800138000, 13900139000', 'two: [phone], [phone]'],
    ['手机号13800138000已验证', '手机号[phone]已验证'],
    // A number with a short word stuck to it is still a number.
    ['tel13800138000', 'tel[phone]'],
    ['to 8613800138000abc', 'to [phone]abc'],
    ['id-x +8613800138000ab12cd34ef56gh78ij90', 'id-x [phone]ab12cd34ef56gh78ij90'],
  ])('masks %j', (input, expected) => {
    expect(redactPhones(input)).toBe(expected);
  });

  it.each([
    'at 2026-11-29T01:51:38.123Z',
    'on 2026-03-08 at 02:30',
    'took 123 ms',
    'order 12345',
    'version 1.12.31',
    'no digits at all',
    'from 203.0.113.9 and 192.168.100.200',
    'Mozilla/5.0 (X11) Chrome/120.0.6099.109 Safari/537.36',
    // Identifiers whose digit runs look like numbers: evidence that must stay intact.
    'consent text sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'hash 3a1234567890b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9',
    'carrier id SM4155550123a1b2c3d4e5f6a7b8c9d0e1f2',
  ])('leaves %j alone', (input) => {
    expect(redactPhones(input)).toBe(input);
  });

  it('walks plain objects and arrays, leaving numbers alone', () => {
    expect(
      redactDeep({
        msg: 'x +8613800138000',
        nested: [{ note: '+14155550123' }],
        count: 13800138000,
      }),
    ).toEqual({
      msg: `x ${PHONE_PLACEHOLDER}`,
      nested: [{ note: PHONE_PLACEHOLDER }],
      count: 13800138000,
    });
  });
});
