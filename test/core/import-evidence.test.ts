import { describe, expect, it } from 'vitest';
import {
  compactImportEvidence,
  compactImportOf,
  fullImportEvidence,
} from '../../src/core/import-evidence.js';

const HEAD = { provenance: 'trade show, "stand 4"', file: 'numbers.csv', sha256: 'ab'.repeat(32) };

describe('import grant evidence', () => {
  it('stores only the import and the line', () => {
    expect(compactImportEvidence(12, 345)).toBe('{"import":12,"line":345}');
    expect(JSON.parse(compactImportEvidence(12, 345))).toEqual({ import: 12, line: 345 });
  });

  it.each([
    ['{"import":12,"line":345}', 12],
    ['{"import":7,"provenance":"x","file":"f.csv","sha256":"00","line":3}', null],
    ['{"line":3,"import":7}', null],
    ['{"note":"by phone"}', null],
    ['{}', null],
    ['{"import":12,"line":345} ', null],
  ])('tells the compact form of %s', (evidence, importId) => {
    expect(compactImportOf(evidence)).toBe(importId);
  });

  it('reads the compact form whole, as imports stored it before (same keys, same order)', () => {
    const before = JSON.stringify({ import: 12, ...HEAD, line: 345 });
    expect(fullImportEvidence(compactImportEvidence(12, 345), HEAD)).toBe(before);
  });

  it.each([
    ['a grant stored whole', JSON.stringify({ import: 12, ...HEAD, line: 9 }), HEAD],
    ['another kind of evidence', '{"note":"by phone"}', HEAD],
    ['an import whose record is not found', '{"import":12,"line":9}', undefined],
  ])('leaves %s as it is', (_case, evidence, head) => {
    expect(fullImportEvidence(evidence, head)).toBe(evidence);
  });
});
