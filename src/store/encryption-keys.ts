/** Data-encryption keys, wrapped with the master key; exactly one is active. */
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Db, DbOrTx } from './database.js';
import type { EncryptionKeysTable } from './schema.js';

export type EncryptionKeyRow = Selectable<EncryptionKeysTable>;

export async function listEncryptionKeys(db: DbOrTx): Promise<EncryptionKeyRow[]> {
  return db.selectFrom('encryption_keys').selectAll().orderBy('created_at').execute();
}

export async function insertEncryptionKey(db: DbOrTx, row: EncryptionKeyRow): Promise<void> {
  await db.insertInto('encryption_keys').values(row).execute();
}

/** Makes `id` the only active key. */
export async function activateEncryptionKey(db: DbOrTx, id: string, now: string): Promise<void> {
  await db
    .updateTable('encryption_keys')
    .set({ status: 'retired', retired_at: now })
    .where('status', '=', 'active')
    .where('id', '!=', id)
    .execute();
  await db.updateTable('encryption_keys').set({ status: 'active' }).where('id', '=', id).execute();
}

/** A column that holds ciphertext produced by the field cipher. */
export interface EncryptedColumn {
  readonly table: string;
  readonly idColumn: string;
  readonly column: string;
}

/**
 * Re-writes every value of an encrypted column through `transform`, in batches of `batchSize`
 * rows, each batch in its own transaction. Returns the number of rows re-written.
 */
export async function rewriteEncryptedColumn(
  db: Db,
  target: EncryptedColumn,
  transform: (ciphertext: string) => string | null,
  batchSize = 500,
): Promise<number> {
  let after: string | number | null = null;
  let rewritten = 0;
  for (;;) {
    const table = sql.table(target.table);
    const idCol = sql.ref(target.idColumn);
    const col = sql.ref(target.column);
    const where: RawBuilder<unknown> =
      after === null ? sql`${col} is not null` : sql`${col} is not null and ${idCol} > ${after}`;
    const rows: { rows: { id: string | number; value: string }[] } = await sql<{
      id: string | number;
      value: string;
    }>`
      select ${idCol} as id, ${col} as value from ${table}
      where ${where} order by ${idCol} limit ${batchSize}`.execute(db);
    if (rows.rows.length === 0) return rewritten;
    await db.transaction().execute(async (tx) => {
      for (const row of rows.rows) {
        const next = transform(row.value);
        if (next === null || next === row.value) continue;
        await sql`update ${table} set ${col} = ${next} where ${idCol} = ${row.id}`.execute(tx);
        rewritten += 1;
      }
    });
    after = rows.rows[rows.rows.length - 1]!.id;
  }
}
