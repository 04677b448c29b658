/** Users of the console and the CLI. */
import type { DbOrTx } from './database.js';
import type { UsersTable } from './schema.js';
import type { Selectable } from 'kysely';

export type UserRow = Selectable<UsersTable>;

export async function insertUser(
  db: DbOrTx,
  user: { username: string; displayName: string; passwordHash: string; role: string; now: string },
): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      username: user.username,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      role: user.role,
      disabled: 0,
      created_at: user.now,
      updated_at: user.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserByName(db: DbOrTx, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUserById(db: DbOrTx, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: DbOrTx): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('id').execute();
}

export async function countUsers(db: DbOrTx): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateUser(
  db: DbOrTx,
  id: number,
  patch: {
    role?: string;
    disabled?: boolean;
    passwordHash?: string;
    displayName?: string;
    now: string;
  },
): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
      ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      updated_at: patch.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function touchLogin(db: DbOrTx, id: number, now: string): Promise<void> {
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', id).execute();
}
