/**
 * Pending double opt-ins. Every public sign-up leaves one row (also when nothing was sent, so
 * that the per-number limit counts the same for every number); the confirmation token is kept
 * only as its hash. At most one request per number is open at a time: a new one supersedes the
 * older, so a YES reply is never ambiguous. A closed request without consent loses its number.
 */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { PendingSubscriptionsTable } from './schema.js';

/**
 * `pending`: confirmation sent, waiting; `confirmed`: consent granted; `expired`: the window
 * passed; `superseded`: a newer request replaced it; `refused`: the number opted out or became
 * suppressed meanwhile; `skipped`: nothing was sent (suppressed or already subscribed).
 */
export const PENDING_STATUSES = [
  'pending',
  'confirmed',
  'expired',
  'superseded',
  'refused',
  'skipped',
] as const;
export type PendingStatus = (typeof PENDING_STATUSES)[number];
export type ClosedWithoutConsent = Exclude<PendingStatus, 'pending' | 'confirmed'>;

export type PendingSubscriptionRow = Selectable<PendingSubscriptionsTable>;
export type NewPendingSubscriptionRow = Omit<Insertable<PendingSubscriptionsTable>, 'id'>;

export async function insertPendingSubscription(
  db: DbOrTx,
  row: NewPendingSubscriptionRow,
): Promise<PendingSubscriptionRow> {
  return db
    .insertInto('pending_subscriptions')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Sign-up requests for a number since `since`, whatever became of them. */
export async function countRecentRequests(
  db: DbOrTx,
  opts: { phoneIndex: string; since: string },
): Promise<number> {
  const row = await db
    .selectFrom('pending_subscriptions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('phone_index', '=', opts.phoneIndex)
    .where('created_at', '>=', opts.since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The open request of a number at `now`, if any. */
export async function findOpenRequest(
  db: DbOrTx,
  opts: { phoneIndex: string; now: string },
): Promise<PendingSubscriptionRow | undefined> {
  return db
    .selectFrom('pending_subscriptions')
    .selectAll()
    .where('phone_index', '=', opts.phoneIndex)
    .where('status', '=', 'pending')
    .where('expires_at', '>', opts.now)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findRequestByTokenHash(
  db: DbOrTx,
  tokenHash: string,
): Promise<PendingSubscriptionRow | undefined> {
  return db
    .selectFrom('pending_subscriptions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Closes every open request of a number without consent; the number is dropped from them. */
export async function closeOpenRequests(
  db: DbOrTx,
  opts: { phoneIndex: string; status: ClosedWithoutConsent },
): Promise<number> {
  const result = await db
    .updateTable('pending_subscriptions')
    .set({ status: opts.status, phone_enc: null })
    .where('phone_index', '=', opts.phoneIndex)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Marks an open request confirmed. Only one caller wins (a reply and a click at the same time):
 * false when the request was no longer open or its window had passed.
 */
export async function markRequestConfirmed(
  db: DbOrTx,
  opts: { id: number; now: string; method: string },
): Promise<boolean> {
  const result = await db
    .updateTable('pending_subscriptions')
    .set({ status: 'confirmed', confirmed_at: opts.now, confirm_method: opts.method })
    .where('id', '=', opts.id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', opts.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Marks one request closed without consent (its number is dropped). */
export async function closeRequest(
  db: DbOrTx,
  opts: { id: number; status: ClosedWithoutConsent },
): Promise<void> {
  await db
    .updateTable('pending_subscriptions')
    .set({ status: opts.status, phone_enc: null })
    .where('id', '=', opts.id)
    .execute();
}

export async function setRequestMessage(
  db: DbOrTx,
  opts: { id: number; messageId: number },
): Promise<void> {
  await db
    .updateTable('pending_subscriptions')
    .set({ message_id: opts.messageId })
    .where('id', '=', opts.id)
    .execute();
}

/** Requests whose window passed by `now` become `expired` and lose their number. */
export async function expireRequests(db: DbOrTx, opts: { now: string }): Promise<number> {
  const result = await db
    .updateTable('pending_subscriptions')
    .set({ status: 'expired', phone_enc: null })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', opts.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The form of the newest request from a number (its brand signs replies to that number). */
export async function latestFormIdOf(db: DbOrTx, phoneIndex: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('pending_subscriptions')
    .select('form_id')
    .where('phone_index', '=', phoneIndex)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.form_id;
}
