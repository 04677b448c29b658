/**
 * Which rules apply to a number: the pack of its country (an EU/EEA state without a national
 * pack gets the EU pack, anything unknown the strict default), with the organisation's settings
 * layered on top. Settings may tighten or relax Herald's choices but never the legal limits.
 */
import { HeraldError } from '../errors.js';
import type { PolicyOverrides, PolicyPack, PolicyPackId } from './policy-pack.js';
import { deepFreeze, mergeDeep } from './merge.js';
import { POLICY_PACKS } from './packs.js';

/** The 27 member states, and the EEA states where GDPR and ePrivacy apply too. */
export const EU_MEMBER_STATES = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
] as const;
export const EEA_STATES = ['IS', 'LI', 'NO'] as const;

const EU_LIKE = new Set<string>([...EU_MEMBER_STATES, ...EEA_STATES]);

/**
 * @example
 *   packIdForCountry('IT'); // 'EU'
 *   packIdForCountry('FR'); // 'FR'
 *   packIdForCountry('BR'); // 'default'
 */
export function packIdForCountry(countryCode: string): PolicyPackId {
  const country = countryCode.toUpperCase();
  for (const pack of Object.values(POLICY_PACKS)) {
    if (pack.countries.includes(country)) return pack.id;
  }
  return EU_LIKE.has(country) ? 'EU' : 'default';
}

// Paths in the overrides that would widen what a statute or carrier allows.
function findLegalLimitOverride(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key === 'limit' || key === 'legalDeadlineBusinessDays') return here;
    const found = findLegalLimitOverride(child, here);
    if (found) return found;
  }
  return null;
}

const FORBIDDEN_KEYS = ['id', 'countries', 'sources'];

// Setting a purpose's hours to null would drop the legal limit with it.
function assertLimitsKept(pack: PolicyPack, merged: PolicyPack): void {
  const pairs = [
    [pack.quietHours, merged.quietHours, 'quietHours'],
    ...Object.entries(pack.regionalQuietHours).map(
      ([region, hours]) =>
        [hours, merged.regionalQuietHours[region], `regionalQuietHours.${region}`] as const,
    ),
  ] as const;
  for (const [before, after, path] of pairs) {
    for (const [purpose, rule] of Object.entries(before)) {
      const kept = (after as Record<string, { limit?: unknown } | null | undefined> | undefined)?.[
        purpose
      ];
      if (rule?.limit && kept?.limit !== rule.limit) {
        throw new HeraldError('VALIDATION_FAILED', 'A setting cannot remove a legal limit', {
          path: `${path}.${purpose}`,
        });
      }
    }
  }
}

/**
 * The effective policy for a recipient's country. Without overrides the shared frozen pack is
 * returned (callers may compare by identity and memoise on it).
 *
 * @example
 *   resolvePolicy('us').id; // 'US'
 *   resolvePolicy('ES').id; // 'EU'
 *   resolvePolicy('FR', { frequency: { marketing: { max: 1, windowHours: 168 } } }).frequency
 *     .marketing; // { max: 1, windowHours: 168 }
 */
export function resolvePolicy(countryCode: string, overrides?: PolicyOverrides): PolicyPack {
  const pack = POLICY_PACKS[packIdForCountry(countryCode)];
  if (!overrides || Object.keys(overrides).length === 0) return pack;
  const forbidden = Object.keys(overrides).find((key) => FORBIDDEN_KEYS.includes(key));
  if (forbidden) {
    throw new HeraldError('VALIDATION_FAILED', `A setting cannot change the pack's ${forbidden}`, {
      path: forbidden,
    });
  }
  const legal = findLegalLimitOverride(overrides, '');
  if (legal) {
    throw new HeraldError('VALIDATION_FAILED', 'A setting cannot change a legal limit', {
      path: legal,
    });
  }
  const merged = mergeDeep<PolicyPack>(pack, overrides);
  assertLimitsKept(pack, merged);
  return deepFreeze(merged);
}
