/** The closed sets of the suppression list. */
export const SUPPRESSION_SCOPES = ['all', 'marketing'] as const;
export type SuppressionScope = (typeof SUPPRESSION_SCOPES)[number];

export const SUPPRESSION_REASONS = [
  'opt_out',
  'erased',
  'blocklist',
  'complaint',
  'invalid',
  'hard_bounce',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];
