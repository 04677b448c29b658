/**
 * Liquid templates written by users, against generated input: any source compiles or is
 * refused with TEMPLATE_INVALID / TEMPLATE_UNKNOWN_VARIABLE; any compiled template renders to at
 * most MAX_RENDERED_LENGTH characters or is refused; nothing reads a file. Through the API, a
 * preview is a 200 or a 4xx, never a 500.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_RENDERED_LENGTH,
  compileTemplate,
  renderTemplate,
  worstCaseInspection,
} from '../../src/core/content/template.js';
import { isHeraldError } from '../../src/core/errors.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';
import { API_RUNS, PURE_RUNS } from './runs.js';

const TEMPLATE_CODES = [
  'TEMPLATE_INVALID',
  'TEMPLATE_UNKNOWN_VARIABLE',
  'TEMPLATE_VARIABLE_MISSING',
];

/** Pieces of Liquid, valid and broken, including the dangerous ones. */
const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom(
    '{{ contact.first_name }}',
    '{{ contact.first_name | default: "you" }}',
    '{{ contact.constructor }}',
    '{{ contact["__proto__"] }}',
    '{% for i in (1..100000) %}',
    '{% for i in (1..9) %}',
    '{% endfor %}',
    '{% if contact.city %}',
    '{% endif %}',
    '{% assign s = "xxxxxxxxxx" %}',
    '{% assign s = s | append: s %}',
    '{% capture c %}',
    '{% endcapture %}',
    '{% include "/etc/passwd" %}',
    '{% render "../../package.json" %}',
    '{% layout "x" %}',
    '{{ "now" | date: "%Y" }}',
    '{{ contact.phone | mask }}',
    '{{ 1 | times: 1e308 | times: 10 }}',
    '{{',
    '{%',
    '}}',
    '%}',
    '{% raw %}',
    '{% comment %}',
    '{{ x | no_such_filter }}',
    '{{ "abc" | split: "" | join: "," }}',
  ),
);
const source = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const contact = fc.record({
  first_name: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constant('x'.repeat(5000)),
  ),
  city: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  phone: fc.constant('+8613912345678'),
});

function refusedWell(error: unknown): boolean {
  return isHeraldError(error) && TEMPLATE_CODES.includes(error.code) && error.status < 500;
}

describe('templates (property tests)', () => {
  it('compile or are refused with a template error; renders are bounded', () => {
    fc.assert(
      fc.property(source, contact, (text, vars) => {
        let compiled;
        try {
          compiled = compileTemplate(text);
        } catch (error) {
          return refusedWell(error);
        }
        try {
          return renderTemplate(compiled, { contact: vars }).length <= MAX_RENDERED_LENGTH;
        } catch (error) {
          return refusedWell(error);
        }
      }),
      { numRuns: PURE_RUNS },
    );
  });

  it('bound the worst case the same way', () => {
    fc.assert(
      fc.property(source, (text) => {
        try {
          return (
            worstCaseInspection(text, { 'contact.first_name': 'x'.repeat(60) }).characters <=
            MAX_RENDERED_LENGTH
          );
        } catch (error) {
          return refusedWell(error);
        }
      }),
      { numRuns: PURE_RUNS },
    );
  });

  it.each([
    ['{% include "/etc/passwd" %}', /include tag is not available/],
    ['{% render "../../package.json" %}', /render tag is not available/],
    ['{% layout "default" %}', /layout tag is not available/],
    ['{% for i in (1..90000) %}' + 'x'.repeat(9000) + '{% endfor %}', /more than 20000 characters/],
    [
      '{% assign s = "xx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}',
      /memory/,
    ],
    ['{{ "now" | date: "%Y" }}', /now/],
  ])('refuses %s', (text, message) => {
    let error: unknown;
    try {
      renderTemplate(compileTemplate(text), {});
    } catch (e) {
      error = e;
    }
    expect(refusedWell(error)).toBe(true);
    expect(
      (error as Error).message + JSON.stringify((error as { details?: unknown }).details),
    ).toMatch(message);
  });
});

describe.each(DIALECTS)('[%s] template preview API with generated templates', (dialect) => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    headers = { authorization: `Bearer ${await t.keyFor('marketer')}` };
  });
  afterAll(async () => t.close());

  it('answers 200 or a 4xx, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(source, contact, async (text, vars) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/templates/preview',
          headers,
          payload: { source: text, sample: { 'contact.first_name': vars.first_name } },
        });
        return res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500);
      }),
      { numRuns: API_RUNS },
    );
  }, 120_000);
});
