/**
 * What the console's inbox and dashboard read. Inbound messages keep the sender's number
 * encrypted (shown masked; erased with the contact; re-encrypted on key rotation) and what
 * Herald did with them (`action`, see INBOUND_ACTIONS). Indexes for the dashboard's windows:
 * messages by creation time, history rows by time (carrier errors of the last 24 h), and the
 * clicks and conversions of one message (the rates of a period's messages).
 */
import type { MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('inbound_messages').addColumn('phone_enc', 'text').execute();
  await db.schema.alterTable('inbound_messages').addColumn('action', 'text').execute();
  await db.schema
    .createIndex('inbound_messages_intent')
    .on('inbound_messages')
    .columns(['intent', 'id'])
    .execute();
  await db.schema.createIndex('messages_created').on('messages').column('created_at').execute();
  await db.schema.createIndex('message_events_at').on('message_events').column('at').execute();
  await db.schema
    .createIndex('short_links_message')
    .on('short_links')
    .column('message_id')
    .execute();
  await db.schema
    .createIndex('conversions_message')
    .on('conversions')
    .column('message_id')
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('conversions_message').execute();
  await db.schema.dropIndex('short_links_message').execute();
  await db.schema.dropIndex('message_events_at').execute();
  await db.schema.dropIndex('messages_created').execute();
  await db.schema.dropIndex('inbound_messages_intent').execute();
  await db.schema.alterTable('inbound_messages').dropColumn('action').execute();
  await db.schema.alterTable('inbound_messages').dropColumn('phone_enc').execute();
}
