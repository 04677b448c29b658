/**
 * Receipts that matched no message yet (table 0016): written in the receipt's own transaction,
 * read back when the dispatcher writes carrier ids and by the worker's sweep, deleted once
 * applied or too old. PostgreSQL readers lock what they take and skip what another transaction
 * holds, so two workers never wait on each other for the same held receipt.
 */
import { sql, type Selectable } from 'kysely';
import { isPostgres, sqliteJsonValues, type DbOrTx } from './database.js';
import type { HeldReceiptsTable } from './schema.js';

export type HeldReceiptRow = Selectable<HeldReceiptsTable>;
export type NewHeldReceipt = Omit<HeldReceiptRow, 'id'>;

// SQLite binds at most 32,766 variables per statement; 8 columns a row.
const CHUNK = 500;

/**
 * PostgreSQL: transaction advisory locks on carrier ids, in key order, taken first thing (before
 * any row is read or written, so that they never join a lock cycle) by both a transaction that
 * records receipts and the dispatcher's transaction that writes the ids. Whichever comes second
 * waits for the other's commit and then sees it (READ COMMITTED: each statement sees what
 * committed before it): a receipt is never held for an id whose writer has already looked.
 * Returns false where no lock is needed (SQLite: one writer at a time).
 */
export async function lockCarrierIds(
  db: DbOrTx,
  ids: readonly { readonly carrier: string; readonly carrierMessageId: string }[],
): Promise<boolean> {
  if (!isPostgres(db)) return false;
  if (ids.length === 0) return true;
  const keys = ids.map((i) => `receipt:${i.carrier}:${i.carrierMessageId}`);
  await sql`select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended(x, 0) as k from unnest(${keys}::text[]) as x
    ) as keys order by k`.execute(db);
  return true;
}

/** Keeps receipts; one that is already held (same carrier, id and status) is not kept twice. */
export async function holdReceipts(db: DbOrTx, rows: readonly NewHeldReceipt[]): Promise<void> {
  for (let at = 0; at < rows.length; at += CHUNK) {
    await db
      .insertInto('held_receipts')
      .values(rows.slice(at, at + CHUNK))
      .onConflict((oc) => oc.columns(['carrier', 'carrier_message_id', 'status']).doNothing())
      .execute();
  }
}

/** The held receipts for these ids of one carrier, oldest first (PostgreSQL: locked, skipping). */
export async function takeHeldReceiptsFor(
  db: DbOrTx,
  opts: { carrier: string; carrierMessageIds: readonly string[] },
): Promise<HeldReceiptRow[]> {
  const rows: HeldReceiptRow[] = [];
  if (!isPostgres(db)) {
    // SQLite: the ids as one JSON parameter (one statement text for every number of ids).
    if (opts.carrierMessageIds.length === 0) return rows;
    return db
      .selectFrom('held_receipts')
      .selectAll()
      .where('carrier', '=', opts.carrier)
      .where('carrier_message_id', 'in', sqliteJsonValues(opts.carrierMessageIds))
      .orderBy('id')
      .execute();
  }
  for (let at = 0; at < opts.carrierMessageIds.length; at += 1000) {
    let q = db
      .selectFrom('held_receipts')
      .selectAll()
      .where('carrier', '=', opts.carrier)
      .where('carrier_message_id', 'in', opts.carrierMessageIds.slice(at, at + 1000));
    if (isPostgres(db)) q = q.forUpdate().skipLocked();
    rows.push(...(await q.execute()));
  }
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * Up to `limit` held receipts whose message now exists (its carrier id was written after the
 * receipt was held), oldest first (PostgreSQL: locked, skipping those another sweep holds).
 */
export async function takeMatchedHeldReceipts(
  db: DbOrTx,
  opts: { limit: number },
): Promise<HeldReceiptRow[]> {
  let q = db
    .selectFrom('held_receipts as h')
    .selectAll('h')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('messages as m')
          .select('m.id')
          .whereRef('m.carrier', '=', 'h.carrier')
          .whereRef('m.carrier_message_id', '=', 'h.carrier_message_id'),
      ),
    )
    .orderBy('h.id')
    .limit(opts.limit);
  if (isPostgres(db)) q = q.forUpdate().skipLocked();
  return q.execute();
}

export async function deleteHeldReceipts(db: DbOrTx, ids: readonly number[]): Promise<void> {
  for (let at = 0; at < ids.length; at += 1000) {
    await db
      .deleteFrom('held_receipts')
      .where('id', 'in', ids.slice(at, at + 1000))
      .execute();
  }
}

/**
 * Deletes up to `limit` receipts held since before `before` (PostgreSQL: skipping those another
 * transaction holds); returns how many went, per carrier.
 */
export async function dropHeldReceiptsBefore(
  db: DbOrTx,
  opts: { before: string; limit: number },
): Promise<Map<string, number>> {
  let expired = db
    .selectFrom('held_receipts')
    .select('id')
    .where('received_at', '<', opts.before)
    .limit(opts.limit);
  if (isPostgres(db)) expired = expired.forUpdate().skipLocked();
  const gone = await db
    .deleteFrom('held_receipts')
    .where('id', 'in', expired)
    .returning('carrier')
    .execute();
  const byCarrier = new Map<string, number>();
  for (const { carrier } of gone) byCarrier.set(carrier, (byCarrier.get(carrier) ?? 0) + 1);
  return byCarrier;
}

/** Adds to the tally of receipts dropped unmatched (read by /metrics). */
export async function countReceiptDrops(
  db: DbOrTx,
  byCarrier: ReadonlyMap<string, number>,
): Promise<void> {
  for (const [carrier, n] of byCarrier) {
    await db
      .insertInto('receipt_drops')
      .values({ carrier, dropped: n })
      .onConflict((oc) =>
        oc.column('carrier').doUpdateSet((eb) => ({
          dropped: eb('receipt_drops.dropped', '+', eb.ref('excluded.dropped')),
        })),
      )
      .execute();
  }
}

/** Receipts dropped unmatched so far, per carrier (every process's). */
export async function receiptDrops(db: DbOrTx): Promise<{ carrier: string; dropped: number }[]> {
  return db.selectFrom('receipt_drops').select(['carrier', 'dropped']).execute();
}

/** Receipts held now, per carrier. */
export async function heldReceiptCounts(db: DbOrTx): Promise<{ carrier: string; held: number }[]> {
  const rows = await db
    .selectFrom('held_receipts')
    .select((eb) => ['carrier', eb.fn.countAll<number | string>().as('held')])
    .groupBy('carrier')
    .execute();
  return rows.map((r) => ({ carrier: r.carrier, held: Number(r.held) }));
}
