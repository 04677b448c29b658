import { describe, expect, it } from 'vitest';
import {
  isConsentStale,
  keeperOf,
  maskForReport,
  reviewContact,
  type HygieneSubject,
} from '../../src/core/hygiene.js';

const now = new Date('2025-06-01T00:00:00Z');
const params = { now, hardBounceLimit: 3, repermissionDays: 540 };
const base: HygieneSubject = {
  e164: '+8613800138000',
  status: 'active',
  numberType: 'mobile',
  country: 'CN',
  hardBounces: 0,
  lastEngagedAt: null,
  repermissionAt: null,
  marketingGrantedAt: null,
};

describe('isConsentStale (540 days)', () => {
  // prettier-ignore
  it.each<[string, string, string | null, boolean]>([
    ['old consent, never engaged', '2023-01-01T00:00:00Z', null, true],
    ['old consent, engaged long ago', '2023-01-01T00:00:00Z', '2023-06-01T00:00:00Z', true],
    ['old consent, engaged recently', '2023-01-01T00:00:00Z', '2025-05-01T00:00:00Z', false],
    ['recent consent, never engaged', '2025-01-01T00:00:00Z', null, false],
    ['consent exactly at the cutoff', '2023-12-09T00:00:00.000Z', null, false],
    ['consent a second before the cutoff', '2023-12-08T23:59:59.000Z', null, true],
  ])('%s', (_name, grantedAt, lastEngagedAt, stale) => {
    expect(isConsentStale({ grantedAt, lastEngagedAt, now, repermissionDays: 540 })).toBe(stale);
  });
});

describe('reviewContact', () => {
  // prettier-ignore
  it.each<[string, Partial<HygieneSubject>, unknown, string]>([
    ['a valid number, nothing to do', {}, { kind: 'unchanged' }, 'keep'],
    ['a number the metadata no longer accepts', { e164: '+22501234567' }, { kind: 'invalid', reason: 'too_short' }, 'keep'],
    ['a range that does not exist', { e164: '+8611012345678' }, { kind: 'invalid', reason: 'invalid_for_region' }, 'keep'],
    ['hard bounces at the limit', { hardBounces: 3 }, { kind: 'invalid', reason: 'hard_bounce' }, 'keep'],
    ['hard bounces below the limit', { hardBounces: 2 }, { kind: 'unchanged' }, 'keep'],
    ['an invalid number wins over bounces', { e164: '+22501234567', hardBounces: 9 }, { kind: 'invalid', reason: 'too_short' }, 'keep'],
    ['already invalid: left alone', { status: 'invalid', e164: '+22501234567' }, { kind: 'unchanged' }, 'keep'],
    ['a trunk zero after the country code', { e164: '+49015112345678', country: 'DE' }, { kind: 'renormalised', e164: '+4915112345678', type: 'mobile', country: 'DE' }, 'keep'],
    ['Argentine 15 mobile prefix', { e164: '+54111512345678', country: 'AR' }, { kind: 'renormalised', e164: '+5491112345678', type: 'mobile', country: 'AR' }, 'keep'],
    ['a type that changed', { numberType: 'fixed_line_or_mobile' }, { kind: 'retyped', type: 'mobile', country: 'CN' }, 'keep'],
    ['stale marketing consent', { marketingGrantedAt: '2023-01-01T00:00:00Z' }, { kind: 'unchanged' }, 'flag'],
    ['stale but already flagged', { marketingGrantedAt: '2023-01-01T00:00:00Z', repermissionAt: '2025-01-01T00:00:00Z' }, { kind: 'unchanged' }, 'keep'],
    ['flagged, then engaged', { marketingGrantedAt: '2023-01-01T00:00:00Z', repermissionAt: '2025-01-01T00:00:00Z', lastEngagedAt: '2025-05-30T00:00:00Z' }, { kind: 'unchanged' }, 'clear'],
    ['flagged, consent since revoked', { repermissionAt: '2025-01-01T00:00:00Z' }, { kind: 'unchanged' }, 'clear'],
    ['stale but the number is invalid', { e164: '+22501234567', marketingGrantedAt: '2023-01-01T00:00:00Z' }, { kind: 'invalid', reason: 'too_short' }, 'keep'],
  ])('%s', (_name, patch, number, repermission) => {
    expect(reviewContact({ ...base, ...patch }, params)).toEqual({ number, repermission });
  });
});

describe('keeperOf and maskForReport', () => {
  it('keeps the older contact, then the lower id', () => {
    const a = { id: 7, createdAt: '2024-01-01T00:00:00.000Z' };
    const b = { id: 3, createdAt: '2024-02-01T00:00:00.000Z' };
    expect(keeperOf(a, b)).toEqual({ keep: a, drop: b });
    expect(keeperOf(b, a)).toEqual({ keep: a, drop: b });
    const c = { id: 2, createdAt: a.createdAt };
    expect(keeperOf(a, c)).toEqual({ keep: c, drop: a });
  });

  it.each([
    ['+8613800138000', '+86 138****8000'],
    ['+22501234567', '+225 0***4567'],
    ['not a number', '[unreadable]'],
  ])('masks %s as %s', (e164, masked) => {
    expect(maskForReport(e164)).toBe(masked);
  });
});
