/**
 * Indexes on `messages` for columns a message gets only once it is on its way: the lease
 * (`lease_until`, while a worker holds it), the carrier's id (`carrier_message_id`, once
 * submitted) and the API's idempotency key (never, for a campaign's message) become partial,
 * `where <column> is not null`. Every query that reads them compares that column (`=`, `<`,
 * `in`), which both SQLite and PostgreSQL take as implying it is not null, so they keep using
 * them; a queued or blocked message no longer adds an entry to any of the three (bench/plan:
 * a million planned messages wrote three index entries each that no query could ever find).
 * The unique key on idempotency keys is unchanged: nulls never collided.
 */
import { sql } from 'kysely';
import type { MigrationDb } from './helpers.js';

const INDEXES = [
  { name: 'messages_lease', columns: ['status', 'lease_until'], key: 'lease_until', unique: false },
  {
    name: 'messages_carrier_id',
    columns: ['carrier', 'carrier_message_id'],
    key: 'carrier_message_id',
    unique: false,
  },
  {
    name: 'messages_idempotency',
    columns: ['idempotency_key'],
    key: 'idempotency_key',
    unique: true,
  },
] as const;

async function recreate(db: MigrationDb, partial: boolean): Promise<void> {
  for (const ix of INDEXES) {
    await db.schema.dropIndex(ix.name).execute();
    let create = db.schema
      .createIndex(ix.name)
      .on('messages')
      .columns([...ix.columns]);
    if (ix.unique) create = create.unique();
    if (partial) create = create.where(sql.ref(ix.key), 'is not', null);
    await create.execute();
  }
}

export async function up(db: MigrationDb): Promise<void> {
  await recreate(db, true);
}

export async function down(db: MigrationDb): Promise<void> {
  await recreate(db, false);
}
