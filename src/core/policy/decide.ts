/**
 * The send decision: may this message go to this recipient now, under this policy? One pure
 * function, called when a campaign is planned and again at the moment a message leaves, so that
 * nothing goes out after an opt-out, in quiet hours or over a cap.
 *
 * Blocks come first (nothing later can make them lawful); then the timing rules, which only
 * postpone: quiet hours, holidays, good windows and caps are iterated together until one instant
 * satisfies all of them.
 */
import { HeraldError } from '../errors.js';
import { checkConsent } from './consent.js';
import type { Decision, DecisionCheck, DecisionContext, Message, Recipient } from './decision.js';
import { nextFrequencyMillis } from './frequency.js';
import { withGoodWindows } from './good-windows.js';
import type { Instant } from './instant.js';
import { toMillis } from './instant.js';
import { lintFor } from './lint-memo.js';
import type { FrequencyCap, HolidayRule, HoursRule, PolicyPack } from './policy-pack.js';
import type { Purpose } from './purposes.js';
import type { DecisionReason, DeferralReason } from './reasons.js';
import { DECISION_REASONS } from './reasons.js';
import { holidayAt, isAllowedAt, nextAllowedMillis } from './windows.js';

export type { Decision, DecisionCheck, DecisionContext, Message, Recipient };

/** How far ahead a good window is looked for before falling back to the allowed hours. */
const GOOD_WINDOW_HORIZON_DAYS = 14;

// A passed check carries nothing specific, so one frozen object per reason serves every decision.
const PASSED = Object.fromEntries(
  DECISION_REASONS.map((reason) => [reason, Object.freeze({ reason, passed: true })]),
) as Record<DecisionReason, DecisionCheck>;

function failedCheck(reason: DecisionReason, detail: string | undefined): DecisionCheck {
  return detail === undefined ? { reason, passed: false } : { reason, passed: false, detail };
}

function hoursFor(policy: PolicyPack, purpose: Purpose, region: string | undefined) {
  const regional = region ? policy.regionalQuietHours[region] : undefined;
  return regional && purpose in regional ? (regional[purpose] ?? null) : policy.quietHours[purpose];
}

// The rules that block whatever the time; null when none does. Passed checks are appended.
function blocker(
  message: Message,
  recipient: Recipient,
  policy: PolicyPack,
  ms: number,
  checks: DecisionCheck[],
): DecisionCheck | null {
  const { purpose } = message;
  if (!recipient.numberValid) return failedCheck('invalid_number', undefined);
  checks.push(PASSED.invalid_number);
  const country = recipient.country;
  if (policy.allowedCountries && !policy.allowedCountries.includes(country)) {
    return failedCheck('country_not_allowed', country);
  }
  checks.push(PASSED.country_not_allowed);
  const suppressed = recipient.suppressed;
  if (suppressed && (suppressed.scope === 'all' || purpose === 'marketing')) {
    return failedCheck('suppressed', suppressed.reason);
  }
  checks.push(PASSED.suppressed);
  const optedOut = recipient.optedOut;
  if (optedOut && (purpose === 'marketing' || policy.optOut.appliesTo === 'all')) {
    return failedCheck('opted_out', optedOut.via ?? 'opt-out');
  }
  const consent = checkConsent(recipient.consent[purpose], policy.consent[purpose], ms);
  if (!consent.ok) return failedCheck(consent.reason, consent.detail);
  checks.push(PASSED.opted_out, PASSED.no_consent, PASSED.consent_method_insufficient);
  if (
    policy.content.templateRequiredFor.includes(purpose) &&
    message.template?.registered !== true
  ) {
    return failedCheck('template_not_registered', message.template?.id ?? 'none');
  }
  checks.push(PASSED.template_not_registered);
  const lint = lintFor(message, policy);
  if (!lint.ok) {
    const codes = lint.issues.filter((i) => i.severity === 'error').map((i) => i.code);
    return failedCheck('content_noncompliant', codes.join(','));
  }
  checks.push(PASSED.content_noncompliant);
  return null;
}

function judge(
  reason: DeferralReason,
  ok: boolean,
  checks: DecisionCheck[],
  failed: DeferralReason[],
  detail?: string | null,
): void {
  if (ok) checks.push(PASSED[reason]);
  else {
    failed.push(reason);
    checks.push(failedCheck(reason, detail ?? undefined));
  }
}

interface Timing {
  zones: readonly string[];
  country: string;
  region: string | undefined;
  holidays: HolidayRule | null;
  sends: readonly Instant[];
  frequency: FrequencyCap | null;
  flood: FrequencyCap | null;
  otp: readonly Instant[];
}

// Each rule pushes the candidate to its own next allowed instant until a round moves nothing.
// null: no lawful hour within the horizon; a check: a cap that never frees.
function earliestAgreed(
  from: number,
  rule: HoursRule | null,
  timing: Timing,
  horizonDays?: number,
): number | DecisionCheck | null {
  const { zones, country, region, holidays } = timing;
  let t = from;
  for (let round = 0; round < 1000; round += 1) {
    const lawful = nextAllowedMillis(t, zones, rule, holidays, country, region, horizonDays);
    if (lawful === null) return null;
    const capped = nextFrequencyMillis(lawful, timing.sends, timing.frequency);
    if (capped === null) return failedCheck('frequency_cap', 'the cap allows no sends');
    const unflooded = nextFrequencyMillis(capped, timing.otp, timing.flood);
    if (unflooded === null) return failedCheck('flood_limit', 'the limit allows no sends');
    if (unflooded === t) return t;
    t = unflooded;
  }
  return null;
}

/**
 * @example
 *   // Sunday 8 March 2026 07:30 in New York: US marketing waits for 08:00 EDT
 *   decide(
 *     { purpose: 'marketing', body: 'Acme: spring sale today. Reply STOP to opt out', brand: 'Acme' },
 *     { numberValid: true, country: 'US', zones: ['America/New_York'], suppressed: null,
 *       consent: { marketing: { granted: true, method: 'web_form', at: Date.UTC(2025, 0, 1) } },
 *       recentSends: { marketing: [], oneTimeCodes: [] } },
 *     resolvePolicy('US'),
 *     new Date('2026-03-08T11:30:00Z'),
 *   ); // { action: 'defer', until: 2026-03-08T12:00:00.000Z, reason: 'quiet_hours', ... }
 */
export function decide(
  message: Message,
  recipient: Recipient,
  policy: PolicyPack,
  now: Instant,
): Decision {
  const ms = toMillis(now);
  const { purpose } = message;
  const { country, region, zones } = recipient;
  // The zones come from the number when the contact has none: an empty list is a caller's bug,
  // never "no restriction".
  if (zones.length === 0) {
    throw new HeraldError('VALIDATION_FAILED', 'A recipient needs at least one time zone');
  }
  const hours = hoursFor(policy, purpose, region);
  const holidays = policy.holidays.appliesTo.includes(purpose) ? policy.holidays : null;
  const frequency = policy.frequency[purpose];
  const flood = message.isOneTimeCode ? policy.frequency.oneTimeCode : null;
  const goodWindows = message.goodWindows === true;
  const context: DecisionContext = {
    policyId: policy.id,
    purpose,
    country,
    zones,
    hours,
    goodWindows,
    frequency,
    flood,
  };
  const checks: DecisionCheck[] = [];
  const blocked = blocker(message, recipient, policy, ms, checks);
  if (blocked) {
    checks.push(blocked);
    return { action: 'block', reason: blocked.reason, checks, context };
  }

  // Timing: which rules fail now (for the reason and the explanation)...
  const effective = goodWindows ? withGoodWindows(hours) : hours;
  const sends =
    purpose === 'marketing'
      ? recipient.recentSends.marketing
      : (recipient.recentSends.transactional ?? []);
  const otp = recipient.recentSends.oneTimeCodes;
  const failed: DeferralReason[] = [];
  if (holidays) {
    const holiday = holidayAt(ms, zones, holidays, country, region);
    judge(
      'holiday',
      holiday === null,
      checks,
      failed,
      holiday && `${holiday.date} ${holiday.name}`,
    );
  }
  if (hours)
    judge('quiet_hours', isAllowedAt(ms, zones, hours, null, country, region), checks, failed);
  if (goodWindows) {
    judge('good_window', isAllowedAt(ms, zones, effective, null, country, region), checks, failed);
  }
  if (frequency)
    judge('frequency_cap', nextFrequencyMillis(ms, sends, frequency) === ms, checks, failed);
  if (flood) judge('flood_limit', nextFrequencyMillis(ms, otp, flood) === ms, checks, failed);
  if (failed.length === 0) return { action: 'send', checks, context };

  // ...and the earliest instant at which all of them agree. Good windows are a preference: when
  // the zones of a number share none soon (Shanghai and Urumqi are two hours apart), the
  // allowed hours are used instead of postponing for weeks.
  const timing: Timing = { zones, country, region, holidays, sends, frequency, flood, otp };
  let until = earliestAgreed(
    ms,
    effective,
    timing,
    goodWindows ? GOOD_WINDOW_HORIZON_DAYS : undefined,
  );
  let reasons = failed;
  if (until === null && goodWindows) {
    checks.push({
      reason: 'good_window',
      passed: true,
      detail: 'no common good window: allowed hours used',
    });
    reasons = failed.filter((r) => r !== 'good_window');
    until = earliestAgreed(ms, hours, timing);
  }
  const reason = reasons[0];
  if (typeof until === 'number') {
    if (until === ms || reason === undefined) return { action: 'send', checks, context };
    return { action: 'defer', until: new Date(until), reason, checks, context };
  }
  const last =
    until ?? failedCheck(reason ?? 'quiet_hours', 'no lawful instant within the search horizon');
  checks.push(last);
  return { action: 'block', reason: last.reason, checks, context };
}
