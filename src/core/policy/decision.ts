/**
 * The vocabulary of the send decision: the message and the recipient it is about, and the
 * decision with the checks that explain it. decide.ts computes it, explain.ts words it.
 */
import type { ConsentRecord } from './consent.js';
import type { Instant } from './instant.js';
import type { LintResult } from './lint.js';
import type { FrequencyCap, HoursRule } from './policy-pack.js';
import type { Purpose } from './purposes.js';
import type { DecisionReason, DeferralReason } from './reasons.js';

export interface Message {
  purpose: Purpose;
  /** The rendered text, exactly as it will be sent. */
  body: string;
  sender?: string;
  /** The brand the text must name (US, AU) or carry as 【signature】 (CN). Default: sender. */
  brand?: string;
  locale?: string;
  isOneTimeCode?: boolean;
  campaignId?: string;
  /** Send only in the good windows (before work, lunch, evening) inside the allowed hours. */
  goodWindows?: boolean;
  /** The registered template the text was rendered from (India DLT). */
  template?: { id: string; registered: boolean };
  /** A lint result computed when the text was composed; decide() lints the body otherwise. */
  lint?: LintResult;
}

export interface Recipient {
  numberValid: boolean;
  /** ISO 3166-1 alpha-2 country of the number. */
  country: string;
  /** ISO 3166-2 subdivision without the country (`FL`, `BY`, `NSW`), when known. */
  region?: string;
  /** The contact's own zone, or every zone its number may be in (all must allow the send). */
  zones: readonly string[];
  consent: Partial<Record<Purpose, ConsentRecord>>;
  /** The contact asked to stop (STOP, 退订, unsubscribe page); its reach is the pack's. */
  optedOut?: { at: Instant; via?: string } | null;
  suppressed: null | { scope: 'all' | 'marketing'; reason: string };
  /** Send times the store holds for this contact (including reservations), per bucket. */
  recentSends: {
    marketing: readonly Instant[];
    transactional?: readonly Instant[];
    oneTimeCodes: readonly Instant[];
  };
}

/** One rule that was checked, named by the reason it gives when it fails. */
export interface DecisionCheck {
  readonly reason: DecisionReason;
  readonly passed: boolean;
  /** Language-neutral detail: a holiday name, a consent method, lint codes, a date. */
  readonly detail?: string;
}

/** What explainDecision needs to say why, in the recipient's terms. */
export interface DecisionContext {
  readonly policyId: string;
  readonly purpose: Purpose;
  readonly country: string;
  readonly zones: readonly string[];
  readonly hours: HoursRule | null;
  readonly goodWindows: boolean;
  readonly frequency: FrequencyCap | null;
  readonly flood: FrequencyCap | null;
}

export type Decision =
  | { action: 'send'; checks: DecisionCheck[]; context: DecisionContext }
  | {
      action: 'defer';
      until: Date;
      reason: DeferralReason;
      checks: DecisionCheck[];
      context: DecisionContext;
    }
  | { action: 'block'; reason: DecisionReason; checks: DecisionCheck[]; context: DecisionContext };
