/**
 * What an import line does to the contact that already has its number: refused when the
 * person withdrew consent for the purpose, or when the external ids disagree; otherwise merged,
 * with the reason naming what changed ("no change" on a re-run of the same file).
 */
import type { DbOrTx } from '../../store/database.js';
import { updateContact, type ContactRow, type NewContactRow } from '../../store/contacts.js';
import type { ContactConsentRow } from '../../store/consents.js';
import type { ImportOutcome } from './outcomes.js';
import type { Purpose } from '../../core/policy/purposes.js';
import type { RowAttributes, ValidRow } from './row-prepare.js';

export interface Decision {
  outcome: ImportOutcome;
  reason: string | null;
  contactId: number | null;
  /** Grant consent for the import's purpose (created, or merged without it). */
  grant?: boolean;
}

export interface MergeInput {
  readonly purpose: Purpose;
  /** A consent basis was declared: a contact without consent for the purpose gets a grant. */
  readonly grants: boolean;
  readonly row: ValidRow;
  readonly contact: ContactRow;
  /** The contact's current consent for the purpose, if any. */
  readonly consent: Pick<ContactConsentRow, 'granted' | 'at' | 'method'> | undefined;
  /** The contact that holds the row's external id, if any. */
  readonly externalIdOwner: number | undefined;
  readonly at: string;
}

export async function mergeInto(tx: DbOrTx, input: MergeInput): Promise<Decision> {
  const { row, contact, consent } = input;
  const externalId = row.attributes.external_id;
  const refused = (reason: string): Decision => ({
    outcome: 'refused',
    reason,
    contactId: contact.id,
  });
  if (externalId !== undefined && contact.external_id !== null) {
    if (contact.external_id !== externalId) {
      return refused('external_id differs from the one the contact has');
    }
  } else if (input.externalIdOwner !== undefined && input.externalIdOwner !== contact.id) {
    return refused(`external_id belongs to contact ${input.externalIdOwner} (another number)`);
  }
  if (consent !== undefined && consent.granted === 0) {
    // The person said no: no list, however well documented, says yes for them again.
    return refused(
      `${input.purpose} consent withdrawn on ${consent.at.slice(0, 10)} (${consent.method}); an import cannot renew it`,
    );
  }
  const { patch, changed } = mergePatch(contact, row.attributes);
  const grant = input.grants && consent === undefined;
  if (grant) changed.push(`${input.purpose} consent granted`);
  if (Object.keys(patch).length > 0) {
    await updateContact(tx, contact.id, { ...patch, updated_at: input.at });
  }
  return {
    outcome: 'merged',
    reason: changed.length > 0 ? changed.join('; ') : 'no change',
    contactId: contact.id,
    grant,
  };
}

const SCALARS = [
  'external_id',
  'birth_year',
  'age_band',
  'city',
  'region',
  'gender',
  'locale',
] as const;

/**
 * What the row adds to an existing contact: its non-empty values replace the contact's (the
 * file is the newer word), tags are added to the contact's, custom fields merged. Empty cells
 * never clear anything.
 *
 * @example
 *   // contact: city 'Paris', tags '["vip"]'
 *   mergePatch(contact, { city: 'Lyon', tags: ['vip'] });
 *   // { patch: { city: 'Lyon' }, changed: ['updated city'] }
 */
export function mergePatch(
  contact: ContactRow,
  attributes: RowAttributes,
): { patch: Partial<NewContactRow>; changed: string[] } {
  const patch: Partial<NewContactRow> = {};
  const fields: string[] = [];
  for (const name of SCALARS) {
    const value = attributes[name];
    if (value === undefined || contact[name] === value) continue;
    (patch as Record<string, unknown>)[name] = value;
    fields.push(name);
  }
  if (attributes.tags !== undefined) {
    const tags = JSON.parse(contact.tags) as string[];
    const added = attributes.tags.filter((t) => !tags.includes(t));
    if (added.length > 0) {
      patch.tags = JSON.stringify([...tags, ...added]);
      fields.push('tags');
    }
  }
  if (attributes.custom !== undefined) {
    const custom = JSON.parse(contact.custom) as Record<string, unknown>;
    const given = attributes.custom;
    const names = Object.keys(given).filter(
      (k) => JSON.stringify(custom[k]) !== JSON.stringify(given[k]),
    );
    if (names.length > 0) {
      patch.custom = JSON.stringify({ ...custom, ...given });
      fields.push(...names);
    }
  }
  return { patch, changed: fields.length > 0 ? [`updated ${fields.join(', ')}`] : [] };
}
