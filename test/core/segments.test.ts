import { describe, expect, it } from 'vitest';
import { builtInAttributes, type AttributeSchema } from '../../src/core/attributes.js';
import {
  MAX_DEPTH,
  MAX_NODES,
  birthYearsOfBand,
  checkSegmentFilter,
  expandSegmentRefs,
  findSegmentCycle,
  normaliseSegmentFilter,
  segmentRefs,
  type SegmentFilter,
} from '../../src/core/segments.js';

const ATTRIBUTES: AttributeSchema = [
  ...builtInAttributes(2026),
  { name: 'tier', type: 'enum', values: ['gold', 'silver'] },
  { name: 'score', type: 'integer' },
  { name: 'newsletter', type: 'boolean' },
  { name: 'interests', type: 'string_list' },
  { name: 'joined', type: 'date' },
];
const check = (input: unknown) => checkSegmentFilter(input, { attributes: ATTRIBUTES });

function nested(depth: number): unknown {
  let f: unknown = { kind: 'country', in: ['CN'] };
  for (let i = 0; i < depth; i++) f = { not: f };
  return f;
}

describe('checkSegmentFilter: valid filters in normal form', () => {
  const cases: [string, unknown, SegmentFilter][] = [
    [
      'country codes upper-cased, sorted, unique',
      { kind: 'country', in: ['us', 'CN', 'cn'] },
      { kind: 'country', in: ['CN', 'US'] },
    ],
    ['region trimmed', { kind: 'region', in: [' 广东省 '] }, { kind: 'region', in: ['广东省'] }],
    [
      'age bands sorted',
      { kind: 'age_band', in: ['65+', '18-24'] },
      { kind: 'age_band', in: ['18-24', '65+'] },
    ],
    [
      'consent defaults to granted',
      { kind: 'consent', purpose: 'marketing' },
      { kind: 'consent', purpose: 'marketing', granted: true },
    ],
    [
      'engagement defaults to at least once',
      { kind: 'engagement', action: 'clicked', withinDays: 30 },
      { kind: 'engagement', action: 'clicked', withinDays: 30, minCount: 1 },
    ],
    [
      'purchase defaults to at least one',
      { kind: 'purchase', withinDays: 30 },
      { kind: 'purchase', withinDays: 30, count: { min: 1 } },
    ],
    [
      'a sum keeps no default count',
      { kind: 'purchase', currency: 'cny', sum: { min: 100 } },
      { kind: 'purchase', currency: 'CNY', sum: { min: 100 } },
    ],
    [
      'an enum attribute',
      { kind: 'attribute', name: 'tier', op: 'eq', value: 'gold' },
      { kind: 'attribute', name: 'tier', op: 'eq', value: 'gold' },
    ],
    [
      'a list of values sorted',
      { kind: 'attribute', name: 'score', op: 'in', value: [3, 1, 3] },
      { kind: 'attribute', name: 'score', op: 'in', value: [1, 3] },
    ],
    [
      'exists without a value',
      { kind: 'attribute', name: 'city', op: 'exists' },
      { kind: 'attribute', name: 'city', op: 'exists' },
    ],
    [
      'a list attribute contains',
      { kind: 'attribute', name: 'interests', op: 'contains', value: 'tea' },
      { kind: 'attribute', name: 'interests', op: 'contains', value: 'tea' },
    ],
    [
      'double negation removed',
      { not: { not: { kind: 'tag', in: ['vip'] } } },
      { kind: 'tag', in: ['vip'] },
    ],
    [
      'a single child lifted',
      { and: [{ or: [{ kind: 'tag', in: ['vip'] }] }] },
      { kind: 'tag', in: ['vip'] },
    ],
    [
      'nested and flattened, duplicates dropped',
      {
        and: [
          { kind: 'tag', in: ['a'] },
          {
            and: [
              { kind: 'tag', in: ['b'] },
              { kind: 'tag', in: ['a'] },
            ],
          },
        ],
      },
      {
        and: [
          { kind: 'tag', in: ['a'] },
          { kind: 'tag', in: ['b'] },
        ],
      },
    ],
    [
      'or inside and kept',
      {
        and: [
          { kind: 'tag', in: ['a'] },
          {
            or: [
              { kind: 'tag', in: ['b'] },
              { kind: 'tag', in: ['c'] },
            ],
          },
        ],
      },
      {
        and: [
          { kind: 'tag', in: ['a'] },
          {
            or: [
              { kind: 'tag', in: ['b'] },
              { kind: 'tag', in: ['c'] },
            ],
          },
        ],
      },
    ],
    ['an empty and is everyone', { and: [] }, { and: [] }],
    ['a saved segment', { kind: 'segment', id: 4 }, { kind: 'segment', id: 4 }],
    [
      'a consent window',
      { kind: 'consent', purpose: 'marketing', withinDays: 400, olderThanDays: 30 },
      { kind: 'consent', purpose: 'marketing', granted: true, withinDays: 400, olderThanDays: 30 },
    ],
    [
      `${MAX_DEPTH} levels`,
      nested(MAX_DEPTH),
      MAX_DEPTH % 2 === 0
        ? { kind: 'country', in: ['CN'] }
        : { not: { kind: 'country', in: ['CN'] } },
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    const result = check(input);
    expect(result).toEqual({ ok: true, filter: expected });
    // The normal form is a fixed point.
    expect(normaliseSegmentFilter(expected)).toEqual(expected);
  });
});

describe('checkSegmentFilter: refused with the place and the reason', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', 'country = CN', '', /must be an object/],
    ['an array', [], '', /must be an object/],
    [
      'nothing recognisable',
      { colour: 'red' },
      '',
      /expected "and", "or", "not" or a condition.*"colour"/,
    ],
    [
      'an unknown condition',
      { and: [{ kind: 'colour', in: ['red'] }] },
      '/and/0/kind',
      /unknown condition "colour"; expected one of country/,
    ],
    [
      'an unknown field',
      { kind: 'country', in: ['CN'], city: 'x' },
      '',
      /unknown field "city" in a "country" condition; expected kind, in/,
    ],
    ['a missing field', { kind: 'engagement', action: 'clicked' }, '', /needs "withinDays"/],
    ['a bad country code', { kind: 'country', in: ['China'] }, '/in/0', /two-letter country code/],
    [
      'an empty list',
      { kind: 'tag', in: [] },
      '/in',
      /fewer than 1|at least 1|minItems|NOT have fewer/i,
    ],
    [
      'an unknown age band',
      { kind: 'age_band', in: ['30-40'] },
      '/in/0',
      /must be one of <18, 18-24/,
    ],
    [
      'an unknown purpose',
      { kind: 'consent', purpose: 'spam' },
      '/purpose',
      /must be one of marketing, transactional/,
    ],
    [
      'an unknown method',
      { kind: 'consent', purpose: 'marketing', methods: ['bought_list'] },
      '/methods/0',
      /./,
    ],
    ['a window too long', { kind: 'purchase', withinDays: 100000 }, '/withinDays', /./],
    [
      'a window of zero',
      { kind: 'engagement', action: 'clicked', withinDays: 0 },
      '/withinDays',
      /./,
    ],
    [
      'an unknown engagement',
      { kind: 'engagement', action: 'opened', withinDays: 3 },
      '/action',
      /./,
    ],
    [
      'an undeclared attribute',
      { kind: 'attribute', name: 'colour', op: 'eq', value: 'red' },
      '',
      /"colour" is not a declared attribute/,
    ],
    [
      'a comparison the type lacks',
      { kind: 'attribute', name: 'tier', op: 'gt', value: 'gold' },
      '',
      /"tier" \(enum\) supports eq, neq, in, not_in, exists, not "gt"/,
    ],
    [
      'a value of the wrong type',
      { kind: 'attribute', name: 'score', op: 'gt', value: 'ten' },
      '',
      /value of "score" must be an integer/,
    ],
    [
      'an enum value not declared',
      { kind: 'attribute', name: 'tier', op: 'eq', value: 'bronze' },
      '',
      /must be one of gold, silver/,
    ],
    [
      'a bad date',
      { kind: 'attribute', name: 'joined', op: 'lt', value: '5 March' },
      '',
      /must be a date YYYY-MM-DD/,
    ],
    [
      'in without a list',
      { kind: 'attribute', name: 'score', op: 'in', value: 3 },
      '',
      /"in" takes a list/,
    ],
    [
      'eq with a list',
      { kind: 'attribute', name: 'score', op: 'eq', value: [3] },
      '',
      /takes one value, not a list/,
    ],
    [
      'exists with a value',
      { kind: 'attribute', name: 'city', op: 'exists', value: 'x' },
      '',
      /takes no value/,
    ],
    ['eq without a value', { kind: 'attribute', name: 'city', op: 'eq' }, '', /needs a value/],
    [
      'contains on a string',
      { kind: 'attribute', name: 'city', op: 'contains', value: 'x' },
      '',
      /supports/,
    ],
    ['a sum without a currency', { kind: 'purchase', sum: { min: 10 } }, '', /needs a "currency"/],
    [
      'min above max',
      { kind: 'purchase', count: { min: 5, max: 2 } },
      '',
      /"count.min" must not exceed "count.max"/,
    ],
    ['a fractional count', { kind: 'purchase', count: { min: 1.5 } }, '', /whole numbers/],
    [
      'a last purchase without a window',
      { kind: 'last_purchase' },
      '',
      /needs "withinDays" or "olderThanDays"/,
    ],
    [
      'an inverted window',
      { kind: 'last_purchase', withinDays: 10, olderThanDays: 30 },
      '',
      /must be less than "withinDays"/,
    ],
    ['an operator with company', { and: [], kind: 'country' }, '', /"and" stands alone/],
    ['and without a list', { and: { kind: 'tag', in: ['a'] } }, '/and', /takes a list/],
    ['an empty or', { or: [] }, '/or', /at least one/],
    ['too deep', nested(MAX_DEPTH + 1), '/not/not/not/not/not/not/not/not', /at most 8 levels/],
    ['a bad segment id', { kind: 'segment', id: 'one' }, '/id', /./],
    // Values are compared trimmed: spaces alone would become an empty tag (found by fuzzing).
    ['a blank tag', { and: [{ or: [{ kind: 'tag', in: [' '] }] }] }, '/and/0/or/0/in/0', /blank/],
    ['a blank category', { kind: 'purchase', categories: ['  '] }, '/categories/0', /blank/],
  ];
  it.each(cases)('%s', (_name, input, path, message) => {
    const result = check(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]!.path).toBe(path);
    expect(result.errors[0]!.message).toMatch(message);
  });

  it('refuses a filter with too many nodes', () => {
    const big = { or: Array.from({ length: MAX_NODES }, () => ({ kind: 'tag', in: ['a'] })) };
    const result = check(big);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toMatch(`at most ${MAX_NODES} nodes`);
  });

  it('reports every bad branch, each at its place', () => {
    const result = check({
      or: [{ kind: 'country', in: ['CN'] }, { kind: 'colour' }, { not: { kind: 'tag', in: [] } }],
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.path)).toEqual(['/or/1/kind', '/or/2/not/in']);
  });

  it('keeps SQL-looking text as plain values', () => {
    const value = "x'); drop table contacts; --";
    expect(check({ kind: 'region', in: [value] })).toEqual({
      ok: true,
      filter: { kind: 'region', in: [value] },
    });
  });
});

describe('saved segments inside filters', () => {
  const saved = new Map<number, SegmentFilter>([
    [1, { kind: 'country', in: ['CN'] }],
    [
      2,
      {
        and: [
          { kind: 'segment', id: 1 },
          { kind: 'purchase', withinDays: 30 },
        ],
      },
    ],
    [3, { not: { kind: 'segment', id: 2 } }],
  ]);

  it('lists the segments a filter names', () => {
    expect([
      ...segmentRefs({ or: [{ kind: 'segment', id: 2 }, { not: { kind: 'segment', id: 3 } }] }),
    ]).toEqual([2, 3]);
  });

  it('expands references recursively into the normal form', () => {
    expect(
      expandSegmentRefs(
        {
          and: [
            { kind: 'segment', id: 3 },
            { kind: 'tag', in: ['vip'] },
          ],
        },
        saved,
      ),
    ).toEqual({
      ok: true,
      filter: {
        and: [
          {
            not: {
              and: [
                { kind: 'country', in: ['CN'] },
                { kind: 'purchase', withinDays: 30, count: { min: 1 } },
              ],
            },
          },
          { kind: 'tag', in: ['vip'] },
        ],
      },
    });
  });

  it('names an unknown segment', () => {
    expect(expandSegmentRefs({ kind: 'segment', id: 9 }, saved)).toMatchObject({
      ok: false,
      reason: 'unknown_segment',
      ids: [9],
    });
  });

  it('finds a loop an update would make, and none where there is none', () => {
    expect(findSegmentCycle(1, { kind: 'segment', id: 3 }, saved)).toEqual([1, 3, 2, 1]);
    expect(findSegmentCycle(1, { kind: 'segment', id: 1 }, saved)).toEqual([1, 1]);
    expect(findSegmentCycle(4, { kind: 'segment', id: 3 }, saved)).toBeNull();
    expect(findSegmentCycle(3, { kind: 'segment', id: 2 }, saved)).toBeNull();
  });

  it('refuses an expansion that grows too large', () => {
    const doubling = new Map<number, SegmentFilter>();
    doubling.set(1, { kind: 'tag', in: ['a'] });
    for (let i = 2; i <= 12; i++)
      doubling.set(i, {
        or: [{ kind: 'segment', id: i - 1 }, { not: { kind: 'segment', id: i - 1 } }],
      });
    expect(expandSegmentRefs({ kind: 'segment', id: 12 }, doubling)).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });
});

describe('birthYearsOfBand', () => {
  it.each([
    ['<18', { from: 2009, to: null }],
    ['18-24', { from: 2002, to: 2008 }],
    ['25-34', { from: 1992, to: 2001 }],
    ['65+', { from: null, to: 1961 }],
  ] as const)('%s in 2026', (band, expected) => {
    expect(birthYearsOfBand(band, 2026)).toEqual(expected);
  });
});
