/**
 * The compliance report's judgement of one marketing message, after the fact: at the instant it
 * was handed to a carrier, did it rest on a marketing consent (the latest consent event of the
 * contact for marketing before that instant was a grant), was the number free of suppressions,
 * and was it outside quiet hours and holidays of its country's pack in every zone of the
 * recipient? And the opt-out latency figures (p50, p99).
 *
 * @example
 *   judgeMessage({ sentAt: Date.parse('2030-01-08T20:00:00Z'), country: 'US', zones: ['America/Los_Angeles'],
 *     consent: { eventId: 4, action: 'grant', method: 'web_form', at: '2029-06-01T00:00:00Z' },
 *     suppressedAt: null }, policyFor); // []
 */
import { quantileSorted } from 'simple-statistics';
import type { PolicyPack } from '../policy/policy-pack.js';
import { holidayAt, isAllowedAt } from '../policy/windows.js';

export const COMPLIANCE_PROBLEMS = [
  'no_consent',
  'suppressed',
  'quiet_hours',
  'holiday',
  'unverifiable',
] as const;
export type ComplianceProblem = (typeof COMPLIANCE_PROBLEMS)[number];

export interface ConsentRecord {
  readonly eventId: number;
  readonly action: string;
  readonly method: string;
  readonly at: string;
}

export interface SentMarketingFact {
  readonly sentAt: number;
  readonly country: string | null;
  readonly region?: string | undefined;
  /** The recipient's zones; empty when the contact was erased since. */
  readonly zones: readonly string[];
  /** The latest marketing consent event at or before the send; null: none on record. */
  readonly consent: ConsentRecord | null;
  /** When a suppression that was in force at the send was added; null: none. */
  readonly suppressedAt: string | null;
  /** The contact was erased since: consent and zones can no longer be shown. */
  readonly erased: boolean;
}

export interface Finding {
  readonly problem: ComplianceProblem;
  readonly detail?: string;
}

/** Everything wrong with one sent marketing message; empty when it was lawful. */
export function judgeMessage(
  fact: SentMarketingFact,
  policyFor: (country: string) => PolicyPack,
): Finding[] {
  if (fact.erased) return [{ problem: 'unverifiable', detail: 'the contact was erased' }];
  const found: Finding[] = [];
  if (!fact.consent || fact.consent.action !== 'grant') {
    found.push({
      problem: 'no_consent',
      detail: fact.consent
        ? `latest event ${fact.consent.eventId} is a ${fact.consent.action}`
        : 'no consent on record',
    });
  }
  if (fact.suppressedAt)
    found.push({ problem: 'suppressed', detail: `since ${fact.suppressedAt}` });
  const country = fact.country ?? 'ZZ';
  const policy = policyFor(country);
  const zones = fact.zones.length > 0 ? fact.zones : ['UTC'];
  const regional = fact.region ? policy.regionalQuietHours[fact.region] : undefined;
  const hours =
    regional && 'marketing' in regional
      ? (regional.marketing ?? null)
      : policy.quietHours.marketing;
  if (hours && !isAllowedAt(fact.sentAt, zones, hours, null, country, fact.region)) {
    found.push({ problem: 'quiet_hours', detail: zones.join(', ') });
  }
  if (policy.holidays.appliesTo.includes('marketing')) {
    const holiday = holidayAt(fact.sentAt, zones, policy.holidays, country, fact.region);
    if (holiday) found.push({ problem: 'holiday', detail: `${holiday.date} ${holiday.name}` });
  }
  return found;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Seconds: number | null;
  readonly p99Seconds: number | null;
  readonly maxSeconds: number | null;
}

/**
 * p50, p99 and maximum of latencies in seconds (simple-statistics' quantileSorted: linear
 * interpolation, as NumPy's default percentile).
 *
 * @example
 *   latencySummary([1, 2, 3, 4]); // { count: 4, p50Seconds: 2.5, p99Seconds: 3.97, maxSeconds: 4 }
 */
export function latencySummary(seconds: readonly number[]): LatencySummary {
  if (seconds.length === 0)
    return { count: 0, p50Seconds: null, p99Seconds: null, maxSeconds: null };
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Seconds: quantileSorted(sorted, 0.5),
    p99Seconds: quantileSorted(sorted, 0.99),
    maxSeconds: sorted.at(-1)!,
  };
}
