/**
 * Segment filters as a user (or a script) writes them: deep nesting, unknown kinds and fields,
 * values of the wrong type, SQL-looking text. The checker never throws; what it accepts it
 * accepts again in normal form; through the API a filter is either counted (200) or refused
 * with 400 SEGMENT_INVALID / VALIDATION_FAILED / BAD_REQUEST, never a 500, and a preview writes nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_BANDS, builtInAttributes } from '../../src/core/attributes.js';
import { checkSegmentFilter, normaliseSegmentFilter } from '../../src/core/segments.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';
import { API_RUNS, PURE_RUNS } from './runs.js';

const sqlish = fc.constantFrom(
  "' or 1=1 --",
  "CN'); drop table contacts; --",
  '" union select phone_enc from contacts --',
  '%',
  '_',
  '\\',
  '\u0000',
  '中文; delete from segments',
);
const text = fc.oneof(
  sqlish,
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const junk = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 2 }),
);
const days = fc.oneof(fc.integer({ min: -5, max: 4000 }), junk);
const list = <T>(values: fc.Arbitrary<T>) =>
  fc.oneof(fc.array(values, { minLength: 0, maxLength: 4 }), junk);

/** Conditions: mostly well-formed kinds with values that may be wrong, and some nonsense. */
const condition = fc.oneof(
  fc.record({
    kind: fc.constant('country'),
    in: list(fc.oneof(fc.constantFrom('CN', 'US', 'gb'), text)),
  }),
  fc.record({ kind: fc.constant('region'), in: list(text) }),
  fc.record({
    kind: fc.constant('age_band'),
    in: list(fc.oneof(fc.constantFrom(...AGE_BANDS), text)),
  }),
  fc.record({ kind: fc.constant('tag'), in: list(text) }),
  fc.record(
    {
      kind: fc.constant('attribute'),
      name: fc.oneof(fc.constantFrom('city', 'locale', 'gender', 'birth_year'), text),
      op: fc.oneof(fc.constantFrom('eq', 'neq', 'in', 'gt', 'lt', 'exists', 'contains'), text),
      value: fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 }), junk),
    },
    { requiredKeys: ['kind', 'name', 'op'] },
  ),
  fc.record(
    {
      kind: fc.constant('consent'),
      purpose: fc.oneof(fc.constantFrom('marketing', 'transactional'), text),
      granted: fc.oneof(fc.boolean(), junk),
      withinDays: days,
    },
    { requiredKeys: ['kind', 'purpose'] },
  ),
  fc.record({
    kind: fc.constant('engagement'),
    action: fc.oneof(fc.constantFrom('delivered', 'clicked', 'replied', 'converted'), text),
    withinDays: days,
  }),
  fc.record(
    {
      kind: fc.constant('purchase'),
      withinDays: days,
      categories: list(text),
      currency: fc.oneof(fc.constantFrom('CNY', 'USD'), text),
      count: fc.oneof(fc.record({ min: fc.integer({ min: -3, max: 9 }) }), junk),
      sum: fc.oneof(fc.record({ max: fc.double() }), junk),
    },
    { requiredKeys: ['kind'] },
  ),
  fc.record({ kind: fc.constant('last_purchase'), withinDays: days }),
  fc.record({ kind: fc.constant('segment'), id: fc.oneof(fc.integer({ min: -2, max: 5 }), junk) }),
  fc.record({ kind: text, in: list(text) }),
  junk,
);

const { filter } = fc.letrec<{ filter: unknown }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    condition,
    fc.record({ and: fc.array(tie('filter'), { maxLength: 4 }) }),
    fc.record({ or: fc.array(tie('filter'), { maxLength: 4 }) }),
    fc.record({ not: tie('filter') }),
    fc.record({ and: tie('filter'), or: tie('filter') }),
  ),
}));

/** A chain of `not` deeper than any filter may be. */
const deep = fc.integer({ min: 1, max: 60 }).map((n) => {
  let node: unknown = { kind: 'country', in: ['CN'] };
  for (let i = 0; i < n; i++) node = i % 2 ? { not: node } : { and: [node] };
  return node;
});

const attributes = builtInAttributes(2026);

describe('checkSegmentFilter (property tests)', () => {
  it('never throws; an accepted filter is accepted again, unchanged, in normal form', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(filter, deep), (input) => {
        const checked = checkSegmentFilter(input, { attributes });
        if (!checked.ok) {
          return (
            checked.errors.length > 0 &&
            checked.errors.every((e) => typeof e.path === 'string' && e.message.length > 0)
          );
        }
        accepted += 1;
        const again = checkSegmentFilter(checked.filter, { attributes });
        return (
          again.ok &&
          JSON.stringify(again.filter) === JSON.stringify(checked.filter) &&
          JSON.stringify(normaliseSegmentFilter(checked.filter)) === JSON.stringify(checked.filter)
        );
      }),
      { numRuns: PURE_RUNS },
    );
    // The generator reaches the accepting side too, not only refusals.
    expect(accepted).toBeGreaterThan(100);
  });
});

describe.each(DIALECTS)('[%s] segment filters through the API', (dialect) => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_DEFAULT_COUNTRY: 'CN' });
    headers = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers,
      payload: { phone: '+8613912345678', attributes: { city: 'Shanghai' } },
    });
    expect(created.statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  const segments = async () =>
    Number(
      (
        await t.ctx.store.db
          .selectFrom('segments')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('counts or refuses any filter with a 4xx, never a 500, and a preview writes nothing', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(filter, deep), async (input) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/segments/preview',
          headers,
          payload: { filter: input },
        });
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 200) {
          const { count } = res.json() as { count: number };
          return count >= 0 && count <= 1 && !res.body.includes('13912345678');
        }
        return (
          res.statusCode === 400 &&
          // BAD_REQUEST: a body with a `__proto__` key, refused by the JSON parser.
          ['SEGMENT_INVALID', 'VALIDATION_FAILED', 'BAD_REQUEST'].includes(
            res.json().error.code as string,
          )
        );
      }),
      { numRuns: API_RUNS },
    );
    expect(await segments()).toBe(0);
    expect(seen.get(200)).toBeGreaterThan(0);
    expect(seen.get(400)).toBeGreaterThan(0);
  }, 180_000);
});
