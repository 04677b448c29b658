/**
 * What lets the campaign planner skip the frequency-cap look-up for a contact whose number has
 * no message anywhere near the cap window (bench/plan: that look-up, one probe of the messages
 * table per recipient, was most of planning's cost and grew with the table).
 *
 * A marker per number, an upper bound on its messages: every message to the number has
 * `not_before` at or before it, and `sent_at` at or before it or within a day of its own
 * `not_before`. So no message of the number lies after the marker plus a day; no marker: the
 * number has no message at all. Where it is kept:
 *
 * - `contacts.last_message_at` for a number that is a contact's when the message is written
 *   (every campaign message: found by the message's contact, a rowid look-up);
 * - `number_marks` for a number that is no contact's then (API sends to bare numbers): a contact
 *   created later for that number finds its mark there. No trigger on contacts' inserts: it
 *   doubled the import's cost per row (a statement journal for every inserted contact).
 *
 * Kept by triggers on messages, so no code path can forget it: an insert raises the marker; an
 * update only when `not_before` moves later (a deferral, a retry), the number changes, or the
 * message is sent more than a day after its `not_before`: an ordinary send does not touch it, so
 * the dispatcher pays one date comparison per message and nothing more. A contact given another
 * number takes that number's marker from its messages. The marker never moves back (a message
 * blocked, cancelled or erased leaves it): it may make the planner look when there is nothing to
 * find, never the other way round.
 */
import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './helpers.js';

/** The contact holding the message's number: its own contact when that holds it (a rowid probe). */
const HOLDER = sql`coalesce(
  (select c.id from contacts c where c.id = new.contact_id and c.phone_index = new.phone_index),
  (select c.id from contacts c where c.phone_index = new.phone_index))`;

/** The marker of all the messages to `number` (a contact renumbered; the backfill). */
function latestOfNumber(pg: boolean, number: 'new' | 'contacts') {
  const latest = sql.raw(pg ? 'greatest' : 'max');
  return sql`(select max(${latest}(m.not_before, coalesce(m.sent_at, m.not_before)))
    from messages m where m.phone_index = ${sql.ref(`${number}.phone_index`)})`;
}

const LATEST_SQLITE = sql`max(new.not_before, coalesce(new.sent_at, ''))`;

async function createSqliteTriggers(db: MigrationDb): Promise<void> {
  const raise = sql`update contacts set last_message_at =
      max(coalesce(last_message_at, ''), ${LATEST_SQLITE})
    where id = ${HOLDER};
    insert into number_marks (phone_index, last_message_at)
      select new.phone_index, ${LATEST_SQLITE} where ${HOLDER} is null
      on conflict (phone_index) do update
        set last_message_at = max(last_message_at, excluded.last_message_at)`;
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
  await sql`create trigger contacts_note_messages_renumber after update of phone_index on contacts
    when new.phone_index is not old.phone_index
    begin update contacts set last_message_at =
      nullif(max(coalesce(last_message_at, ''), coalesce(${latestOfNumber(false, 'new')}, '')), '')
    where id = new.id; end`.execute(db);
}

async function createPostgresTriggers(db: MigrationDb): Promise<void> {
  await sql`create function herald_note_message() returns trigger language plpgsql as $$
    declare
      holder integer;
      latest text := greatest(new.not_before, new.sent_at);
    begin
      if tg_op = 'UPDATE' and not (new.not_before > old.not_before
          or new.phone_index is distinct from old.phone_index
          or (new.sent_at is not null
            and new.sent_at::timestamptz > new.not_before::timestamptz + interval '1 day')) then
        return null;
      end if;
      holder := ${HOLDER};
      if holder is null then
        insert into number_marks (phone_index, last_message_at) values (new.phone_index, latest)
          on conflict (phone_index) do update
            set last_message_at = greatest(number_marks.last_message_at, excluded.last_message_at);
      else
        update contacts set last_message_at = greatest(last_message_at, latest) where id = holder;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger messages_note_insert after insert on messages
    for each row execute function herald_note_message()`.execute(db);
  await sql`create trigger messages_note_update
    after update of not_before, sent_at, phone_index on messages
    for each row execute function herald_note_message()`.execute(db);
  await sql`create function herald_note_contact_messages() returns trigger language plpgsql as $$
    begin
      if new.phone_index is not distinct from old.phone_index then
        return null;
      end if;
      update contacts set last_message_at =
          greatest(last_message_at, ${latestOfNumber(true, 'new')})
        where id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger contacts_note_messages_renumber after update of phone_index on contacts
    for each row execute function herald_note_contact_messages()`.execute(db);
}

export async function up(db: MigrationDb): Promise<void> {
  const pg = isPostgres(db);
  await db.schema.alterTable('contacts').addColumn('last_message_at', 'text').execute();
  await sql`update contacts set last_message_at = ${latestOfNumber(pg, 'contacts')}`.execute(db);
  await db.schema
    .createTable('number_marks')
    .addColumn('phone_index', 'text', (c) => c.primaryKey())
    .addColumn('last_message_at', 'text', (c) => c.notNull())
    .modifyEnd(pg ? sql`` : sql`without rowid`)
    .execute();
  const latest = sql.raw(pg ? 'greatest' : 'max');
  await sql`insert into number_marks (phone_index, last_message_at)
    select m.phone_index, max(${latest}(m.not_before, coalesce(m.sent_at, m.not_before)))
    from messages m
    where not exists (select 1 from contacts c where c.phone_index = m.phone_index)
    group by m.phone_index`.execute(db);
  if (pg) await createPostgresTriggers(db);
  else await createSqliteTriggers(db);
}

export async function down(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger contacts_note_messages_renumber on contacts`.execute(db);
    await sql`drop trigger messages_note_update on messages`.execute(db);
    await sql`drop trigger messages_note_insert on messages`.execute(db);
    await sql`drop function herald_note_contact_messages()`.execute(db);
    await sql`drop function herald_note_message()`.execute(db);
  } else {
    await sql`drop trigger contacts_note_messages_renumber`.execute(db);
    await sql`drop trigger messages_note_update`.execute(db);
    await sql`drop trigger messages_note_insert`.execute(db);
  }
  await db.schema.dropTable('number_marks').execute();
  await db.schema.alterTable('contacts').dropColumn('last_message_at').execute();
}
