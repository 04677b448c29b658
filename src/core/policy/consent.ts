/**
 * Consent per purpose: is there a record, was it given before now, was it given in a way the
 * policy accepts? Marketing without acceptable consent is impossible by construction.
 */
import type { Instant } from './instant.js';
import { toMillis } from './instant.js';

/** How a consent was captured. `import` is a batch from elsewhere and needs attached evidence. */
export const CONSENT_METHODS = [
  'web_form',
  'double_opt_in_sms',
  'double_opt_in_link',
  'keyword',
  'paper',
  'verbal',
  'import',
  // Recorded through the API by the company's own systems (sign-up in an app or shop).
  'api',
  // Recorded by a support agent (a call, an e-mail); revocations above all.
  'support',
  // Soft opt-in / inferred consent: an existing customer texted about similar products.
  'existing_customer',
] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export interface ConsentRecord {
  /** false: the person withdrew (opted out) for this purpose. */
  granted: boolean;
  method: ConsentMethod;
  at: Instant;
  /** The original proof (form record, signed text) is attached; required for imports. */
  evidence?: boolean;
}

export interface ConsentRequirement {
  /** Whether a consent record is needed at all for this purpose. */
  required: boolean;
  /** Methods the policy accepts; a record by any other method is insufficient. */
  methods: readonly ConsentMethod[];
  /** An `import` counts only with evidence attached. */
  importNeedsEvidence: boolean;
}

export type ConsentVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'no_consent' | 'opted_out' | 'consent_method_insufficient';
      detail: string;
    };

const OK: ConsentVerdict = { ok: true };

/**
 * @example
 *   checkConsent(
 *     { granted: true, method: 'import', at: 0 },
 *     { required: true, methods: ['web_form', 'import'], importNeedsEvidence: true },
 *     Date.UTC(2026, 0, 1),
 *   ); // { ok: false, reason: 'consent_method_insufficient', detail: 'import without evidence' }
 */
export function checkConsent(
  record: ConsentRecord | undefined | null,
  requirement: ConsentRequirement,
  now: Instant,
): ConsentVerdict {
  if (record && !record.granted) return { ok: false, reason: 'opted_out', detail: 'withdrawn' };
  if (!requirement.required) return OK;
  if (!record) return { ok: false, reason: 'no_consent', detail: 'no consent record' };
  // A record dated after the decision did not exist when the message was decided.
  if (toMillis(record.at) > toMillis(now)) {
    return { ok: false, reason: 'no_consent', detail: 'consent recorded after now' };
  }
  if (!requirement.methods.includes(record.method)) {
    return { ok: false, reason: 'consent_method_insufficient', detail: record.method };
  }
  if (record.method === 'import' && requirement.importNeedsEvidence && record.evidence !== true) {
    return { ok: false, reason: 'consent_method_insufficient', detail: 'import without evidence' };
  }
  return OK;
}
