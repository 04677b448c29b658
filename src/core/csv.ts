/**
 * The one way Herald writes CSV. Every cell passes `neutraliseFormula` first: a spreadsheet
 * opens a cell that starts with = + - @ (or a tab or carriage return before one) as a formula,
 * and a value that came from an imported file or a stranger's form could then run
 * `=HYPERLINK(...)` or `=cmd|...` on the reader's machine (CSV / formula injection, OWASP).
 * Such a cell gets a leading apostrophe, which spreadsheets hide and treat as "this is text".
 *
 * @example
 *   neutraliseFormula('=1+1')  // "'=1+1"
 *   neutraliseFormula('-5')    // "'-5"
 *   csvRows([['line', 'reason'], [3, '@SUM(A1)']]) // "line,reason\n3,'@SUM(A1)\n"
 */
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/u;

/** The cell, made inert when a spreadsheet would read it as a formula. Numbers stay numbers. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export type CsvCell = string | number | boolean | null | undefined;

/** Rows as CSV text (RFC 4180 quoting by csv-stringify), every text cell neutralised. */
export function csvRows(rows: readonly (readonly CsvCell[])[]): string {
  return stringify(
    rows.map((row) =>
      row.map((cell) => (typeof cell === 'string' ? neutraliseFormula(cell) : cell)),
    ),
  );
}
