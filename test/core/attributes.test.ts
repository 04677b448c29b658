import { describe, expect, it } from 'vitest';
import {
  AGE_BANDS,
  GENDERS,
  assertAttributes,
  builtInAttributes,
  checkAttributeSchema,
  validateAttributes,
} from '../../src/core/attributes.js';
import type { AttributeDefinition, AttributeSchema } from '../../src/core/attributes.js';
import { isHeraldError } from '../../src/core/errors.js';

const BUILT_IN = builtInAttributes(2026);

type ValueCase = [name: string, input: unknown, expected: unknown];
type ErrorCase = [name: string, input: unknown, message: string | RegExp];

describe('built-in attributes', () => {
  const valid: ValueCase[] = [
    ['birth_year', 1990, 1990],
    ['birth_year', 1900, 1900],
    ['birth_year', 2026, 2026],
    ['age_band', '25-34', '25-34'],
    ['age_band', '<18', '<18'],
    ['age_band', ' 65+ ', '65+'],
    ['city', '  上海 ', '上海'],
    ['city', 'Saint-Rémy-de-Provence', 'Saint-Rémy-de-Provence'],
    ['region', 'Jiangsu', 'Jiangsu'],
    ['gender', 'female', 'female'],
    ['gender', 'unknown', 'unknown'],
    ['locale', 'zh-CN', 'zh-CN'],
    ['locale', 'en-US', 'en-US'],
    ['locale', 'zh-cn', 'zh-CN'],
    ['locale', 'zh_CN', 'zh-CN'],
    ['locale', 'zh-Hans-CN', 'zh-Hans-CN'],
    ['locale', 'fr', 'fr'],
    ['locale', 'es-419', 'es-419'],
    ['tags', ['vip', 'newsletter'], ['vip', 'newsletter']],
    ['tags', [' vip ', 'vip', '会员'], ['vip', '会员']],
    ['tags', ['x'.repeat(64)], ['x'.repeat(64)]],
    ['tags', ['会'.repeat(64)], ['会'.repeat(64)]],
    ['tags', [], []],
  ];
  it.each(valid)('%s = %j', (name, input, expected) => {
    expect(validateAttributes(BUILT_IN, { [name]: input })).toEqual({
      ok: true,
      value: { [name]: expected },
    });
  });

  const invalid: ErrorCase[] = [
    ['birth_year', 1899, 'must be at least 1900'],
    ['birth_year', 2027, 'must be at most 2026'],
    ['birth_year', 1990.5, 'must be an integer'],
    ['birth_year', '1990', 'must be an integer'],
    ['age_band', '18-25', /must be one of <18, 18-24/],
    ['age_band', 30, /must be one of/],
    ['gender', 'f', 'must be one of female, male, other, unknown'],
    ['gender', 'Female', /must be one of/],
    ['city', 'x'.repeat(101), 'must be at most 100 characters'],
    ['city', 42, 'must be text'],
    ['locale', 'english', /BCP 47/],
    ['locale', 'zh-CN-u-ca-chinese', /BCP 47/],
    ['locale', 'not a locale', /BCP 47/],
    ['tags', ['x'.repeat(65)], 'each item must be 1-64 characters'],
    ['tags', ['ok', '  '], 'each item must be 1-64 characters'],
    ['tags', 'vip', 'must be a list of text'],
    ['tags', [1, 2], 'must be a list of text'],
  ];
  it.each(invalid)('%s = %j is refused', (name, input, message) => {
    const result = validateAttributes(BUILT_IN, { [name]: input });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]?.field).toBe(name);
      expect(result.errors[0]?.message).toMatch(message);
    }
  });

  it('takes the current year as a parameter', () => {
    expect(validateAttributes(builtInAttributes(2030), { birth_year: 2030 }).ok).toBe(true);
    expect(validateAttributes(builtInAttributes(2020), { birth_year: 2021 }).ok).toBe(false);
  });

  it('declares the closed sets once', () => {
    expect(AGE_BANDS).toEqual(['<18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+']);
    expect(GENDERS).toEqual(['female', 'male', 'other', 'unknown']);
    expect(BUILT_IN.find((definition) => definition.name === 'gender')?.values).toBe(GENDERS);
    expect(checkAttributeSchema(BUILT_IN)).toEqual([]);
  });

  it('accepts birth_year and age_band together (not cross-checked)', () => {
    expect(validateAttributes(BUILT_IN, { birth_year: 1990, age_band: '35-44' }).ok).toBe(true);
  });
});

describe('validateAttributes', () => {
  const schema: AttributeSchema = [
    { name: 'email_opt_in', type: 'boolean' },
    { name: 'score', type: 'number', min: 0, max: 100 },
    { name: 'visits', type: 'integer' },
    { name: 'joined', type: 'date' },
    { name: 'tier', type: 'enum', values: ['Gold', 'Silver'] },
    { name: 'interests', type: 'string_list' },
    { name: 'member_id', type: 'string', required: true, maxLength: 8 },
  ];
  const base = { member_id: 'M-1' };

  const strict: ValueCase[] = [
    ['email_opt_in', true, true],
    ['email_opt_in', false, false],
    ['score', 99.5, 99.5],
    ['score', 0, 0],
    ['visits', -3, -3],
    ['joined', '2024-03-05', '2024-03-05'],
    ['joined', '2024/3/5', '2024-03-05'],
    ['joined', '2024.03.05', '2024-03-05'],
    ['joined', '2024年3月5日', '2024-03-05'],
    ['joined', '20240305', '2024-03-05'],
    ['joined', '2024-02-29', '2024-02-29'],
    // the date as written, not shifted to UTC
    ['joined', '2024-03-05T23:30:00-08:00', '2024-03-05'],
    ['joined', '2024-03-05 08:00', '2024-03-05'],
    ['tier', 'Gold', 'Gold'],
    ['interests', ['tea', 'tea', 'running'], ['tea', 'running']],
  ];
  it.each(strict)('%s = %j', (name, input, expected) => {
    expect(validateAttributes(schema, { ...base, [name]: input })).toEqual({
      ok: true,
      value: { ...base, [name]: expected },
    });
  });

  const refused: ErrorCase[] = [
    ['email_opt_in', 'yes', 'must be true or false'],
    ['email_opt_in', 1, 'must be true or false'],
    ['score', '42', 'must be a number'],
    ['score', Number.NaN, 'must be a number'],
    ['score', Number.POSITIVE_INFINITY, 'must be a number'],
    ['score', 101, 'must be at most 100'],
    ['score', -0.5, 'must be at least 0'],
    ['visits', 2 ** 53, 'must be an integer'],
    ['joined', '2023-02-29', /YYYY-MM-DD/],
    ['joined', '2024-13-01', /YYYY-MM-DD/],
    ['joined', '05/03/2024', /YYYY-MM-DD/],
    ['joined', '3 March 2024', /YYYY-MM-DD/],
    ['joined', 20240305, /YYYY-MM-DD/],
    ['tier', 'gold', 'must be one of Gold, Silver'],
    ['interests', 'tea,running', 'must be a list of text'],
    ['member_id', 'M-123456789', 'must be at most 8 characters'],
  ];
  it.each(refused)('%s = %j is refused', (name, input, message) => {
    const result = validateAttributes(schema, { ...base, [name]: input });
    expect(result).toEqual({ ok: false, errors: [{ field: name, message: expect.any(String) }] });
    if (!result.ok) expect(result.errors[0]?.message).toMatch(message);
  });

  const coerced: ValueCase[] = [
    ['email_opt_in', 'yes', true],
    ['email_opt_in', 'No', false],
    ['email_opt_in', '1', true],
    ['email_opt_in', '0', false],
    ['email_opt_in', '是', true],
    ['score', ' 42 ', 42],
    ['score', '99.5', 99.5],
    ['score', '1e1', 10],
    ['visits', '12', 12],
    ['visits', '-3', -3],
    ['visits', '12.0', 12],
    ['tier', 'gold', 'Gold'],
    ['interests', 'tea, running;tea', ['tea', 'running']],
    ['interests', '喝茶，跑步、读书', ['喝茶', '跑步', '读书']],
    ['joined', '2024/3/5', '2024-03-05'],
  ];
  it.each(coerced)('with coerce, %s = %j', (name, input, expected) => {
    expect(validateAttributes(schema, { ...base, [name]: input }, { coerce: true })).toEqual({
      ok: true,
      value: { ...base, [name]: expected },
    });
  });

  const stillRefused: ErrorCase[] = [
    ['score', '42abc', 'must be a number'],
    ['score', '0x10', 'must be a number'],
    ['score', 'Infinity', 'must be a number'],
    ['visits', '12.5', 'must be an integer'],
    ['email_opt_in', 'maybe', 'must be true or false'],
    ['tier', 'Bronze', /must be one of/],
  ];
  it.each(stillRefused)('with coerce, %s = %j is still refused', (name, input, message) => {
    const result = validateAttributes(schema, { ...base, [name]: input }, { coerce: true });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toMatch(message);
  });

  it('leaves out absent, null and empty values, unless required', () => {
    expect(
      validateAttributes(schema, {
        ...base,
        score: null,
        tier: '',
        joined: '  ',
        visits: undefined,
      }),
    ).toEqual({ ok: true, value: base });
    expect(validateAttributes(schema, {})).toEqual({
      ok: false,
      errors: [{ field: 'member_id', message: 'is required' }],
    });
    expect(validateAttributes(schema, { member_id: '   ' }).ok).toBe(false);
  });

  it('reports unknown fields and every error at once, without echoing values', () => {
    const result = validateAttributes(schema, {
      member_id: 'M-1',
      score: 'secret-123',
      colour: 'red',
      __proto__field: 1,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'score', message: 'must be a number' },
        { field: 'colour', message: 'is not a declared attribute' },
        { field: '__proto__field', message: 'is not a declared attribute' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('secret-123');
  });

  it('refuses what is not an object', () => {
    for (const values of [null, [], 'a=1']) {
      expect(validateAttributes(schema, values as unknown as Record<string, unknown>).ok).toBe(
        false,
      );
    }
  });
});

describe('assertAttributes', () => {
  it('returns the normalised values or throws ATTRIBUTE_INVALID with the errors', () => {
    expect(assertAttributes(BUILT_IN, { birth_year: '1990' }, { coerce: true })).toEqual({
      birth_year: 1990,
    });
    let caught: unknown;
    try {
      assertAttributes(BUILT_IN, { birth_year: 1800 });
    } catch (error) {
      caught = error;
    }
    expect(isHeraldError(caught) && caught.code).toBe('ATTRIBUTE_INVALID');
    expect(isHeraldError(caught) && caught.details).toEqual({
      errors: [{ field: 'birth_year', message: 'must be at least 1900' }],
    });
  });
});

describe('checkAttributeSchema', () => {
  const cases: [AttributeDefinition[], string[]][] = [
    [[{ name: 'tier', type: 'enum' }], ['tier: an enum needs a non-empty list of values']],
    [
      [{ name: 'tier', type: 'enum', values: [] }],
      ['tier: an enum needs a non-empty list of values'],
    ],
    [
      [
        { name: 'a', type: 'string' },
        { name: 'a', type: 'number' },
      ],
      ['a: is declared twice'],
    ],
    [[{ name: 'Bad Name', type: 'string' }], [expect.stringMatching(/^Bad Name: names are/)]],
    [[{ name: '__proto__', type: 'string' }], [expect.stringMatching(/^__proto__: names are/)]],
    [
      [{ name: 'x', type: 'colour' as 'string' }],
      [expect.stringMatching(/^x: type must be one of/)],
    ],
    [[{ name: 'x', type: 'string', maxLength: 0 }], ['x: maxLength must be at least 1']],
    [[{ name: 'x', type: 'number', min: 5, max: 1 }], ['x: min is greater than max']],
    [[{ name: 'x', type: 'integer', min: 1, max: 5 }], []],
  ];
  it.each(cases)('%j', (schema, expected) => {
    expect(checkAttributeSchema(schema).map((error) => `${error.field}: ${error.message}`)).toEqual(
      expected,
    );
  });
});
