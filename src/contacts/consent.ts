/**
 * Recording consent: every grant or revoke goes through here, so the rules hold everywhere
 * (API, forms, keywords, imports): a suppressed number cannot be granted consent by anyone but
 * the person themself through a confirmed opt-in, and a marketing revoke puts the number on the
 * suppression list at once.
 */
import { createHash } from 'node:crypto';
import { HeraldError } from '../core/errors.js';
import { redactDeep, redactPhones } from '../core/redact.js';
import { CONSENT_METHODS, type ConsentMethod } from '../core/policy/consent.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { DbOrTx } from '../store/database.js';
import { appendConsentEvent, findConsentText, type ConsentEventRow } from '../store/consents.js';
import { addSuppression, findSuppressions, removeSuppression } from '../store/suppressions.js';

export const CONSENT_ACTIONS = ['grant', 'revoke'] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];

export interface ConsentInput {
  readonly purpose: Purpose;
  readonly action: ConsentAction;
  readonly method: ConsentMethod;
  readonly source: string;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  readonly formUrl?: string | null;
  readonly consentTextId?: number | null;
  readonly evidence?: Record<string, unknown>;
  readonly at?: Date;
  /**
   * Set only by Herald's own flows where the person themself just confirmed from their phone (a
   * double opt-in reply or link, a START keyword): that alone may lift their earlier opt-out.
   * Never settable through the API or an import.
   */
  readonly confirmedBySubject?: boolean;
}

export function isConsentMethod(value: string): value is ConsentMethod {
  return (CONSENT_METHODS as readonly string[]).includes(value);
}

export function hashConsentText(body: string): string {
  return createHash('sha256').update(body.normalize('NFC'), 'utf8').digest('hex');
}

/**
 * Appends one consent event for a contact (inside the caller's transaction).
 * Throws CONTACT_SUPPRESSED when a grant meets a suppression it may not lift.
 */
export async function recordConsent(
  tx: DbOrTx,
  contact: { id: number; phoneIndex: string },
  input: ConsentInput,
  actor: string,
): Promise<ConsentEventRow> {
  const at = (input.at ?? new Date()).toISOString();
  let textHash: string | null = null;
  if (input.consentTextId != null) {
    const text = await findConsentText(tx, input.consentTextId);
    if (!text) throw new HeraldError('VALIDATION_FAILED', `No consent text ${input.consentTextId}`);
    if (text.purpose !== input.purpose) {
      throw new HeraldError(
        'VALIDATION_FAILED',
        `Consent text ${text.id} is for ${text.purpose}, not ${input.purpose}`,
      );
    }
    textHash = text.hash;
  }
  if (input.action === 'grant') {
    const suppressions = await findSuppressions(tx, contact.phoneIndex);
    const blocking = suppressions.filter((s) => s.scope === 'all' || input.purpose === 'marketing');
    const liftable =
      blocking.length > 0 &&
      blocking.every((s) => s.reason === 'opt_out') &&
      input.confirmedBySubject === true;
    if (blocking.length > 0 && !liftable) {
      throw new HeraldError(
        'CONTACT_SUPPRESSED',
        'This number is suppressed; consent cannot be recorded',
        {
          reasons: blocking.map((s) => s.reason),
        },
      );
    }
    for (const s of liftable ? blocking : [])
      await removeSuppression(tx, contact.phoneIndex, s.scope);
  } else if (input.purpose === 'marketing') {
    await addSuppression(tx, {
      phone_index: contact.phoneIndex,
      scope: 'marketing',
      reason: 'opt_out',
      note: `consent revoked (${input.method})`,
      created_by: actor,
      created_at: at,
    });
  }
  return appendConsentEvent(tx, {
    contact_id: contact.id,
    purpose: input.purpose,
    action: input.action,
    method: input.method,
    // Free text is kept as evidence, but never with a phone number in clear.
    source: redactPhones(input.source),
    ip: input.ip ?? null,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    form_url: input.formUrl == null ? null : redactPhones(input.formUrl),
    consent_text_id: input.consentTextId ?? null,
    consent_text_hash: textHash,
    evidence: JSON.stringify(redactDeep(input.evidence ?? {})),
    recorded_by: actor,
    at,
  });
}
