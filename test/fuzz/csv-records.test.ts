/**
 * The CSV import reader against generated input: any text (broken quoting, stray CR, lone
 * quotes, any Unicode) parses without throwing; well-formed files come back exactly; and a
 * chunk cut where `findRecordBoundary` says parses the same as the whole, which is what lets
 * the import split a file between workers.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  DELIMITERS,
  countNewlines,
  findRecordBoundary,
  parseCsvRecords,
} from '../../src/contacts/import/csv-records.js';
import { PURE_RUNS } from './runs.js';

/** Text made mostly of the characters a CSV parser cares about. */
const csvish = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('"', ',', ';', '\t', '|', '\n', '\r', 'a', ' ') },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('\uFEFF', '\u0000', '\uD800', '\u2028', '＂') },
  ),
  maxLength: 200,
});

/** RFC 4180 writing of a field: quoted when it holds a quote, the delimiter or a line break. */
function field(value: string, delimiter: string): string {
  return /["\r\n]/.test(value) || value.includes(delimiter) || value.startsWith('"')
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

describe('CSV import reader (property tests)', () => {
  it('parses any text without throwing, with lines in order and the end inside the text', () => {
    fc.assert(
      fc.property(csvish, fc.constantFrom(...DELIMITERS), (text, delimiter) => {
        const parsed = parseCsvRecords(text, delimiter, 1);
        const ordered = parsed.lines.every((l, i) => i === 0 || l > parsed.lines[i - 1]!);
        return (
          ordered &&
          parsed.records.length === parsed.lines.length &&
          parsed.end <= text.length &&
          parsed.lines.every((l) => l >= 1 && l <= 1 + countNewlines(text))
        );
      }),
      { numRuns: PURE_RUNS },
    );
  });

  it('reads back exactly what a well-formed file holds', () => {
    const cell = fc.string({
      unit: fc.constantFrom('"', ',', ';', '\n', '\r\n', 'x', '中', ' '),
      maxLength: 8,
    });
    const rows = fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(rows, fc.constantFrom(...DELIMITERS), fc.boolean(), (grid, delimiter, crlf) => {
        const eol = crlf ? '\r\n' : '\n';
        const text =
          grid.map((r) => r.map((c) => field(c, delimiter)).join(delimiter)).join(eol) + eol;
        return isDeepStrictEqual(parseCsvRecords(text, delimiter, 1).records, grid);
      }),
      { numRuns: PURE_RUNS },
    );
  });

  it('parses a file cut at a record boundary exactly as the whole file', () => {
    fc.assert(
      fc.property(csvish, fc.constantFrom(...DELIMITERS), fc.nat(), (text, delimiter, at) => {
        const cut = findRecordBoundary(text, delimiter, at % (text.length + 1));
        if (cut < 0) return true;
        const whole = parseCsvRecords(text, delimiter, 1);
        const head = parseCsvRecords(text.slice(0, cut), delimiter, 1);
        const tail = parseCsvRecords(text.slice(cut), delimiter, 1 + countNewlines(text, 0, cut));
        return (
          isDeepStrictEqual([...head.records, ...tail.records], whole.records) &&
          isDeepStrictEqual([...head.lines, ...tail.lines], whole.lines)
        );
      }),
      { numRuns: PURE_RUNS },
    );
  });
});
