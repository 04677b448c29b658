/**
 * `messages_phone (phone_index, created_at)` keeps only the messages that belong to no contact
 * (`where contact_id is null`): a contact's messages are found by number through their contact
 * (`messages_contact`). bench/plan: the random blind-index keys of that index were ~40 CPU-µs of
 * the ~120 a planned message cost at 200,000 (one dirty page per message written back at every
 * commit), and every campaign message belongs to a contact.
 *
 * A look-up by number (caps, erasure, export, the API's `?to=`) then reads the messages to the
 * number that belong to no contact, plus those of the contacts that may hold messages to it:
 * the contact holding the number now, and the contacts listed for it in `number_holders`. A pair
 * (number, contact) is listed there whenever a message is written for a contact that does not
 * hold the message's number at that moment, and when a contact's number changes (its old number
 * with it), so a contact's messages to a number it no longer holds stay findable by that number.
 * Kept by triggers; a planned message (its contact holds its number) writes nothing there. See
 * src/store/messages-of-number.ts.
 */
import { sql } from 'kysely';
import { isPostgres, type MigrationDb } from './helpers.js';

/** The messages to `number` (a reference to a row's phone_index), found through the indexes. */
function idsOfNumber(number: string, holder: string) {
  const n = sql.ref(number);
  return sql`select x.id from messages x where x.phone_index = ${n} and x.contact_id is null
    union all
    select x.id from messages x
      where x.contact_id in (select ${sql.ref(holder)}
        union select h.contact_id from number_holders h where h.phone_index = ${n})
        and x.phone_index = ${n}`;
}

function latestOfNumber(pg: boolean, full: boolean) {
  const latest = sql.raw(pg ? 'greatest' : 'max');
  const where = full
    ? sql`m.phone_index = new.phone_index`
    : sql`m.id in (${idsOfNumber('new.phone_index', 'new.id')})`;
  return sql`(select max(${latest}(m.not_before, coalesce(m.sent_at, m.not_before)))
    from messages m where ${where})`;
}

/** A message for a contact that does not hold its number (or no contact at all: nothing). */
const FOREIGN = sql`new.contact_id is not null and not exists
  (select 1 from contacts c where c.id = new.contact_id and c.phone_index = new.phone_index)`;

async function sqliteRenumberTrigger(db: MigrationDb, full: boolean): Promise<void> {
  await sql`drop trigger contacts_note_messages_renumber`.execute(db);
  await sql`create trigger contacts_note_messages_renumber after update of phone_index on contacts
    when new.phone_index is not old.phone_index
    begin update contacts set last_message_at =
      nullif(max(coalesce(last_message_at, ''), coalesce(${latestOfNumber(false, full)}, '')), '')
    where id = new.id; end`.execute(db);
}

async function postgresRenumberFunction(db: MigrationDb, full: boolean): Promise<void> {
  await sql`create or replace function herald_note_contact_messages() returns trigger
    language plpgsql as $$
    begin
      if new.phone_index is not distinct from old.phone_index then
        return null;
      end if;
      update contacts set last_message_at =
          greatest(last_message_at, ${latestOfNumber(true, full)})
        where id = new.id;
      return null;
    end $$`.execute(db);
}

export async function up(db: MigrationDb): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('number_holders')
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('number_holders_pk', ['phone_index', 'contact_id'])
    .modifyEnd(pg ? sql`` : sql`without rowid`)
    .execute();
  await sql`insert into number_holders (phone_index, contact_id)
    select distinct m.phone_index, m.contact_id from messages m
    where m.contact_id is not null and not exists
      (select 1 from contacts c where c.id = m.contact_id and c.phone_index = m.phone_index)`.execute(
    db,
  );
  if (pg) {
    await sql`create function herald_note_holder() returns trigger language plpgsql as $$
      begin
        if tg_table_name = 'contacts' then
          if new.phone_index is distinct from old.phone_index then
            insert into number_holders (phone_index, contact_id) values (old.phone_index, old.id)
              on conflict do nothing;
          end if;
        elsif ${FOREIGN} then
          insert into number_holders (phone_index, contact_id)
            values (new.phone_index, new.contact_id) on conflict do nothing;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger messages_note_holder
      after insert or update of contact_id, phone_index on messages
      for each row execute function herald_note_holder()`.execute(db);
    await sql`create trigger contacts_note_holder after update of phone_index on contacts
      for each row execute function herald_note_holder()`.execute(db);
    await postgresRenumberFunction(db, false);
  } else {
    const note = sql`insert into number_holders (phone_index, contact_id)
      values (new.phone_index, new.contact_id) on conflict do nothing`;
    await sql`create trigger messages_note_holder after insert on messages when ${FOREIGN}
      begin ${note}; end`.execute(db);
    await sql`create trigger messages_note_holder_update
      after update of contact_id, phone_index on messages when ${FOREIGN}
      begin ${note}; end`.execute(db);
    await sql`create trigger contacts_note_holder after update of phone_index on contacts
      when new.phone_index is not old.phone_index
      begin insert into number_holders (phone_index, contact_id) values (old.phone_index, old.id)
        on conflict do nothing; end`.execute(db);
    await sqliteRenumberTrigger(db, false);
  }
  await db.schema.dropIndex('messages_phone').execute();
  await db.schema
    .createIndex('messages_phone')
    .on('messages')
    .columns(['phone_index', 'created_at'])
    .where(sql.ref('contact_id'), 'is', null)
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  const pg = isPostgres(db);
  await db.schema.dropIndex('messages_phone').execute();
  await db.schema
    .createIndex('messages_phone')
    .on('messages')
    .columns(['phone_index', 'created_at'])
    .execute();
  if (pg) {
    await postgresRenumberFunction(db, true);
    await sql`drop trigger contacts_note_holder on contacts`.execute(db);
    await sql`drop trigger messages_note_holder on messages`.execute(db);
    await sql`drop function herald_note_holder()`.execute(db);
  } else {
    await sqliteRenumberTrigger(db, true);
    await sql`drop trigger contacts_note_holder`.execute(db);
    await sql`drop trigger messages_note_holder_update`.execute(db);
    await sql`drop trigger messages_note_holder`.execute(db);
  }
  await db.schema.dropTable('number_holders').execute();
}
