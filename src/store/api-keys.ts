/** API keys for programs; only a hash of the secret is stored. */
import type { Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { ApiKeysTable } from './schema.js';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export async function insertApiKey(db: DbOrTx, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function findApiKey(db: DbOrTx, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listApiKeys(db: DbOrTx): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
}

export async function revokeApiKey(db: DbOrTx, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchApiKey(db: DbOrTx, id: string, now: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}

/**
 * Gives an active key a new secret; the old one stays valid until `previousUntil` (or not at
 * all when null). One statement, so two rotations at once cannot lose a secret half-way.
 * Returns the updated row, or undefined when the key is not active.
 */
export async function rotateApiKeySecret(
  db: DbOrTx,
  input: { id: string; secretHash: string; previousUntil: string | null; now: string },
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set((eb) => ({
      // The right-hand side reads the row as it was: the old secret becomes the previous one.
      previous_secret_hash: input.previousUntil === null ? null : eb.ref('secret_hash'),
      previous_secret_until: input.previousUntil,
      secret_hash: input.secretHash,
    }))
    .where('id', '=', input.id)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', input.now)]))
    .returningAll()
    .executeTakeFirst();
}
