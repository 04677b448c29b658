/**
 * The pumping ledger: one row per send a stranger caused, allowed or blocked, counted over
 * sliding windows by the pumping guard (src/abuse/pumping-guard.ts). The guard row serialises
 * check-and-record across processes.
 */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { PumpingAttemptsTable } from './schema.js';

export type PumpingAttemptRow = Selectable<PumpingAttemptsTable>;
export type NewPumpingAttemptRow = Omit<Insertable<PumpingAttemptsTable>, 'id'>;

/**
 * Takes the guard (SQLite's write lock, PostgreSQL's row lock) until the transaction ends, so the
 * counts read next cannot change under this check. Call first thing in the transaction.
 */
export async function takePumpingGuard(tx: DbOrTx): Promise<void> {
  await tx
    .updateTable('pumping_guard')
    .set((eb) => ({ checks: eb('checks', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

export async function insertPumpingAttempt(db: DbOrTx, row: NewPumpingAttemptRow): Promise<void> {
  await db.insertInto('pumping_attempts').values(row).execute();
}

type CountedKey = 'phone_index' | 'ip' | 'prefix_index' | 'country';

/** Allowed attempts with this key since `since`. */
export async function countAllowedAttempts(
  db: DbOrTx,
  opts: { column: CountedKey; value: string; since: string },
): Promise<number> {
  const row = await db
    .selectFrom('pumping_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(opts.column, '=', opts.value)
    .where('at', '>=', opts.since)
    .where('outcome', '=', 'allowed')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Last digits of the other numbers of a block that were allowed since `since`, each once. */
export async function recentBlockTails(
  db: DbOrTx,
  opts: { blockIndex: string; exceptPhoneIndex: string; since: string },
): Promise<number[]> {
  const rows = await db
    .selectFrom('pumping_attempts')
    .select('tail')
    .distinct()
    .where('block_index', '=', opts.blockIndex)
    .where('phone_index', '!=', opts.exceptPhoneIndex)
    .where('at', '>=', opts.since)
    .where('outcome', '=', 'allowed')
    .execute();
  return rows.map((r) => Number(r.tail));
}

/** What allowed attempts cost since `since`. */
export async function spentSince(db: DbOrTx, since: string): Promise<number> {
  const row = await db
    .selectFrom('pumping_attempts')
    .select((eb) => eb.fn.sum<number | null>('cost').as('spent'))
    .where('at', '>=', since)
    .where('outcome', '=', 'allowed')
    .executeTakeFirstOrThrow();
  return Number(row.spent ?? 0);
}

/** The newest blocked attempts first, older than `beforeId` when paging. */
export async function listBlockedAttempts(
  db: DbOrTx,
  opts: { limit: number; beforeId?: number; kind?: string; reason?: string },
): Promise<PumpingAttemptRow[]> {
  let q = db
    .selectFrom('pumping_attempts')
    .selectAll()
    .where('outcome', '=', 'blocked')
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.kind !== undefined) q = q.where('kind', '=', opts.kind);
  if (opts.reason !== undefined) q = q.where('reason', '=', opts.reason);
  return q.execute();
}

/** Blocked attempts per kind and reason (all processes; what the ledger still holds). */
export async function countBlockedByReason(
  db: DbOrTx,
): Promise<{ kind: string; reason: string; n: number }[]> {
  const rows = await db
    .selectFrom('pumping_attempts')
    .select(['kind', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('outcome', '=', 'blocked')
    .groupBy(['kind', 'reason'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, reason: r.reason ?? 'unknown', n: Number(r.n) }));
}

/** Deletes attempts older than `before` (nothing counts that far back). */
export async function prunePumpingAttempts(db: DbOrTx, before: string): Promise<number> {
  const r = await db.deleteFrom('pumping_attempts').where('at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
