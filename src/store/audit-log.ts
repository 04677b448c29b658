/**
 * The audit log table: append-only rows, each carrying the hash of the one before it. The chain
 * is sealed in src/security/audit.ts; this module stores and reads rows in order.
 */
import { sql, type Selectable } from 'kysely';
import type { Db, DbOrTx } from './database.js';
import type { AuditLogTable } from './schema.js';

export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;
export type AuditSeal = (seq: number, prevHash: string, row: NewAuditRow) => string;

/**
 * Appends one row. The transaction first updates the chain head: that write takes SQLite's write
 * lock or PostgreSQL's row lock, so two writers can never chain onto the same predecessor.
 */
export async function appendAuditRow(db: Db, row: NewAuditRow, seal: AuditSeal): Promise<AuditRow> {
  return db.transaction().execute(async (tx) => {
    const head = await tx
      .updateTable('audit_head')
      .set({ seq: sql`seq` })
      .where('id', '=', 1)
      .returning(['seq', 'hash'])
      .executeTakeFirstOrThrow();
    const seq = Number(head.seq) + 1;
    const full: AuditRow = { ...row, seq, prev_hash: head.hash, hash: seal(seq, head.hash, row) };
    await tx.insertInto('audit_log').values(full).execute();
    await tx.updateTable('audit_head').set({ seq, hash: full.hash }).where('id', '=', 1).execute();
    return full;
  });
}

export async function readAuditHead(db: DbOrTx): Promise<{ seq: number; hash: string }> {
  const head = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}

/** Reads rows in chain order, `limit` at a time after `afterSeq`. */
export async function readAuditRows(
  db: DbOrTx,
  opts: { afterSeq: number; limit: number },
): Promise<AuditRow[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', opts.afterSeq)
    .orderBy('seq')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export interface AuditQuery {
  readonly action?: string;
  readonly actor?: string;
  readonly since?: string;
  readonly until?: string;
  readonly beforeSeq?: number;
  readonly limit: number;
}

/** Newest first, for the API. */
export async function queryAuditRows(db: DbOrTx, q: AuditQuery): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.action) query = query.where('action', '=', q.action);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.since) query = query.where('at', '>=', q.since);
  if (q.until) query = query.where('at', '<', q.until);
  if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
  const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}
