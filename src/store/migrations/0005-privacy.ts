/**
 * Privacy rights and behaviour events: an index so that a data-subject export or erasure finds a
 * contact's import report lines without scanning every import, and, on PostgreSQL, event amounts
 * as double precision (`real` is 4 bytes there: 99.99 would come back as 99.9899978637695; SQLite's
 * REAL is already 8 bytes).
 */
import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createIndex('import_rows_contact')
    .on('import_rows')
    .column('contact_id')
    .execute();
  if (isPostgres(db)) {
    await sql`alter table events alter column amount type double precision`.execute(db);
  }
}

export async function down(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) await sql`alter table events alter column amount type real`.execute(db);
  await db.schema.dropIndex('import_rows_contact').execute();
}
