import { parse } from 'csv-parse/sync';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRows, neutraliseFormula } from '../../src/core/csv.js';
import { PURE_RUNS } from '../fuzz/runs.js';

const DANGEROUS = /^[=+\-@\t\r]/u;

describe('CSV written by Herald', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
    ['+1 415 555 0100', "'+1 415 555 0100"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['invalid_number', 'invalid_number'],
    ['+86 139****5678', "'+86 139****5678"],
    ['a=b', 'a=b'],
    ['', ''],
  ])('neutralises %j as %j', (cell, safe) => {
    expect(neutraliseFormula(cell)).toBe(safe);
  });

  it('keeps every cell (quotes, delimiters, line breaks, any Unicode) and lets no formula through', () => {
    const cell = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({
        unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', 'a', '中'),
      }),
      fc.integer(),
      fc.constant(null),
    );
    const rowsArb = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), {
      minLength: 1,
      maxLength: 6,
    });
    // Plain comparisons (no expect per case) keep 10,000 cases quick; fast-check reports the
    // smallest failing rows.
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const back = parse(csvRows(rows), { relax_column_count: true }) as string[][];
        const expected = rows.map((row) =>
          row.map((c) => (typeof c === 'string' ? neutraliseFormula(c) : String(c ?? ''))),
        );
        const noFormula = back.every((row, r) =>
          row.every((text, c) => typeof rows[r]![c] !== 'string' || !DANGEROUS.test(text)),
        );
        return noFormula && isDeepStrictEqual(back, expected);
      }),
      { numRuns: PURE_RUNS },
    );
  });
});
