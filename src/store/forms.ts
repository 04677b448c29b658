/** Sign-up forms: a public key that web pages post to, a marketing consent text and a brand. */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { FormsTable } from './schema.js';

export type FormRow = Selectable<FormsTable>;
export type NewFormRow = Omit<Insertable<FormsTable>, 'id'>;

export async function insertForm(db: DbOrTx, row: NewFormRow): Promise<FormRow> {
  return db.insertInto('forms').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findFormByKey(db: DbOrTx, publicKey: string): Promise<FormRow | undefined> {
  return db.selectFrom('forms').selectAll().where('public_key', '=', publicKey).executeTakeFirst();
}

export async function findFormById(db: DbOrTx, id: number): Promise<FormRow | undefined> {
  return db.selectFrom('forms').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listForms(db: DbOrTx): Promise<FormRow[]> {
  return db.selectFrom('forms').selectAll().orderBy('id').execute();
}

/** The newest enabled form (its brand signs replies to numbers no form is known for). */
export async function latestForm(db: DbOrTx): Promise<FormRow | undefined> {
  return db
    .selectFrom('forms')
    .selectAll()
    .where('disabled', '=', 0)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
