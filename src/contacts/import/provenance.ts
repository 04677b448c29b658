/**
 * Where an import's numbers come from and on what basis they may be texted. Checked before the
 * file is read: a marketing import without a declared consent basis (how the people consented,
 * and the consent text they saw) is refused outright, because bought or unproven lists must
 * never become marketing audiences. Without a basis an import can only create contacts for
 * transactional messages.
 */
import { HeraldError } from '../../core/errors.js';
import { CONSENT_METHODS, type ConsentMethod } from '../../core/policy/consent.js';
import { PURPOSES, isPurpose, type Purpose } from '../../core/policy/purposes.js';
import type { DbOrTx } from '../../store/database.js';
import { findConsentText, latestConsentText, type ConsentTextRow } from '../../store/consents.js';
import { isConsentMethod } from '../consent.js';

export interface ProvenanceInput {
  /** Free text: where the numbers were collected ("2025 trade show sign-up sheets"). */
  readonly source: string;
  readonly purpose: string;
  readonly consentMethod?: string;
  /** A consent text id, or its key (the newest version). */
  readonly consentText?: string | number;
}

export interface ConsentBasis {
  readonly method: ConsentMethod;
  readonly text: Pick<ConsentTextRow, 'id' | 'key' | 'version' | 'hash' | 'purpose'>;
}

export interface Provenance {
  readonly source: string;
  readonly purpose: Purpose;
  /** Null: no consent is recorded; the contacts are transactional-only. */
  readonly basis: ConsentBasis | null;
}

const MAX_SOURCE = 500;

export async function resolveProvenance(db: DbOrTx, input: ProvenanceInput): Promise<Provenance> {
  const source = (input.source ?? '').trim();
  if (source === '' || source.length > MAX_SOURCE) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      `An import needs its source (1-${MAX_SOURCE} characters): where these numbers were collected, e.g. "2025 trade show sign-up sheets"`,
    );
  }
  if (!isPurpose(input.purpose)) {
    throw new HeraldError('VALIDATION_FAILED', `The purpose is one of ${PURPOSES.join(', ')}`);
  }
  const purpose = input.purpose;
  const method = input.consentMethod?.trim() || undefined;
  const textRef =
    typeof input.consentText === 'string' ? input.consentText.trim() : input.consentText;
  if (method !== undefined && !isConsentMethod(method)) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      `The consent method is one of ${CONSENT_METHODS.join(', ')}`,
    );
  }
  const hasText = textRef !== undefined && textRef !== '';
  if (method === undefined || !hasText) {
    if (purpose === 'marketing') {
      throw new HeraldError(
        'CONSENT_BASIS_MISSING',
        'Bought or unproven lists are refused for marketing: declare how these people consented (consent method) and the consent text they agreed to',
        { missing: [...(method ? [] : ['consentMethod']), ...(hasText ? [] : ['consentText'])] },
      );
    }
    if (method !== undefined || hasText) {
      throw new HeraldError(
        'CONSENT_BASIS_MISSING',
        'A consent basis is the consent method and the consent text together; give both, or neither for transactional-only contacts',
      );
    }
    return { source, purpose, basis: null };
  }
  const text = await findText(db, textRef);
  if (text === undefined) {
    throw new HeraldError('VALIDATION_FAILED', `No consent text ${JSON.stringify(textRef)}`);
  }
  if (text.purpose !== purpose) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      `Consent text ${text.key} v${text.version} is for ${text.purpose}, not ${purpose}`,
    );
  }
  return { source, purpose, basis: { method: method as ConsentMethod, text } };
}

async function findText(db: DbOrTx, ref: string | number): Promise<ConsentTextRow | undefined> {
  if (typeof ref === 'number') return findConsentText(db, ref);
  if (/^\d+$/.test(ref)) return findConsentText(db, Number(ref));
  return latestConsentText(db, ref);
}
