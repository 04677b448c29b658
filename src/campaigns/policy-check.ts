/**
 * The policy check an approver reads before approving: every variant's text linted against the
 * policy pack of each country the audience lives in, as decide() will lint each message at send
 * time (nothing appended: a marketing text without its opt-out wording is blocked there). It is
 * advice for a person, not a gate: the decision at send time remains the protection.
 */
import { sql } from 'kysely';
import type { AppContext } from '../app-context.js';
import { lintContent, type LintResult } from '../core/policy/lint.js';
import type { Purpose } from '../core/policy/purposes.js';
import { policyForCountry } from '../compliance/policies.js';
import { segmentPredicate } from '../store/segments.js';
import { campaignSegment, getCampaign, specOf } from './campaigns.js';

/** The audience's countries checked, largest first; the rest are counted together. */
export const POLICY_CHECK_COUNTRIES = 10;

export interface CountryCheck {
  readonly country: string;
  readonly contacts: number;
  readonly policy: string;
  readonly variants: ({ readonly key: string } & LintResult)[];
}

export interface CampaignPolicyCheck {
  readonly campaignId: number;
  readonly ok: boolean;
  readonly countries: CountryCheck[];
  /** Contacts in countries beyond the ones checked. */
  readonly otherContacts: number;
  readonly checkedAt: string;
}

export async function campaignPolicyCheck(
  ctx: AppContext,
  campaignId: number,
  now = new Date(),
): Promise<CampaignPolicyCheck> {
  const row = await getCampaign(ctx, campaignId);
  const spec = specOf(row);
  const db = ctx.store.db;
  const segment = await campaignSegment(db, spec);
  const byCountry = await db
    .selectFrom('contacts as c')
    .select(['c.country', sql<number>`count(*)`.as('n')])
    .where(segmentPredicate(db, segment, { now }))
    .groupBy('c.country')
    .execute();
  const ranked = byCountry
    .map((r) => ({ country: r.country ?? '', contacts: Number(r.n) }))
    .sort((a, b) => b.contacts - a.contacts || a.country.localeCompare(b.country));
  const checked = ranked.slice(0, POLICY_CHECK_COUNTRIES);
  const countries: CountryCheck[] = [];
  for (const { country, contacts } of checked) {
    const policy = await policyForCountry(ctx, country);
    countries.push({
      country,
      contacts,
      policy: policy.id,
      variants: spec.variants.map((v) => ({
        key: v.key,
        ...lintContent(v.body, {
          purpose: row.purpose as Purpose,
          policy,
          locale: policy.defaultLocale,
          autoAppendOptOut: false,
          ...((row.brand ?? row.sender) ? { brand: (row.brand ?? row.sender)! } : {}),
        }),
      })),
    });
  }
  return {
    campaignId,
    ok: countries.every((c) => c.variants.every((v) => v.ok)),
    countries,
    otherContacts: ranked.slice(POLICY_CHECK_COUNTRIES).reduce((n, r) => n + r.contacts, 0),
    checkedAt: now.toISOString(),
  };
}
