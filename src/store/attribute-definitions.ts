/** Declared custom contact attributes (the schema custom fields are checked against). */
import type { DbOrTx } from './database.js';

export interface StoredAttributeDefinition {
  readonly name: string;
  readonly definition: string;
  readonly created_at: string;
}

export async function listAttributeDefinitions(db: DbOrTx): Promise<StoredAttributeDefinition[]> {
  return db.selectFrom('attribute_definitions').selectAll().orderBy('name').execute();
}

export async function upsertAttributeDefinition(
  db: DbOrTx,
  row: StoredAttributeDefinition,
): Promise<void> {
  await db
    .insertInto('attribute_definitions')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ definition: row.definition }))
    .execute();
}

export async function deleteAttributeDefinition(db: DbOrTx, name: string): Promise<boolean> {
  const r = await db
    .deleteFrom('attribute_definitions')
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
