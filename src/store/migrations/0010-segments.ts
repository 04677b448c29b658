/**
 * Segments: saved segments (a name and a filter tree in normal form), and what lets a segment
 * count run over a million contacts in well under a second (see bench/segment.ts):
 *
 * - `contacts.last_purchase_at`, a per-contact aggregate: the time of the contact's latest
 *   purchase, kept by triggers on `events` (insert, and update of contact, type or time, as a
 *   merge of duplicates does), so no code path can forget it. It never moves back: an event
 *   deleted by retention leaves the fact that the person bought then. "Bought in the last 30
 *   days" reads it instead of millions of events.
 * - indexes: contacts by country, age band, status and last purchase; events by contact, type
 *   and time; inbound replies by contact.
 *
 * A later migration that rebuilds `events` on SQLite must create the triggers again.
 */
import { sql } from 'kysely';
import { isPostgres, serialPk, serialType, type MigrationDb } from './helpers.js';

const NOTE = sql`update contacts set last_purchase_at = new.occurred_at
  where id = new.contact_id and (last_purchase_at is null or last_purchase_at < new.occurred_at)`;

async function createTriggers(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) {
    await sql`create function herald_note_purchase() returns trigger language plpgsql as $$
      begin
        if new.type = 'purchase' then
          ${NOTE};
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger events_note_purchase
      after insert or update of contact_id, type, occurred_at on events
      for each row execute function herald_note_purchase()`.execute(db);
    return;
  }
  await sql`create trigger events_note_purchase_insert after insert on events
    when new.type = 'purchase' begin ${NOTE}; end`.execute(db);
  await sql`create trigger events_note_purchase_update
    after update of contact_id, type, occurred_at on events
    when new.type = 'purchase' begin ${NOTE}; end`.execute(db);
}

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('segments')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('filter', 'text', (c) => c.notNull()) // JSON SegmentFilter, normal form
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('contacts').addColumn('last_purchase_at', 'text').execute();
  await sql`update contacts set last_purchase_at = (select max(e.occurred_at) from events e
    where e.contact_id = contacts.id and e.type = 'purchase')`.execute(db);
  await createTriggers(db);

  await db.schema
    .createIndex('contacts_segment')
    .on('contacts')
    .columns(['country', 'age_band', 'status', 'last_purchase_at', 'birth_year', 'id'])
    .execute();
  await db.schema
    .createIndex('events_contact_type')
    .on('events')
    .columns(['contact_id', 'type', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('inbound_messages_contact')
    .on('inbound_messages')
    .columns(['contact_id', 'received_at'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('inbound_messages_contact').execute();
  await db.schema.dropIndex('events_contact_type').execute();
  await db.schema.dropIndex('contacts_segment').execute();
  if (isPostgres(db)) {
    await sql`drop trigger events_note_purchase on events`.execute(db);
    await sql`drop function herald_note_purchase()`.execute(db);
  } else {
    await sql`drop trigger events_note_purchase_insert`.execute(db);
    await sql`drop trigger events_note_purchase_update`.execute(db);
  }
  await db.schema.alterTable('contacts').dropColumn('last_purchase_at').execute();
  await db.schema.dropTable('segments').execute();
}
