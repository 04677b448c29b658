/** Contacts: one row per E.164 number, found by its blind index; the number itself is encrypted. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { ContactsTable } from './schema.js';

export type ContactRow = Selectable<ContactsTable>;
export type NewContactRow = Insertable<ContactsTable>;
export type ContactPatch = Updateable<ContactsTable>;

export async function insertContact(db: DbOrTx, row: NewContactRow): Promise<ContactRow> {
  return db.insertInto('contacts').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findContactById(db: DbOrTx, id: number): Promise<ContactRow | undefined> {
  return db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findContactByIndex(
  db: DbOrTx,
  phoneIndex: string,
): Promise<ContactRow | undefined> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('phone_index', '=', phoneIndex)
    .executeTakeFirst();
}

export async function findContactByExternalId(
  db: DbOrTx,
  externalId: string,
): Promise<ContactRow | undefined> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** Bulk look-up for imports: blind index -> contact id. */
export async function findContactIdsByIndex(
  db: DbOrTx,
  indexes: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < indexes.length; i += 500) {
    const chunk = indexes.slice(i, i + 500);
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'phone_index'])
      .where('phone_index', 'in', chunk)
      .execute();
    for (const r of rows) found.set(r.phone_index, r.id);
  }
  return found;
}

export async function updateContact(
  db: DbOrTx,
  id: number,
  patch: ContactPatch,
): Promise<ContactRow | undefined> {
  return db
    .updateTable('contacts')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteContact(db: DbOrTx, id: number): Promise<boolean> {
  const result = await db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface ContactFilter {
  readonly country?: string;
  readonly status?: string;
  readonly tag?: string;
  readonly numberType?: string;
  readonly city?: string;
  readonly region?: string;
  readonly consentPurpose?: string;
  readonly source?: string;
  readonly createdSince?: string;
  readonly afterId?: number;
  readonly limit: number;
}

/** A page of contacts in id order (keyset paging with `afterId`). */
export async function listContacts(db: DbOrTx, f: ContactFilter): Promise<ContactRow[]> {
  let q = db.selectFrom('contacts').selectAll('contacts');
  if (f.country) q = q.where('country', '=', f.country);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.numberType) q = q.where('number_type', '=', f.numberType);
  if (f.city) q = q.where('city', '=', f.city);
  if (f.region) q = q.where('region', '=', f.region);
  if (f.source) q = q.where('source', '=', f.source);
  if (f.createdSince) q = q.where('created_at', '>=', f.createdSince);
  // Tags are a JSON array of strings; quotes around the tag make the match exact.
  if (f.tag) q = q.where('tags', 'like', `%${JSON.stringify(f.tag).replace(/[%_]/g, '')}%`);
  if (f.consentPurpose) {
    const purpose = f.consentPurpose;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('contact_consents')
          .select('contact_consents.contact_id')
          .whereRef('contact_consents.contact_id', '=', 'contacts.id')
          .where('contact_consents.purpose', '=', purpose)
          .where('contact_consents.granted', '=', 1),
      ),
    );
  }
  if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
  return q.orderBy('id').limit(f.limit).execute();
}

export async function countContacts(db: DbOrTx): Promise<number> {
  const row = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
