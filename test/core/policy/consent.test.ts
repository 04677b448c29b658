import { describe, expect, it } from 'vitest';
import type { ConsentRecord, ConsentRequirement } from '../../../src/core/policy/consent.js';
import { checkConsent } from '../../../src/core/policy/consent.js';

const NOW = Date.UTC(2026, 6, 14, 16);
const BEFORE = Date.UTC(2025, 0, 1);
const WRITTEN: ConsentRequirement = {
  required: true,
  methods: ['web_form', 'double_opt_in_sms', 'keyword', 'import'],
  importNeedsEvidence: true,
};
const NONE_NEEDED: ConsentRequirement = {
  required: false,
  methods: [],
  importNeedsEvidence: false,
};

describe('checkConsent', () => {
  it.each([
    [
      'web form before now',
      WRITTEN,
      { granted: true, method: 'web_form', at: BEFORE },
      { ok: true },
    ],
    [
      'keyword before now',
      WRITTEN,
      { granted: true, method: 'keyword', at: new Date(BEFORE) },
      { ok: true },
    ],
    ['recorded exactly now', WRITTEN, { granted: true, method: 'web_form', at: NOW }, { ok: true }],
    [
      'no record',
      WRITTEN,
      undefined,
      { ok: false, reason: 'no_consent', detail: 'no consent record' },
    ],
    [
      'recorded after now',
      WRITTEN,
      { granted: true, method: 'web_form', at: NOW + 1 },
      { ok: false, reason: 'no_consent', detail: 'consent recorded after now' },
    ],
    [
      'withdrawn',
      WRITTEN,
      { granted: false, method: 'web_form', at: BEFORE },
      { ok: false, reason: 'opted_out', detail: 'withdrawn' },
    ],
    [
      'verbal where written is needed',
      WRITTEN,
      { granted: true, method: 'verbal', at: BEFORE },
      { ok: false, reason: 'consent_method_insufficient', detail: 'verbal' },
    ],
    [
      'import without evidence',
      WRITTEN,
      { granted: true, method: 'import', at: BEFORE },
      { ok: false, reason: 'consent_method_insufficient', detail: 'import without evidence' },
    ],
    [
      'import with evidence',
      WRITTEN,
      { granted: true, method: 'import', at: BEFORE, evidence: true },
      { ok: true },
    ],
    ['none needed, none given', NONE_NEEDED, undefined, { ok: true }],
    [
      'none needed, but withdrawn',
      NONE_NEEDED,
      { granted: false, method: 'web_form', at: BEFORE },
      { ok: false, reason: 'opted_out', detail: 'withdrawn' },
    ],
    [
      'none needed, any method',
      NONE_NEEDED,
      { granted: true, method: 'verbal', at: BEFORE },
      { ok: true },
    ],
  ] as const)('%s', (_label, requirement, record, expected) => {
    expect(checkConsent(record as ConsentRecord | undefined, requirement, NOW)).toEqual(expected);
  });
});
