/**
 * The messages to a number, found through the indexes (migration 0020): `messages_phone` holds
 * only the messages that belong to no contact, so a contact's messages are read through
 * `messages_contact`, for the contact holding the number now and the contacts listed for it in
 * `number_holders` (those that wrote messages to it while not holding it, or held it once).
 * Every look-up of messages by number goes through here: `phone_index = ?` on `messages` alone
 * would read the whole table.
 *
 * SQLite has no statistics here (no ANALYZE), so each part names its index (`indexed by`): left
 * to itself it may read `contact_id is null` through `messages_contact` (every message that
 * belongs to no contact), or take `messages_due` for a status condition of the caller. Callers
 * select from the derived table and add their own conditions to it.
 */
import { sql, type AliasedRawBuilder } from 'kysely';
import { isPostgres, sqliteJsonValues, type DbOrTx } from './database.js';
import type { MessageRow } from './messages.js';

function inList(db: DbOrTx, column: string, values: readonly string[]) {
  return isPostgres(db)
    ? sql`${sql.ref(column)} = any(${[...values]}::text[])`
    : sql`${sql.ref(column)} in ${sqliteJsonValues(values)}`;
}

/**
 * The messages (every column) to one of `phoneIndexes`, and, when `contactId` is given, every
 * message of that contact whatever its number; each message once. Use as
 * `selectFrom(messagesOfNumbers(db, indexes).as('m'))`.
 */
export function messagesOfNumbers<A extends string>(
  db: DbOrTx,
  phoneIndexes: readonly string[],
  alias: A,
  contactId?: number,
): AliasedRawBuilder<MessageRow, A> {
  const pg = isPostgres(db);
  const by = (index: string) => sql.raw(pg ? '' : `indexed by ${index}`);
  const holders = sql`select hc.id from contacts hc where ${inList(db, 'hc.phone_index', phoneIndexes)}
    union select h.contact_id from number_holders h where ${inList(db, 'h.phone_index', phoneIndexes)}`;
  const parts = [
    sql`select * from messages x ${by('messages_phone')}
      where ${inList(db, 'x.phone_index', phoneIndexes)} and x.contact_id is null`,
    sql`select * from messages y ${by('messages_contact')}
      where y.contact_id in (${holders}) and ${inList(db, 'y.phone_index', phoneIndexes)}
        ${contactId === undefined ? sql`` : sql`and y.contact_id <> ${contactId}`}`,
  ];
  if (contactId !== undefined)
    parts.push(
      sql`select * from messages z ${by('messages_contact')} where z.contact_id = ${contactId}`,
    );
  return sql<MessageRow>`(${sql.join(parts, sql` union all `)})`.as(alias);
}
