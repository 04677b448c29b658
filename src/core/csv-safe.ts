/**
 * Spreadsheet-safe CSV cells (OWASP "CSV injection"): a text cell that a spreadsheet would read
 * as a formula (starting with =, +, -, @, a tab or a carriage return, also after leading
 * spaces) is prefixed with a single quote, so it shows as text and never runs. Numbers stay
 * numbers; a negative number is a number, not a formula.
 *
 * @example
 *   neutraliseCell('=HYPERLINK("http://x","click")'); // "'=HYPERLINK(\"http://x\",\"click\")"
 *   neutraliseCell(-3); // -3
 */
const FORMULA_START = /^[\s]*[=+\-@\t\r]/u;

export function neutraliseCell(value: unknown): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A row of cells made safe. */
export function neutraliseRow(row: readonly unknown[]): (string | number)[] {
  return row.map(neutraliseCell);
}
