/** Key-value settings (JSON values). */
import type { DbOrTx } from './database.js';

export async function readSettings(db: DbOrTx, prefix: string): Promise<Map<string, unknown>> {
  const rows = await db
    .selectFrom('settings')
    .selectAll()
    .where('key', 'like', `${prefix}%`)
    .execute();
  return new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
}

export async function writeSetting(
  db: DbOrTx,
  row: { key: string; value: unknown; updatedBy: string; now: string },
): Promise<void> {
  const values = {
    key: row.key,
    value: JSON.stringify(row.value),
    updated_by: row.updatedBy,
    updated_at: row.now,
  };
  await db
    .insertInto('settings')
    .values(values)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        value: values.value,
        updated_by: values.updated_by,
        updated_at: values.updated_at,
      }),
    )
    .execute();
}

export async function deleteSetting(db: DbOrTx, key: string): Promise<boolean> {
  const r = await db.deleteFrom('settings').where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
