/** Failed sign-ins, counted over a sliding window per user name and per address. */
import type { DbOrTx } from './database.js';

export async function insertLoginFailure(
  db: DbOrTx,
  row: { name_hash: string; ip: string | null; at: string },
): Promise<void> {
  await db.insertInto('login_failures').values(row).execute();
}

/** Failures since `since` for a user name, or for an address. */
export async function countLoginFailures(
  db: DbOrTx,
  by: { nameHash: string } | { ip: string },
  since: string,
): Promise<number> {
  let query = db
    .selectFrom('login_failures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('at', '>', since);
  query =
    'nameHash' in by ? query.where('name_hash', '=', by.nameHash) : query.where('ip', '=', by.ip);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Forgets a name's failures (after a successful sign-in, or when an admin resets the password). */
export async function clearLoginFailures(db: DbOrTx, nameHash: string): Promise<void> {
  await db.deleteFrom('login_failures').where('name_hash', '=', nameHash).execute();
}

export async function deleteLoginFailuresBefore(db: DbOrTx, before: string): Promise<number> {
  const result = await db.deleteFrom('login_failures').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
