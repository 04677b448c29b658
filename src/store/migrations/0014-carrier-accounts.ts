/**
 * Carrier accounts configured by an admin (`/v1/carriers`): the settings in clear, every secret
 * (auth tokens, API secrets, SMPP passwords, callback tokens) in one field-encrypted JSON object.
 * And the key that makes an inbound SMS delivered twice (a carrier's retry, a replayed callback)
 * land once: the carrier's own message id, or a keyed hash where the carrier gives none.
 */
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('carrier_accounts')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('settings', 'text', (c) => c.notNull()) // JSON, no secrets
    .addColumn('secrets_enc', 'text', (c) => c.notNull()) // field-encrypted JSON object
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('inbound_messages').addColumn('dedupe_key', 'text').execute();
  // NULLs do not collide (both dialects): messages without a key are never taken for repeats.
  await db.schema
    .createIndex('inbound_messages_dedupe_key')
    .on('inbound_messages')
    .column('dedupe_key')
    .unique()
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('inbound_messages_dedupe_key').execute();
  await db.schema.alterTable('inbound_messages').dropColumn('dedupe_key').execute();
  await db.schema.dropTable('carrier_accounts').execute();
}
