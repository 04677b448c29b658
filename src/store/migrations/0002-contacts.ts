/**
 * The phone-number database: contacts (number encrypted + blind index), the consent ledger and
 * its derived current state, consent texts, suppressions, sign-up forms and pending double
 * opt-ins, behaviour events, imports with their row-level report, and the message outbox and
 * inbound messages that double opt-in needs.
 */
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('contacts')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('phone_enc', 'text', (c) => c.notNull())
    .addColumn('phone_index', 'text', (c) => c.notNull().unique())
    .addColumn('country', 'text')
    .addColumn('number_type', 'text', (c) => c.notNull())
    .addColumn('zones', 'text', (c) => c.notNull()) // JSON array of IANA zones
    .addColumn('own_zone', 'text')
    .addColumn('carrier', 'text')
    .addColumn('place', 'text')
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull()) // active | invalid
    .addColumn('invalid_reason', 'text')
    .addColumn('birth_year', 'integer')
    .addColumn('age_band', 'text')
    .addColumn('city', 'text')
    .addColumn('region', 'text')
    .addColumn('gender', 'text')
    .addColumn('locale', 'text')
    .addColumn('tags', 'text', (c) => c.notNull()) // JSON array
    .addColumn('custom', 'text', (c) => c.notNull()) // JSON object, checked against attribute_definitions
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('import_id', 'integer')
    .addColumn('hard_bounces', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_engaged_at', 'text')
    .addColumn('repermission_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contacts_country').on('contacts').column('country').execute();
  await db.schema.createIndex('contacts_created_at').on('contacts').column('created_at').execute();

  await db.schema
    .createTable('attribute_definitions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('definition', 'text', (c) => c.notNull()) // JSON AttributeDefinition
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('consent_texts')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('consent_texts_key_version', ['key', 'version'])
    .execute();

  // Append-only: a row is never updated; erasure deletes a contact's rows with the contact.
  await db.schema
    .createTable('consent_events')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('contact_id', 'integer', (c) =>
      c.notNull().references('contacts.id').onDelete('cascade'),
    )
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull()) // grant | revoke
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('form_url', 'text')
    .addColumn('consent_text_id', 'integer', (c) => c.references('consent_texts.id'))
    .addColumn('consent_text_hash', 'text')
    .addColumn('evidence', 'text', (c) => c.notNull()) // JSON: anything else that proves it
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('consent_events_contact')
    .on('consent_events')
    .columns(['contact_id', 'purpose', 'id'])
    .execute();

  // The current state per purpose, derived from the ledger in the same transaction as each append.
  await db.schema
    .createTable('contact_consents')
    .addColumn('contact_id', 'integer', (c) =>
      c.notNull().references('contacts.id').onDelete('cascade'),
    )
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('granted', 'integer', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_consents_pk', ['contact_id', 'purpose'])
    .execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull()) // all | marketing
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('suppressions_pk', ['phone_index', 'scope'])
    .execute();

  await db.schema
    .createTable('forms')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('public_key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('consent_text_id', 'integer', (c) => c.notNull().references('consent_texts.id'))
    .addColumn('default_country', 'text')
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('pending_subscriptions')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text', (c) => c.notNull())
    .addColumn('form_id', 'integer', (c) => c.notNull().references('forms.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('form_url', 'text')
    .addColumn('locale', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | confirmed | expired
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('confirm_method', 'text')
    .execute();
  await db.schema
    .createIndex('pending_subscriptions_phone')
    .on('pending_subscriptions')
    .columns(['phone_index', 'status'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('contact_id', 'integer', (c) =>
      c.notNull().references('contacts.id').onDelete('cascade'),
    )
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('amount', 'real')
    .addColumn('currency', 'text')
    .addColumn('category', 'text')
    .addColumn('sku', 'text')
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_contact')
    .on('events')
    .columns(['contact_id', 'occurred_at'])
    .execute();
  await db.schema.createIndex('events_occurred').on('events').column('occurred_at').execute();

  await db.schema
    .createTable('imports')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_hash', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull()) // JSON: source, purpose, consent basis, mapping
    .addColumn('status', 'text', (c) => c.notNull()) // running | done | failed
    .addColumn('processed_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('counts', 'text', (c) => c.notNull()) // JSON outcome -> count
    .addColumn('error', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();

  await db.schema
    .createTable('import_rows')
    .addColumn('import_id', 'integer', (c) =>
      c.notNull().references('imports.id').onDelete('cascade'),
    )
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('contact_id', 'integer')
    .addColumn('masked_phone', 'text')
    .addPrimaryKeyConstraint('import_rows_pk', ['import_id', 'line'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('carrier', 'text')
    .addColumn('carrier_message_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('campaign_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('delivered_at', 'text')
    .execute();
  await db.schema
    .createIndex('messages_due')
    .on('messages')
    .columns(['status', 'not_before'])
    .execute();
  await db.schema
    .createIndex('messages_contact')
    .on('messages')
    .columns(['contact_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('messages_phone')
    .on('messages')
    .columns(['phone_index', 'created_at'])
    .execute();

  await db.schema
    .createTable('inbound_messages')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('intent', 'text', (c) => c.notNull())
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inbound_messages_phone')
    .on('inbound_messages')
    .columns(['phone_index', 'received_at'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    'inbound_messages',
    'messages',
    'import_rows',
    'imports',
    'events',
    'pending_subscriptions',
    'forms',
    'suppressions',
    'contact_consents',
    'consent_events',
    'consent_texts',
    'attribute_definitions',
    'contacts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
