/** The suppression list, keyed by blind index: it outlives contacts, even their erasure. */
import type { Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { SuppressionsTable } from './schema.js';

export type SuppressionRow = Selectable<SuppressionsTable>;

export async function findSuppressions(db: DbOrTx, phoneIndex: string): Promise<SuppressionRow[]> {
  return db.selectFrom('suppressions').selectAll().where('phone_index', '=', phoneIndex).execute();
}

/** Bulk look-up for imports: blind index -> its suppressions. */
export async function findSuppressionsOf(
  db: DbOrTx,
  indexes: readonly string[],
): Promise<Map<string, SuppressionRow[]>> {
  const out = new Map<string, SuppressionRow[]>();
  for (let i = 0; i < indexes.length; i += 500) {
    const rows = await db
      .selectFrom('suppressions')
      .selectAll()
      .where('phone_index', 'in', indexes.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.phone_index, [...(out.get(r.phone_index) ?? []), r]);
  }
  return out;
}

/** Adds a suppression; an existing one for the same scope keeps its original reason and time. */
export async function addSuppression(db: DbOrTx, row: SuppressionRow): Promise<boolean> {
  const result = await db
    .insertInto('suppressions')
    .values(row)
    .onConflict((oc) => oc.columns(['phone_index', 'scope']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function removeSuppression(
  db: DbOrTx,
  phoneIndex: string,
  scope: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('suppressions')
    .where('phone_index', '=', phoneIndex)
    .where('scope', '=', scope)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listSuppressions(
  db: DbOrTx,
  opts: { reason?: string; scope?: string; limit: number; before?: string },
): Promise<SuppressionRow[]> {
  let q = db.selectFrom('suppressions').selectAll();
  if (opts.reason) q = q.where('reason', '=', opts.reason);
  if (opts.scope) q = q.where('scope', '=', opts.scope);
  if (opts.before) q = q.where('created_at', '<', opts.before);
  return q.orderBy('created_at', 'desc').limit(opts.limit).execute();
}
