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

/** Where a page of the list ended: the newest-first order is (created_at, phone_index, scope). */
export interface SuppressionPosition {
  readonly createdAt: string;
  readonly phoneIndex: string;
  readonly scope: string;
}

/**
 * Newest first. `after` continues behind a page's last row exactly, even when many rows share
 * its millisecond (an erasure run, an import of complaints); `before` is a plain time bound.
 */
export async function listSuppressions(
  db: DbOrTx,
  opts: {
    reason?: string;
    scope?: string;
    limit: number;
    before?: string;
    after?: SuppressionPosition;
  },
): Promise<SuppressionRow[]> {
  let q = db.selectFrom('suppressions').selectAll();
  if (opts.reason) q = q.where('reason', '=', opts.reason);
  if (opts.scope) q = q.where('scope', '=', opts.scope);
  if (opts.before) q = q.where('created_at', '<', opts.before);
  const after = opts.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([
          eb('created_at', '=', after.createdAt),
          eb.or([
            eb('phone_index', '<', after.phoneIndex),
            eb.and([eb('phone_index', '=', after.phoneIndex), eb('scope', '<', after.scope)]),
          ]),
        ]),
      ]),
    );
  }
  return q
    .orderBy('created_at', 'desc')
    .orderBy('phone_index', 'desc')
    .orderBy('scope', 'desc')
    .limit(opts.limit)
    .execute();
}
