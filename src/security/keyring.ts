/**
 * Data keys: random AES-256 keys stored wrapped (AES-256-GCM) under a key derived from the
 * master key. `loadFieldCipher` unwraps them; `rotateDataKey` adds a new active key and
 * re-encrypts every registered encrypted column in place.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from '../store/database.js';
import {
  activateEncryptionKey,
  insertEncryptionKey,
  listEncryptionKeys,
  rewriteEncryptedColumn,
  type EncryptedColumn,
} from '../store/encryption-keys.js';
import { ENCRYPTED_COLUMNS } from '../store/encrypted-columns.js';
import { deriveKey } from './master-key.js';
import { FieldCipher } from './field-cipher.js';

function wrap(master: Buffer, keyId: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(master, 'key-wrap'), iv);
  cipher.setAAD(Buffer.from(keyId));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function unwrap(master: Buffer, keyId: string, wrapped: string): Buffer {
  const raw = Buffer.from(wrapped, 'base64');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    deriveKey(master, 'key-wrap'),
    raw.subarray(0, 12),
  );
  decipher.setAuthTag(raw.subarray(12, 28));
  decipher.setAAD(Buffer.from(keyId));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  } catch {
    throw new Error(
      `cannot unwrap data key ${keyId}: HERALD_MASTER_KEY is not the key this database was created with`,
    );
  }
}

function newKeyId(existing: readonly string[], now: Date): string {
  const base = `k${now.toISOString().slice(0, 10).replaceAll('-', '')}`;
  let id = base;
  for (let n = 2; existing.includes(id); n++) id = `${base}-${n}`;
  return id;
}

async function createDataKey(
  db: Db,
  master: Buffer,
  existing: readonly string[],
  now: Date,
): Promise<string> {
  const id = newKeyId(existing, now);
  await insertEncryptionKey(db, {
    id,
    wrapped_key: wrap(master, id, randomBytes(32)),
    status: 'pending',
    created_at: now.toISOString(),
    retired_at: null,
  });
  return id;
}

/** Loads every data key; creates the first one on a new database. */
export async function loadFieldCipher(
  db: Db,
  master: Buffer,
  now = new Date(),
): Promise<FieldCipher> {
  let rows = await listEncryptionKeys(db);
  if (!rows.some((r) => r.status === 'active')) {
    const id = await createDataKey(
      db,
      master,
      rows.map((r) => r.id),
      now,
    );
    await activateEncryptionKey(db, id, now.toISOString());
    rows = await listEncryptionKeys(db);
  }
  const keys = new Map(rows.map((r) => [r.id, unwrap(master, r.id, r.wrapped_key)] as const));
  const active = rows.find((r) => r.status === 'active')!;
  return new FieldCipher(keys, active.id, deriveKey(master, 'blind-index'));
}

export interface RotationOutcome {
  readonly previousKeyId: string;
  readonly newKeyId: string;
  readonly rewritten: Record<string, number>;
}

/**
 * Creates a new data key, makes it active and re-encrypts every encrypted column with it. Safe
 * to run while Herald serves: old values stay readable until they are rewritten, and a rotation
 * that stops half-way is finished by running it again (rows already under the new key are
 * skipped).
 */
export async function rotateDataKey(
  db: Db,
  master: Buffer,
  opts: { now?: Date; columns?: readonly EncryptedColumn[] } = {},
): Promise<RotationOutcome> {
  const now = opts.now ?? new Date();
  const before = await loadFieldCipher(db, master, now);
  const rows = await listEncryptionKeys(db);
  const id = await createDataKey(
    db,
    master,
    rows.map((r) => r.id),
    now,
  );
  await activateEncryptionKey(db, id, now.toISOString());
  const cipher = await loadFieldCipher(db, master, now);
  const rewritten: Record<string, number> = {};
  for (const column of opts.columns ?? ENCRYPTED_COLUMNS) {
    rewritten[`${column.table}.${column.column}`] = await rewriteEncryptedColumn(db, column, (ct) =>
      cipher.reencrypt(ct),
    );
  }
  return { previousKeyId: before.activeKeyId, newKeyId: id, rewritten };
}
