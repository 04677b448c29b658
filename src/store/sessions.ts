/** Login sessions of people; the row id is the hash of the cookie's token. */
import type { Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { SessionsTable } from './schema.js';

export type SessionRow = Selectable<SessionsTable>;

export async function insertSession(db: DbOrTx, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findLiveSession(
  db: DbOrTx,
  id: string,
  now: string,
): Promise<SessionRow | undefined> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function deleteSession(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteSessionsOfUser(db: DbOrTx, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/** Removes expired sessions; returns how many. */
export async function deleteExpiredSessions(db: DbOrTx, now: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function touchSession(db: DbOrTx, id: string, now: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

/** Ends every session of a user; returns how many there were. */
export async function deleteAllSessionsOfUser(db: DbOrTx, userId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Ends every session of a user but one (the one changing the password); returns how many. */
export async function deleteOtherSessionsOfUser(
  db: DbOrTx,
  userId: number,
  keepId: string,
): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('id', '!=', keepId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Removes sessions unused since `cutoff` (idle expiry); returns how many. */
export async function deleteIdleSessions(db: DbOrTx, cutoff: string): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb(eb.fn.coalesce('last_seen_at', 'created_at'), '<', cutoff))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
