/**
 * Phone fields against any Unicode: parsePhone never throws and accepts only what it can
 * stand behind (a `+` E.164 of 8-16 digits whose own parse gives it back); through the
 * contacts API every number is either created (201), a known duplicate (409) or refused with
 * 400 CONTACT_INVALID_NUMBER / VALIDATION_FAILED, never a 500, and a refusal writes nothing
 * and never echoes the input.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePhone } from '../../src/core/phone.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';
import { API_RUNS, PURE_RUNS } from './runs.js';

/** Phone-ish text: digits of every script, separators, plus signs, extensions, and noise. */
const phoneish = fc.oneof(
  // Real Chinese mobile numbers in several writings (some accepted, then duplicates).
  fc
    .tuple(
      fc.constantFrom('+86 ', '0086', '+86-', ''),
      fc.constantFrom('139', '138', '186', '150'),
      fc.stringMatching(/^\d{8}$/),
    )
    .map(([prefix, net, rest]) => `${prefix}${net}${rest}`),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom(
      ...'0123456789+-() .#*xX转ext'.split(''),
      '１',
      '８',
      '６',
      '＋',
      '٣',
      '۵',
      '४',
      '๗',
      '\u200b',
      '\u00a0',
      '\u202e',
      '\uFEFF',
    ),
    maxLength: 25,
  }),
  fc
    .tuple(fc.constantFrom('+86', '+1', '0086', '+44', '+'), fc.stringMatching(/^[0-9 -]{0,16}$/))
    .map(([a, b]) => a + b),
);
const country = fc.option(fc.constantFrom('CN', 'US', 'GB', 'DE', 'IN', 'AU', 'ZZ' as 'CN'), {
  nil: undefined,
});

describe('parsePhone (property tests)', () => {
  it('never throws, and a valid answer is an E.164 that parses back to itself', () => {
    fc.assert(
      fc.property(phoneish, country, (input, cc) => {
        const parsed = parsePhone(input, cc);
        if (!parsed.ok) return typeof parsed.reason === 'string';
        const again = parsePhone(parsed.e164);
        return /^\+[1-9]\d{6,15}$/.test(parsed.e164) && again.ok && again.e164 === parsed.e164;
      }),
      { numRuns: PURE_RUNS },
    );
  });
});

describe.each(DIALECTS)('[%s] phone fields through the contacts API', (dialect) => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_DEFAULT_COUNTRY: 'CN' });
    headers = { authorization: `Bearer ${await t.keyFor('admin')}` };
  });
  afterAll(async () => t.close());

  const contacts = async () =>
    Number(
      (
        await t.ctx.store.db
          .selectFrom('contacts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates, finds a duplicate or refuses with a 4xx; a refusal writes nothing', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(phoneish, country, async (phone, cc) => {
        const before = await contacts();
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/contacts',
          headers,
          payload: { phone, ...(cc ? { country: cc } : {}) },
        });
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        const after = await contacts();
        if (res.statusCode === 201) return after === before + 1;
        const code = res.json().error.code as string;
        const digits = phone.replace(/\D/g, '');
        return (
          [400, 409].includes(res.statusCode) &&
          ['CONTACT_INVALID_NUMBER', 'VALIDATION_FAILED', 'CONTACT_EXISTS'].includes(code) &&
          after === before &&
          (digits.length < 7 || !res.body.includes(digits))
        );
      }),
      { numRuns: API_RUNS },
    );
    expect(seen.get(201)).toBeGreaterThan(0);
    expect(seen.get(400)).toBeGreaterThan(0);
  }, 120_000);

  it('looks up any text as a number with a 200 or a 400, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(phoneish, async (phone) => {
        const res = await t.app.inject({
          method: 'GET',
          url: `/v1/contacts?phone=${encodeURIComponent(phone)}`,
          headers,
        });
        return [200, 400].includes(res.statusCode);
      }),
      { numRuns: API_RUNS },
    );
  }, 120_000);
});
