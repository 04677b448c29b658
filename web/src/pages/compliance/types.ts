/**
 * The shapes of the /v1 answers the compliance area reads (see src/api/routes/{suppressions,
 * consent-texts,privacy,audit,reports}.ts for their schemas).
 */

/** Closed sets of the suppression list (src/contacts/suppression.ts). */
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
/** What a person may choose when blocking by hand: `erased` is left to the erasure itself. */
export const BLOCK_REASONS = SUPPRESSION_REASONS.filter((r) => r !== 'erased');

export interface Suppression {
  ref: string;
  scope: SuppressionScope;
  reason: SuppressionReason;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export const PURPOSES = ['marketing', 'transactional'] as const;
export type Purpose = (typeof PURPOSES)[number];

export interface ConsentText {
  id: number;
  key: string;
  version: number;
  purpose: Purpose;
  locale: string;
  body: string;
  hash: string;
  createdBy: string;
  createdAt: string;
}

/** herald.subject-export.v1 (src/contacts/privacy.ts): parts are lists of rows. */
export interface SubjectExport {
  format: string;
  generatedAt: string;
  subject: { phone: string; found: boolean };
  contact: ({ id: number } & Record<string, unknown>) | null;
  consent: { current: unknown[]; history: unknown[] };
  suppressions: unknown[];
  messages: unknown[];
  inboundMessages: unknown[];
  events: unknown[];
  links: unknown[];
  conversions: unknown[];
  importLines: unknown[];
  pendingSubscriptions: unknown[];
}

export interface Erasure {
  contactId: number | null;
  counts: Record<string, number>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
  hash: string;
}

export interface AuditPage {
  items: AuditEntry[];
  nextBefore: number | null;
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  firstBad?: { seq: number; problem: string; detail: string };
}

export const COMPLIANCE_PROBLEMS = [
  'no_consent',
  'suppressed',
  'quiet_hours',
  'holiday',
  'unverifiable',
] as const;
export type ComplianceProblem = (typeof COMPLIANCE_PROBLEMS)[number];

export interface ComplianceReport {
  period: { from: string; to: string };
  generatedAt: string;
  marketing: {
    checked: number;
    compliant: number;
    problems: Partial<Record<ComplianceProblem, number>>;
    findings: {
      messageId: number;
      campaignId: number | null;
      contactId: number | null;
      sentAt: string;
      country: string | null;
      consent: { eventId: number; action: string; method: string; at: string } | null;
      problem: ComplianceProblem;
      detail?: string;
    }[];
    findingsTruncated: boolean;
  };
  optOuts: {
    replies: number;
    honoured: number;
    notHonoured: number;
    latency: {
      count: number;
      p50Seconds: number | null;
      p99Seconds: number | null;
      maxSeconds: number | null;
    };
    revokesByMethod: Record<string, number>;
  };
  staffNumberAccess: { actor: string; action: string; n: number; first: string; last: string }[];
}
