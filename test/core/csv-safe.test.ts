import { describe, expect, it } from 'vitest';
import { neutraliseCell, neutraliseRow } from '../../src/core/csv-safe.js';

describe('CSV cells against formula injection', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+SUM(A1:A9)', "'+SUM(A1:A9)"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['  =HYPERLINK("http://evil")', '\'  =HYPERLINK("http://evil")'],
    ['Spring sale', 'Spring sale'],
    ['春季促销', '春季促销'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j -> %j', (input, out) => {
    expect(neutraliseCell(input)).toBe(out);
  });

  it('keeps numbers as numbers and empties the absent', () => {
    expect(neutraliseRow([-3, 0.25, null, undefined, Number.NaN, true])).toEqual([
      -3,
      0.25,
      '',
      '',
      '',
      'true',
    ]);
  });
});
