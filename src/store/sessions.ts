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
