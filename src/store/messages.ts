/**
 * The outbox: every outgoing SMS is a `messages` row before any carrier sees it. Workers claim
 * due rows with a lease (status `sending`, `lease_until`); PostgreSQL skips rows another worker
 * holds (`FOR UPDATE SKIP LOCKED`), SQLite has one writer and claims in one UPDATE ... RETURNING.
 * A decided message is `submitted` (handed to its carrier) under the same lease; a finished send
 * only lands if the claim it came from still holds, so a worker that lost its lease cannot
 * overwrite the outcome of the one that took over. Statuses: MESSAGE_STATUSES in
 * src/delivery/outbox.ts.
 */
import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import { isPostgres, type DbOrTx } from './database.js';
import type { MessagesTable } from './schema.js';
import { messagesOfNumbers } from './messages-of-number.js';

export type MessageRow = Selectable<MessagesTable>;
export type NewMessageRow = Omit<Insertable<MessagesTable>, 'id'>;
export type MessagePatch = Updateable<MessagesTable>;

export async function insertMessage(db: DbOrTx, row: NewMessageRow): Promise<MessageRow> {
  return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findMessage(db: DbOrTx, id: number): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Claims up to `limit` due messages for one worker until `leaseUntil`: queued or deferred ones
 * whose `not_before` has come; ones left in `sending` by a worker whose lease ran out (it died
 * before handing them to a carrier, so they are safe to take over whatever their purpose); and
 * non-marketing ones left in `submitted` (the carrier may have them: sent again under the same
 * idempotency reference). Each claim counts as an attempt.
 */
export async function claimDueMessages(
  db: DbOrTx,
  opts: { now: string; leaseUntil: string; limit: number },
): Promise<MessageRow[]> {
  const { now, limit } = opts;
  // Each kind of due message is its own arm, read in the order of its index and cut at `limit`:
  // `status = 'queued' and not_before <= ?` walks messages_due (status, not_before, id: SQLite's
  // rowid, PostgreSQL's third column since 0022) in (not_before, id) order and stops after
  // `limit` entries. One `where` joining the kinds with `or` made both databases gather every
  // due message and sort them all for each batch (the claims of a backlog of n messages cost
  // n²/limit rows read; PostgreSQL: 78 ms a claim at 100,000 queued, 0.8 ms this way).
  // PostgreSQL locks what each arm reads, skipping what another worker holds.
  const lock = isPostgres(db) ? sql`for update skip locked` : sql``;
  const arm = (alias: string, where: RawBuilder<unknown>) =>
    sql`select id, not_before from (select id, not_before from messages where ${where}
      order by not_before, id limit ${limit} ${lock}) as ${sql.raw(alias)}`;
  const { rows } = await sql<MessageRow>`
    update messages set status = 'sending', lease_until = ${opts.leaseUntil},
      attempts = attempts + 1
    where id in (
      select id from (
        ${arm('q', sql`status = 'queued' and not_before <= ${now}`)}
        union all
        ${arm('d', sql`status = 'deferred' and not_before <= ${now}`)}
        union all
        ${arm('s', sql`status = 'sending' and lease_until < ${now}`)}
        union all
        ${arm('m', sql`status = 'submitted' and lease_until < ${now} and purpose != 'marketing'`)}
      ) as due
      order by not_before, id limit ${limit})
    returning *`.execute(db);
  return rows.sort((a, b) => a.not_before.localeCompare(b.not_before) || a.id - b.id);
}

/**
 * Marketing messages handed to a carrier by a worker that lost its lease before it heard back:
 * the carrier may or may not have them, and a marketing message must never reach anyone twice,
 * so they end as `unknown` instead of being claimed again. Returns their ids.
 */
export async function abandonExpiredMarketing(
  db: DbOrTx,
  opts: { now: string },
): Promise<number[]> {
  let expired = db
    .selectFrom('messages')
    .select('id')
    .where('status', '=', 'submitted')
    .where('purpose', '=', 'marketing')
    .where('lease_until', '<', opts.now);
  // Workers running this at once each take the rows nobody else holds (no lock-order deadlock).
  if (isPostgres(db)) expired = expired.forUpdate().skipLocked();
  const rows = await db
    .updateTable('messages')
    .set({ status: 'unknown', error_code: 'lease_expired', lease_until: null })
    .where('id', 'in', expired)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Serialises the send decisions for one number across transactions, workers and machines, so a
 * frequency cap counted inside the transaction cannot be passed twice. PostgreSQL: a transaction
 * advisory lock on the blind index (a hash collision only serialises two numbers needlessly).
 * SQLite has a single writer: the caller's first statement must be a write (holdClaim), which
 * takes the database's write lock before anything is read.
 */
export async function lockNumber(tx: DbOrTx, phoneIndex: string): Promise<void> {
  if (isPostgres(tx)) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${phoneIndex}, 0))`.execute(tx);
  }
}

/**
 * Fences the hand-off of a marketing message against a concurrent opt-out: a share lock on the
 * contact's marketing consent row, which every revocation (STOP, the unsubscribe page, support)
 * rewrites. An opt-out committed first is seen by the reads that follow; one still running waits
 * until the hand-off's transaction ends. PostgreSQL only: SQLite's write lock (holdClaim) does it.
 */
export async function fenceOptOut(tx: DbOrTx, opts: { contactId: number }): Promise<void> {
  if (!isPostgres(tx)) return;
  await tx
    .selectFrom('contact_consents')
    .select('contact_id')
    .where('contact_id', '=', opts.contactId)
    .where('purpose', '=', 'marketing')
    .forShare()
    .execute();
}

/**
 * Inside a decision's transaction: true while the claim still holds (same lease, still
 * `sending`, or the status given). It writes the row (a no-op), which takes SQLite's write lock and PostgreSQL's row
 * lock, so an erasure or a takeover waits for the decision instead of racing it.
 */
export async function holdClaim(
  tx: DbOrTx,
  opts: { id: number; leaseUntil: string; status?: string },
): Promise<boolean> {
  const result = await tx
    .updateTable('messages')
    .set((eb) => ({ lease_until: eb.ref('lease_until') }))
    .where('id', '=', opts.id)
    .where('status', '=', opts.status ?? 'sending')
    .where('lease_until', '=', opts.leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records the outcome of a claim; false when the claim no longer holds (lease taken over). `from`
 * names the statuses the claim may be in (default: claimed or handed to the carrier).
 */
export async function finishClaim(
  db: DbOrTx,
  opts: {
    id: number;
    leaseUntil: string;
    patch: MessagePatch;
    from?: readonly string[];
    keepLease?: boolean;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ ...opts.patch, ...(opts.keepLease ? {} : { lease_until: null }) })
    .where('id', '=', opts.id)
    .where('status', 'in', opts.from ?? ['sending', 'submitted'])
    .where('lease_until', '=', opts.leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Send times of a number that count against caps at the moment of sending: messages already
 * handed to a carrier (`statuses`), the one being decided excluded. Messages still waiting in
 * the outbox do not count here; each is decided in its turn, under lockNumber.
 */
export async function handedSendTimes(
  db: DbOrTx,
  opts: { phoneIndex: string; since: string; excludeId: number; statuses: readonly string[] },
): Promise<{ purpose: string; kind: string; at: string }[]> {
  const rows = await db
    .selectFrom(messagesOfNumbers(db, [opts.phoneIndex], 'messages'))
    .select(['purpose', 'kind', 'sent_at'])
    .where('status', 'in', opts.statuses)
    .where('sent_at', '>=', opts.since)
    .where('id', '!=', opts.excludeId)
    .execute();
  return rows.map((r) => ({ purpose: r.purpose, kind: r.kind, at: r.sent_at! }));
}

export async function findMessageByIdempotencyKey(
  db: DbOrTx,
  key: string,
): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/** A permanent delivery failure of the contact's number, for the hygiene job to act on. */
export async function addHardBounce(db: DbOrTx, contactId: number): Promise<void> {
  await db
    .updateTable('contacts')
    .set((eb) => ({ hard_bounces: eb('hard_bounces', '+', 1) }))
    .where('id', '=', contactId)
    .execute();
}

export interface MessageFilter {
  readonly status?: string;
  readonly purpose?: string;
  readonly contactId?: number;
  readonly phoneIndex?: string;
  readonly campaignId?: number;
  /** The carrier that took (or last tried) it. */
  readonly carrier?: string;
  /** The error code: a decision reason (`no_consent`) or a carrier's code. */
  readonly reason?: string;
  /** Created at or after (ISO). */
  readonly since?: string;
  /** Created before (ISO). */
  readonly until?: string;
  /** Keyset: ids below this one (newest first). */
  readonly beforeId?: number;
  readonly limit: number;
}

/** Messages newest first, by keyset on the id. */
export async function listMessages(db: DbOrTx, f: MessageFilter): Promise<MessageRow[]> {
  // By number: the messages to it, through the indexes (messages-of-number.ts).
  let q = db
    .selectFrom(
      f.phoneIndex
        ? messagesOfNumbers(db, [f.phoneIndex], 'messages')
        : sql<MessageRow>`messages`.as('messages'),
    )
    .selectAll();
  if (f.status) q = q.where('status', '=', f.status);
  if (f.purpose) q = q.where('purpose', '=', f.purpose);
  if (f.contactId !== undefined) q = q.where('contact_id', '=', f.contactId);
  if (f.campaignId !== undefined) q = q.where('campaign_id', '=', f.campaignId);
  if (f.carrier) q = q.where('carrier', '=', f.carrier);
  if (f.reason) q = q.where('error_code', '=', f.reason);
  if (f.since) q = q.where('created_at', '>=', f.since);
  if (f.until) q = q.where('created_at', '<', f.until);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** Whether a message of this kind went (or is queued) to a number since `since`. */
export async function recentMessageExists(
  db: DbOrTx,
  opts: { phoneIndex: string; kind: string; since: string },
): Promise<boolean> {
  const row = await db
    .selectFrom(messagesOfNumbers(db, [opts.phoneIndex], 'messages'))
    .select('id')
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
    .selectFrom(messagesOfNumbers(db, [opts.phoneIndex], 'messages'))
    .selectAll()
    .orderBy('id')
    .limit(opts.limit ?? 100)
    .execute();
}
