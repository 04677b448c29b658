/**
 * Conversions (orders a shop reports back), each attributed to the campaign message whose link
 * the contact last clicked within the attribution window; one row per order id, so a retried
 * report lands once. Also: where a compliance report looks up opt-outs by time.
 */
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('conversions')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('order_id', 'text', (c) => c.notNull().unique())
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('value', 'real', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'integer')
    .addColumn('message_id', 'integer')
    .addColumn('variant', 'text')
    .addColumn('click_id', 'integer')
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversions_campaign')
    .on('conversions')
    .columns(['campaign_id', 'variant'])
    .execute();
  await db.schema
    .createIndex('conversions_occurred')
    .on('conversions')
    .column('occurred_at')
    .execute();
  await db.schema
    .createIndex('consent_events_at')
    .on('consent_events')
    .columns(['at', 'purpose', 'action'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('consent_events_at').execute();
  await db.schema.dropTable('conversions').execute();
}
