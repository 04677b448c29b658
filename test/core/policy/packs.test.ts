// Packs as data: chosen by country, merged with settings, citing a source for every field, and
// their keyword sets understood by the inbound classifier.
import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../../src/core/errors.js';
import { classifyInbound } from '../../../src/core/keywords.js';
import { getPolicyPack, POLICY_PACKS } from '../../../src/core/policy/packs.js';
import type { PolicyOverrides } from '../../../src/core/policy/policy-pack.js';
import { POLICY_FIELDS, POLICY_PACK_IDS } from '../../../src/core/policy/policy-pack.js';
import { packIdForCountry, resolvePolicy } from '../../../src/core/policy/resolve.js';
import { compileHours } from '../../../src/core/policy/hours.js';

describe('resolvePolicy picks the pack of the number’s country', () => {
  it.each([
    ['US', 'US'],
    ['us', 'US'],
    ['CN', 'CN'],
    ['FR', 'FR'],
    ['DE', 'DE'],
    ['GB', 'GB'],
    ['AU', 'AU'],
    ['IN', 'IN'],
    ['IT', 'EU'],
    ['ES', 'EU'],
    ['PL', 'EU'],
    ['IE', 'EU'],
    ['AT', 'EU'],
    ['NO', 'EU'], // EEA: GDPR and ePrivacy apply
    ['IS', 'EU'],
    ['CH', 'default'],
    ['BR', 'default'],
    ['JP', 'default'],
    ['HK', 'default'],
    ['XX', 'default'],
  ])('%s → %s', (country, expected) => {
    expect(packIdForCountry(country)).toBe(expected);
    expect(resolvePolicy(country).id).toBe(expected);
  });

  it('returns the shared frozen pack when there are no settings', () => {
    expect(resolvePolicy('FR')).toBe(POLICY_PACKS.FR);
    expect(Object.isFrozen(resolvePolicy('FR').quietHours.marketing)).toBe(true);
  });
});

describe('settings over a pack', () => {
  it('merges objects and replaces arrays', () => {
    const policy = resolvePolicy('US', {
      frequency: { marketing: { max: 1, windowHours: 24 } },
      keywords: { help: ['AIDE'] },
    });
    expect(policy.frequency.marketing).toEqual({ max: 1, windowHours: 24, minGapHours: 24 });
    expect(policy.keywords.help).toEqual(['AIDE']);
    expect(policy.keywords.optOut).toEqual(POLICY_PACKS.US.keywords.optOut);
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it.each([
    ['US wider than the TCPA', 'US', [{ start: '07:00', end: '22:00' }], [480, 1260]],
    ['US narrower', 'US', [{ start: '10:00', end: '18:00' }], [600, 1080]],
    ['CN up to the carriers’ 22:00', 'CN', [{ start: '08:00', end: '22:00' }], [480, 1320]],
    ['CN beyond 22:00 stops at 22:00', 'CN', [{ start: '07:00', end: '23:00' }], [480, 1320]],
    ['GB has no legal limit', 'GB', [{ start: '07:00', end: '23:00' }], [420, 1380]],
  ])('hours: %s', (_label, country, allowed, expected) => {
    const policy = resolvePolicy(country, { quietHours: { marketing: { allowed } } });
    expect(compileHours(policy.quietHours.marketing).byWeekday[3]).toEqual(expected);
  });

  it.each([
    ['a legal limit', 'US', { quietHours: { marketing: { limit: [] } } }],
    ['hours with a legal limit', 'US', { quietHours: { marketing: null } }],
    [
      'regional hours with a legal limit',
      'US',
      { regionalQuietHours: { FL: { marketing: null } } },
    ],
    ['the legal opt-out deadline', 'AU', { optOut: { legalDeadlineBusinessDays: 30 } }],
    ['the pack id', 'FR', { id: 'US' } as unknown as PolicyOverrides],
    ['the sources', 'FR', { sources: {} } as unknown as PolicyOverrides],
  ])('refuses to change %s', (_label, country, overrides) => {
    expect(() => resolvePolicy(country, overrides as PolicyOverrides)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('lets settings lift hours where no law sets them', () => {
    expect(
      resolvePolicy('GB', { quietHours: { marketing: null } }).quietHours.marketing,
    ).toBeNull();
  });

  it.each([['XX'], ['us'], ['']])('getPolicyPack(%j) is unknown', (id) => {
    expect(() => getPolicyPack(id)).toThrow(HeraldError);
    expect(() => getPolicyPack(id)).toThrow(expect.objectContaining({ code: 'POLICY_UNKNOWN' }));
  });
});

describe('pack data', () => {
  it.each(POLICY_PACK_IDS.map((id) => [id]))('%s cites a source for every field', (id) => {
    const pack = getPolicyPack(id);
    expect(pack.id).toBe(id);
    for (const field of POLICY_FIELDS) expect(pack.sources[field].length).toBeGreaterThan(10);
  });

  it.each([
    ['US', 'marketing', [480, 1260]],
    ['CN', 'marketing', [480, 1260]],
    ['IN', 'marketing', [540, 1260]],
    ['FR', 'marketing', [480, 1200]],
    ['GB', 'marketing', [480, 1260]],
    ['AU', 'marketing', [540, 1200]],
  ] as const)('%s %s hours on a Wednesday', (id, purpose, expected) => {
    expect(compileHours(getPolicyPack(id).quietHours[purpose]).byWeekday[3]).toEqual(expected);
  });

  it.each([
    ['FR', 7, []],
    ['FR', 6, [480, 1200]],
    ['AU', 6, [540, 1020]],
    ['AU', 7, []],
    ['US', 7, [480, 1260]],
  ] as const)('%s marketing hours on weekday %i', (id, weekday, expected) => {
    expect(compileHours(getPolicyPack(id).quietHours.marketing).byWeekday[weekday]).toEqual(
      expected,
    );
  });

  it.each(POLICY_PACK_IDS.map((id) => [id]))(
    '%s sends transactional messages at any hour',
    (id) => {
      expect(getPolicyPack(id).quietHours.transactional).toBeNull();
    },
  );

  it('has the Twilio/CTIA keyword sets in the US', () => {
    expect(POLICY_PACKS.US.keywords).toEqual({
      optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
      optIn: ['START', 'UNSTOP'],
      help: ['HELP', 'INFO'],
      confirm: ['YES'],
    });
  });

  it('has the carriers’ unsubscribe replies in China', () => {
    expect(POLICY_PACKS.CN.keywords.optOut).toEqual(['TD', 'T', 'N', 'R', '退订', '取消', '拒收']);
  });

  it.each([
    ['US', 'marketing', ['web_form', 'import'], ['existing_customer', 'verbal']],
    ['DE', 'marketing', ['double_opt_in_sms', 'double_opt_in_link'], ['web_form', 'import']],
    ['GB', 'marketing', ['existing_customer', 'web_form'], ['verbal']],
    ['FR', 'marketing', ['existing_customer'], ['verbal']],
    ['default', 'marketing', ['double_opt_in_sms'], ['web_form', 'import']],
  ] as const)('%s %s consent methods', (id, purpose, accepted, refused) => {
    const methods: readonly string[] = getPolicyPack(id).consent[purpose].methods;
    for (const m of accepted) expect(methods).toContain(m);
    for (const m of refused) expect(methods).not.toContain(m);
  });
});

describe('pack keywords through the inbound classifier', () => {
  it.each([
    ['US', 'STOP', 'opt_out'],
    ['US', 'stop', 'opt_out'],
    ['US', 'StopAll', 'opt_out'],
    ['US', 'UNSUBSCRIBE', 'opt_out'],
    ['US', 'cancel', 'opt_out'],
    ['US', 'END', 'opt_out'],
    ['US', 'quit', 'opt_out'],
    ['US', 'REVOKE', 'opt_out'],
    ['US', 'optout', 'opt_out'],
    ['US', 'START', 'opt_in'],
    ['US', 'unstop', 'opt_in'],
    ['US', 'HELP', 'help'],
    ['US', 'info', 'help'],
    ['US', 'YES', 'confirm'],
    ['CN', 'TD', 'opt_out'],
    ['CN', 'td', 'opt_out'],
    ['CN', 'T', 'opt_out'],
    ['CN', 'N', 'opt_out'],
    ['CN', 'R', 'opt_out'],
    ['CN', '退订', 'opt_out'],
    ['CN', '取消', 'opt_out'],
    ['CN', '拒收', 'opt_out'],
    ['FR', 'STOP', 'opt_out'],
    ['FR', 'arrêt', 'opt_out'],
    ['DE', 'STOPP', 'opt_out'],
    ['DE', 'abmelden', 'opt_out'],
    ['DE', 'HILFE', 'help'],
  ])('%s: %s is %s', (id, text, intent) => {
    expect(classifyInbound(text, getPolicyPack(id).keywords).intent).toBe(intent);
  });
});
