/**
 * What a message template may read about its recipient: `contact.*`. The same names serve the
 * preview, the worst-case segment count and the real render at send time.
 */
import type { ContactRow } from '../store/contacts.js';

export const CONTACT_TEMPLATE_FIELDS = [
  'city',
  'region',
  'country',
  'gender',
  'locale',
  'birth_year',
  'age_band',
] as const;
export type ContactTemplateField = (typeof CONTACT_TEMPLATE_FIELDS)[number];

/** Dotted paths a template may use; custom attributes are `contact.custom.<name>`. */
export function allowedTemplateVariables(customNames: readonly string[]): string[] {
  return [
    ...CONTACT_TEMPLATE_FIELDS.map((f) => `contact.${f}`),
    'contact.tags',
    ...customNames.map((n) => `contact.custom.${n}`),
  ];
}

/** The variables of one contact (never its phone number). */
export function contactTemplateVars(
  row: Pick<ContactRow, ContactTemplateField | 'tags' | 'custom'>,
): Record<string, unknown> {
  return {
    contact: {
      city: row.city,
      region: row.region,
      country: row.country,
      gender: row.gender,
      locale: row.locale,
      birth_year: row.birth_year,
      age_band: row.age_band,
      tags: JSON.parse(row.tags) as string[],
      custom: JSON.parse(row.custom) as Record<string, unknown>,
    },
  };
}
