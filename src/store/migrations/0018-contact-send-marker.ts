/**
 * What lets the campaign planner skip the frequency-cap look-up for a contact whose number has
 * no message anywhere near the cap window (bench/plan: that look-up, one probe of the messages
 * table per recipient, was most of planning's cost and grew with the table):
 *
 * `contacts.last_message_at`, an upper bound on the number's messages: every message to the
 * contact's number has `not_before` at or before it, and `sent_at` at or before it or within a
 * day of its own `not_before`. So no message of the number lies after `last_message_at` plus a
 * day; null: the number has no message at all. Kept by triggers, so no code path can forget it:
 *
 * - a message inserted: its `not_before` and `sent_at` raise the marker of the contact holding
 *   its number (found by the message's contact when that contact holds the number, a rowid
 *   look-up, else by blind index);
 * - a message updated: only when `not_before` moves later (a deferral, a retry), its number
 *   changes, or it is sent more than a day after its `not_before`. An ordinary send does not
 *   touch the contact, so the dispatcher pays one date comparison per message and nothing more;
 * - a contact inserted, or its number changed: the marker is computed from the number's messages
 *   (one index probe; nothing when the number has none), for messages written before the contact.
 *
 * The marker never moves back (a message blocked, cancelled or erased leaves it): it may only
 * make the planner look when there is nothing to find, never the other way round.
 */
import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './helpers.js';

/** The contact holding the message's number: its own contact when that holds it (a rowid probe). */
const HOLDER = sql`coalesce(
  (select c.id from contacts c where c.id = new.contact_id and c.phone_index = new.phone_index),
  (select c.id from contacts c where c.phone_index = new.phone_index))`;

/** The marker of all the messages to `number` (a contact inserted or renumbered; the backfill). */
function latestOfNumber(pg: boolean, number: 'new' | 'contacts') {
  const latest = sql.raw(pg ? 'greatest' : 'max');
  return sql`(select max(${latest}(m.not_before, coalesce(m.sent_at, m.not_before)))
    from messages m where m.phone_index = ${sql.ref(`${number}.phone_index`)})`;
}

async function createSqliteTriggers(db: MigrationDb): Promise<void> {
  const raise = sql`update contacts set last_message_at =
      max(coalesce(last_message_at, ''), new.not_before, coalesce(new.sent_at, ''))
    where id = ${HOLDER}`;
  await sql`create trigger messages_note_insert after insert on messages
    begin ${raise}; end`.execute(db);
  // julianday() is null for text that is not a date: then the trigger fires (conservative).
  await sql`create trigger messages_note_update
    after update of not_before, sent_at, phone_index on messages
    when new.not_before > old.not_before
      or new.phone_index is not old.phone_index
      or (new.sent_at is not null
        and coalesce(julianday(new.sent_at) <= julianday(new.not_before) + 1, 0) = 0)
    begin ${raise}; end`.execute(db);
  const compute = sql`update contacts set last_message_at =
      max(coalesce(last_message_at, ''), ${latestOfNumber(false, 'new')})
    where id = new.id`;
  await sql`create trigger contacts_note_messages_insert after insert on contacts
    when exists (select 1 from messages m where m.phone_index = new.phone_index)
    begin ${compute}; end`.execute(db);
  await sql`create trigger contacts_note_messages_renumber after update of phone_index on contacts
    when new.phone_index is not old.phone_index
      and exists (select 1 from messages m where m.phone_index = new.phone_index)
    begin ${compute}; end`.execute(db);
}

async function createPostgresTriggers(db: MigrationDb): Promise<void> {
  await sql`create function herald_note_message() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and not (new.not_before > old.not_before
          or new.phone_index is distinct from old.phone_index
          or (new.sent_at is not null
            and new.sent_at::timestamptz > new.not_before::timestamptz + interval '1 day')) then
        return null;
      end if;
      update contacts set last_message_at =
          greatest(last_message_at, new.not_before, new.sent_at)
        where id = ${HOLDER};
      return null;
    end $$`.execute(db);
  await sql`create trigger messages_note_insert after insert on messages
    for each row execute function herald_note_message()`.execute(db);
  await sql`create trigger messages_note_update
    after update of not_before, sent_at, phone_index on messages
    for each row execute function herald_note_message()`.execute(db);
  await sql`create function herald_note_contact_messages() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.phone_index is not distinct from old.phone_index then
        return null;
      end if;
      update contacts set last_message_at =
          greatest(last_message_at, ${latestOfNumber(true, 'new')})
        where id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger contacts_note_messages
    after insert or update of phone_index on contacts
    for each row execute function herald_note_contact_messages()`.execute(db);
}

export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('contacts').addColumn('last_message_at', 'text').execute();
  const pg = isPostgres(db);
  await sql`update contacts set last_message_at = ${latestOfNumber(pg, 'contacts')}`.execute(db);
  if (pg) await createPostgresTriggers(db);
  else await createSqliteTriggers(db);
}

export async function down(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger contacts_note_messages on contacts`.execute(db);
    await sql`drop trigger messages_note_update on messages`.execute(db);
    await sql`drop trigger messages_note_insert on messages`.execute(db);
    await sql`drop function herald_note_contact_messages()`.execute(db);
    await sql`drop function herald_note_message()`.execute(db);
  } else {
    await sql`drop trigger contacts_note_messages_renumber`.execute(db);
    await sql`drop trigger contacts_note_messages_insert`.execute(db);
    await sql`drop trigger messages_note_update`.execute(db);
    await sql`drop trigger messages_note_insert`.execute(db);
  }
  await db.schema.alterTable('contacts').dropColumn('last_message_at').execute();
}
