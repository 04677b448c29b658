/**
 * Migration 0019: the lease, carrier-id and idempotency-key indexes on messages hold only rows
 * where that column is set. The lookups that need them still use them (a worker's claim, a
 * receipt found by the carrier's id, an API retry found by its idempotency key), and a second
 * message with the same idempotency key is still refused.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/schema.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const message = (over: Record<string, unknown>) => ({
  contact_id: null,
  phone_index: 'idx',
  purpose: 'transactional',
  kind: 'api',
  segments: 1,
  status: 'queued',
  not_before: '2030-01-01T00:00:00.000Z',
  created_at: '2030-01-01T00:00:00.000Z',
  ...over,
});

const LOOKUPS = {
  messages_lease: sql`select id from messages where status = 'sending' and lease_until < '2030'`,
  messages_carrier_id: sql`select id from messages where carrier = 'c' and carrier_message_id in ('a', 'b')`,
  messages_idempotency: sql`select id from messages where idempotency_key = 'k'`,
};

async function plan(db: Kysely<Database>, dialect: string, query: ReturnType<typeof sql>) {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ detail: string }>`explain query plan ${query}`.execute(db);
    return rows.map((r) => r.detail).join(' | ');
  }
  return db.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx);
    const { rows } = await sql<Record<string, string>>`explain ${query}`.execute(tx);
    return rows.map((r) => Object.values(r)[0]).join(' | ');
  });
}

describe.each(DIALECTS)('[%s] partial indexes on messages (migration 0019)', (dialect) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('keep serving the lookups that need them and still refuse a repeated idempotency key', async () => {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open();
    try {
      const db = store.db;
      await db
        .insertInto('messages')
        .values([message({}), message({}), message({ idempotency_key: 'k' })])
        .execute();
      await expect(
        db
          .insertInto('messages')
          .values(message({ idempotency_key: 'k' }))
          .execute(),
      ).rejects.toThrow(/unique|duplicate/i);
      for (const [index, query] of Object.entries(LOOKUPS)) {
        expect(await plan(db, dialect, query)).toContain(index);
      }
    } finally {
      await store.destroy();
    }
  });
});
