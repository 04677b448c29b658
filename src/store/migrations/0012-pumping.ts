/**
 * SMS pumping defence: every send a stranger caused (a sign-up's confirmation, a one-time code),
 * allowed or blocked, with the keys its limits count by. Numbers only as their blind index and
 * their mask; the prefix and block of a number as keyed hashes too, plus its last digits (which
 * alone identify nobody) for the consecutive-number check. One guard row serialises the
 * check-and-record of concurrent sign-ups in every process (SQLite's write lock, PostgreSQL's
 * row lock), as audit_head does for the audit chain.
 */
import { sql } from 'kysely';
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('pumping_attempts')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull()) // 'allowed' | 'blocked'
    .addColumn('reason', 'text')
    .addColumn('ip', 'text')
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('prefix_index', 'text', (c) => c.notNull())
    .addColumn('block_index', 'text', (c) => c.notNull())
    .addColumn('tail', 'integer', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('masked_phone', 'text', (c) => c.notNull())
    .addColumn('cost', 'double precision', (c) => c.notNull().defaultTo(0))
    .execute();
  for (const column of ['phone_index', 'ip', 'prefix_index', 'block_index', 'country']) {
    await db.schema
      .createIndex(`pumping_attempts_${column}`)
      .on('pumping_attempts')
      .columns([column, 'at'])
      .execute();
  }
  await db.schema.createIndex('pumping_attempts_at').on('pumping_attempts').column('at').execute();
  await db.schema
    .createTable('pumping_guard')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('checks', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into pumping_guard (id, checks) values (1, 0)`.execute(db);
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('pumping_guard').execute();
  await db.schema.dropTable('pumping_attempts').execute();
}
