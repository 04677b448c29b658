/**
 * Delivery, receipts and the Messages API: a history row per status change of a message
 * (`message_events`), the columns the dispatcher needs to decide and route a message on its own
 * (destination country, sender, brand, a pinned carrier, the carrier template), the latest send
 * decision, an idempotency key for API callers, and the indexes receipts (carrier + carrier id)
 * and the API's lists look messages up by.
 */
import { serialPk, serialType, type MigrationDb } from './helpers.js';

const MESSAGE_COLUMNS = [
  'country',
  'sender',
  'brand',
  'pinned_carrier',
  // JSON { key, variables }: the Herald template a template-only carrier maps to its own id.
  'template',
  // JSON { action, reason?, until? }: the latest send decision (at enqueue, then at dispatch).
  'decision',
  // sha256 of the caller and its Idempotency-Key; unique. With the hash of the request body.
  'idempotency_key',
  'request_hash',
] as const;

export async function up(db: MigrationDb): Promise<void> {
  for (const column of MESSAGE_COLUMNS) {
    await db.schema.alterTable('messages').addColumn(column, 'text').execute();
  }
  await db.schema
    .createIndex('messages_carrier_id')
    .on('messages')
    .columns(['carrier', 'carrier_message_id'])
    .execute();
  await db.schema
    .createIndex('messages_idempotency')
    .on('messages')
    .column('idempotency_key')
    .unique()
    .execute();
  await db.schema
    .createTable('message_events')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('message_id', 'integer', (c) =>
      c.notNull().references('messages.id').onDelete('cascade'),
    )
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // An error code or a decision reason; never personal data.
    .addColumn('detail', 'text')
    .addColumn('carrier', 'text')
    .execute();
  await db.schema
    .createIndex('message_events_message')
    .on('message_events')
    .columns(['message_id', 'id'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('message_events').execute();
  await db.schema.dropIndex('messages_idempotency').execute();
  await db.schema.dropIndex('messages_carrier_id').execute();
  for (const column of MESSAGE_COLUMNS) {
    await db.schema.alterTable('messages').dropColumn(column).execute();
  }
}
