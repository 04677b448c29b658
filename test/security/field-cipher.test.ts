import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldCipher, keyIdOf } from '../../src/security/field-cipher.js';
import { loadFieldCipher, rotateDataKey } from '../../src/security/keyring.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const cipher = new FieldCipher(new Map([['k1', randomBytes(32)]]), 'k1', randomBytes(32));

describe('FieldCipher', () => {
  it.each(['+8613800138000', '+14155550123', '张三', ''])('round-trips %j', (text) => {
    const ct = cipher.encrypt(text);
    expect(ct.startsWith('v1.k1.')).toBe(true);
    expect(ct).not.toContain(text || '\u0000');
    expect(cipher.decrypt(ct)).toBe(text);
  });

  it('uses a fresh IV: the same value never encrypts to the same text', () => {
    expect(cipher.encrypt('+8613800138000')).not.toBe(cipher.encrypt('+8613800138000'));
  });

  it('detects a changed ciphertext', () => {
    const ct = cipher.encrypt('+8613800138000');
    const last = ct.at(-2) === 'A' ? 'B' : 'A';
    const tampered = ct.slice(0, -2) + last + ct.slice(-1);
    expect(() => cipher.decrypt(tampered)).toThrow();
  });

  it('binds associated data', () => {
    const ct = cipher.encrypt('+8613800138000', 'contact:1');
    expect(() => cipher.decrypt(ct, 'contact:2')).toThrow();
  });

  it('gives a stable keyed blind index that differs per key', () => {
    const other = new FieldCipher(new Map([['k1', randomBytes(32)]]), 'k1', randomBytes(32));
    expect(cipher.blindIndex('+8613800138000')).toBe(cipher.blindIndex('+8613800138000'));
    expect(cipher.blindIndex('+8613800138000')).not.toBe(cipher.blindIndex('+8613800138001'));
    expect(other.blindIndex('+8613800138000')).not.toBe(cipher.blindIndex('+8613800138000'));
  });
});

describe.each(DIALECTS)('[%s] data keys', (dialect) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('creates one active key, reloads it, and refuses a wrong master key', async () => {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open();
    const master = randomBytes(32);
    const first = await loadFieldCipher(store.db, master);
    const again = await loadFieldCipher(store.db, master);
    expect(again.activeKeyId).toBe(first.activeKeyId);
    expect(again.decrypt(first.encrypt('+33612345678'))).toBe('+33612345678');
    await expect(loadFieldCipher(store.db, randomBytes(32))).rejects.toThrow(/not the key/);
    await store.destroy();
  });

  it('rotation re-encrypts every value in place under the new key', async () => {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open();
    const master = randomBytes(32);
    const before = await loadFieldCipher(store.db, master);
    await sql`create table scratch_secrets (id integer primary key, secret text)`.execute(store.db);
    const values = Array.from(
      { length: 1203 },
      (_, i) => `+861380013${String(i).padStart(4, '0')}`,
    );
    for (let i = 0; i < values.length; i += 200) {
      const chunk = values.slice(i, i + 200);
      await store.db
        .insertInto('scratch_secrets' as never)
        .values(chunk.map((v, j) => ({ id: i + j + 1, secret: before.encrypt(v) })) as never)
        .execute();
    }
    const outcome = await rotateDataKey(store.db, master, {
      now: new Date('2026-12-01T00:00:00Z'),
      columns: [{ table: 'scratch_secrets', idColumn: 'id', column: 'secret' }],
    });
    expect(outcome.previousKeyId).toBe(before.activeKeyId);
    expect(outcome.newKeyId).not.toBe(before.activeKeyId);
    expect(outcome.rewritten['scratch_secrets.secret']).toBe(values.length);
    const after = await loadFieldCipher(store.db, master);
    expect(after.activeKeyId).toBe(outcome.newKeyId);
    const rows = await sql<{
      id: number;
      secret: string;
    }>`select id, secret from scratch_secrets order by id`.execute(store.db);
    expect(rows.rows.every((r) => keyIdOf(r.secret) === outcome.newKeyId)).toBe(true);
    expect(rows.rows.map((r) => after.decrypt(r.secret))).toEqual(values);
    // A second rotation run right after finds nothing left under the old key.
    const again = await rotateDataKey(store.db, master, {
      now: new Date('2026-12-01T00:00:00Z'),
      columns: [{ table: 'scratch_secrets', idColumn: 'id', column: 'secret' }],
    });
    expect(again.newKeyId).not.toBe(outcome.newKeyId);
    expect(again.rewritten['scratch_secrets.secret']).toBe(values.length);
    await store.destroy();
  });
});
