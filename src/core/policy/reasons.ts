/**
 * The closed set of reasons a message is deferred or blocked. The API, the audit report and
 * explainDecision all speak this vocabulary; add a reason here and nowhere else.
 */
export const DECISION_REASONS = [
  'invalid_number',
  'country_not_allowed',
  'suppressed',
  'opted_out',
  'no_consent',
  'consent_method_insufficient',
  'template_not_registered',
  'content_noncompliant',
  'holiday',
  'quiet_hours',
  // Inside the lawful hours but outside the good windows a campaign asked for: not a legal
  // limit, so it must not be reported as quiet hours.
  'good_window',
  'frequency_cap',
  'flood_limit',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** Reasons that only ever postpone a message; every other reason blocks it. */
export const DEFERRAL_REASONS = [
  'holiday',
  'quiet_hours',
  'good_window',
  'frequency_cap',
  'flood_limit',
] as const satisfies readonly DecisionReason[];
export type DeferralReason = (typeof DEFERRAL_REASONS)[number];

/**
 * @example
 *   isDecisionReason('quiet_hours'); // true
 */
export function isDecisionReason(value: string): value is DecisionReason {
  return (DECISION_REASONS as readonly string[]).includes(value);
}
