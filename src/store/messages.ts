/**
 * The outbox: every outgoing SMS is a `messages` row before any carrier sees it. Workers claim
 * due rows with a lease (status `sending`, `lease_until`); PostgreSQL skips rows another worker
 * holds (`FOR UPDATE SKIP LOCKED`), SQLite has one writer and claims in one UPDATE ... RETURNING.
 * A finished send only lands if the claim it came from still holds (same lease), so a worker that
 * lost its lease cannot overwrite the outcome of the one that took over.
 */
import { PostgresAdapter, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { MessagesTable } from './schema.js';

export type MessageRow = Selectable<MessagesTable>;
export type NewMessageRow = Omit<Insertable<MessagesTable>, 'id'>;
export type MessagePatch = Updateable<MessagesTable>;

function isPostgres(db: DbOrTx): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function insertMessage(db: DbOrTx, row: NewMessageRow): Promise<MessageRow> {
  return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findMessage(db: DbOrTx, id: number): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Claims up to `limit` due messages for one worker until `leaseUntil`: queued ones whose
 * `not_before` has come, and non-marketing ones left in `sending` by a worker whose lease ran
 * out (it crashed or hung). Each claim counts as an attempt.
 */
export async function claimDueMessages(
  db: DbOrTx,
  opts: { now: string; leaseUntil: string; limit: number },
): Promise<MessageRow[]> {
  let due = db
    .selectFrom('messages')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('not_before', '<=', opts.now)]),
        eb.and([
          eb('status', '=', 'sending'),
          eb('lease_until', '<', opts.now),
          eb('purpose', '!=', 'marketing'),
        ]),
      ]),
    )
    .orderBy('not_before')
    .orderBy('id')
    .limit(opts.limit);
  if (isPostgres(db)) due = due.forUpdate().skipLocked();
  const rows = await db
    .updateTable('messages')
    .set((eb) => ({
      status: 'sending',
      lease_until: opts.leaseUntil,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.not_before.localeCompare(b.not_before) || a.id - b.id);
}

/**
 * Marketing messages whose worker lost its lease: the carrier may or may not have taken them, and
 * a marketing message must never reach anyone twice, so they end as `unknown` instead of being
 * claimed again. Returns how many.
 */
export async function abandonExpiredMarketing(db: DbOrTx, opts: { now: string }): Promise<number> {
  const result = await db
    .updateTable('messages')
    .set({ status: 'unknown', error_code: 'lease_expired', lease_until: null })
    .where('status', '=', 'sending')
    .where('purpose', '=', 'marketing')
    .where('lease_until', '<', opts.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Records the outcome of a claim; false when the claim no longer holds (lease taken over). */
export async function finishClaim(
  db: DbOrTx,
  opts: { id: number; leaseUntil: string; patch: MessagePatch },
): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ ...opts.patch, lease_until: null })
    .where('id', '=', opts.id)
    .where('status', '=', 'sending')
    .where('lease_until', '=', opts.leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Whether a message of this kind went (or is queued) to a number since `since`. */
export async function recentMessageExists(
  db: DbOrTx,
  opts: { phoneIndex: string; kind: string; since: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('phone_index', '=', opts.phoneIndex)
    .where('kind', '=', opts.kind)
    .where('created_at', '>=', opts.since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Messages to one number, oldest first. */
export async function listMessagesOf(
  db: DbOrTx,
  opts: { phoneIndex: string; limit?: number },
): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('phone_index', '=', opts.phoneIndex)
    .orderBy('id')
    .limit(opts.limit ?? 100)
    .execute();
}
