/**
 * Sign-up forms. A form is what a web page names when it posts a number to /v1/subscribe: its
 * public key (not a secret: it sits in the page), the marketing consent text the page shows
 * (the evidence of what the person agreed to), the brand that signs the confirmation SMS and the
 * country assumed for numbers written without a country code.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import { findConsentText } from '../store/consents.js';
import { findFormByKey, insertForm, listForms, type FormRow } from '../store/forms.js';

export interface FormInput {
  /** The public key; generated when absent. */
  readonly key?: string;
  readonly name: string;
  readonly consentTextId: number;
  readonly brand: string;
  readonly defaultCountry?: string | null;
}

export interface FormView {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly consentTextId: number;
  readonly brand: string;
  readonly defaultCountry: string | null;
  readonly disabled: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
}

export function formView(row: FormRow): FormView {
  return {
    id: row.id,
    key: row.public_key,
    name: row.name,
    consentTextId: row.consent_text_id,
    brand: row.brand,
    defaultCountry: row.default_country,
    disabled: row.disabled === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export async function createForm(
  ctx: AppContext,
  input: FormInput,
  actor: string,
): Promise<FormView> {
  const db = ctx.store.db;
  const text = await findConsentText(db, input.consentTextId);
  if (!text) {
    throw new HeraldError('VALIDATION_FAILED', `No consent text ${input.consentTextId}`, {
      field: 'consentTextId',
    });
  }
  // Double opt-in grants marketing consent: the page must have shown a marketing text.
  if (text.purpose !== 'marketing') {
    throw new HeraldError(
      'VALIDATION_FAILED',
      `Consent text ${text.id} is for ${text.purpose}; a sign-up form needs a marketing text`,
      { field: 'consentTextId' },
    );
  }
  const key = input.key ?? `f_${randomBytes(12).toString('base64url')}`;
  if (await findFormByKey(db, key)) {
    throw new HeraldError('CONFLICT', 'A form with this key already exists', { field: 'key' });
  }
  const row = await insertForm(db, {
    public_key: key,
    name: input.name,
    consent_text_id: text.id,
    default_country: input.defaultCountry ?? null,
    brand: input.brand,
    created_by: actor,
    created_at: new Date().toISOString(),
  });
  await ctx.auditor.record({
    actor,
    action: 'form.create',
    target: `form:${row.public_key}`,
    details: { consentTextId: text.id, consentTextHash: text.hash, brand: row.brand },
  });
  return formView(row);
}

export async function listFormViews(ctx: AppContext): Promise<FormView[]> {
  return (await listForms(ctx.store.db)).map(formView);
}

/** The form a public sign-up names; unknown and disabled forms are both NOT_FOUND. */
export async function requireEnabledForm(ctx: AppContext, key: string): Promise<FormRow> {
  const row = await findFormByKey(ctx.store.db, key);
  if (!row || row.disabled === 1) throw new HeraldError('NOT_FOUND', 'No such form');
  return row;
}
