/**
 * Sign-in hardening: failed sign-ins (for throttling per account and per address, and lock-out),
 * when a session was last used (idle expiry), and API-key expiry and rotation (the previous
 * secret keeps working until the end of a grace period).
 */
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('id', serialType(db), serialPk(db))
    // A keyed hash of the name as typed (lower-cased), whether or not such a user exists: the
    // lock-out must not tell which names are real, and someone who types a phone number as
    // their name must not leave it here in clear.
    .addColumn('name_hash', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_failures_name')
    .on('login_failures')
    .columns(['name_hash', 'at'])
    .execute();
  await db.schema
    .createIndex('login_failures_ip')
    .on('login_failures')
    .columns(['ip', 'at'])
    .execute();

  await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();

  await db.schema.alterTable('api_keys').addColumn('expires_at', 'text').execute();
  await db.schema.alterTable('api_keys').addColumn('previous_secret_hash', 'text').execute();
  await db.schema.alterTable('api_keys').addColumn('previous_secret_until', 'text').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('previous_secret_until').execute();
  await db.schema.alterTable('api_keys').dropColumn('previous_secret_hash').execute();
  await db.schema.alterTable('api_keys').dropColumn('expires_at').execute();
  await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
  await db.schema.dropTable('login_failures').execute();
}
