/**
 * The history of a message: one row per status change (queued, deferred, submitted, sent,
 * delivered, ...), with the error code or decision reason and the carrier involved. Written in
 * the same transaction as the change of the message row itself, so the two never disagree.
 */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { MessageEventsTable } from './schema.js';

export type MessageEventRow = Selectable<MessageEventsTable>;
export type NewMessageEvent = Omit<Insertable<MessageEventsTable>, 'id'>;

// SQLite binds at most 32,766 variables per statement; 5 per row.
const CHUNK = 1000;

export async function insertMessageEvents(
  db: DbOrTx,
  rows: readonly NewMessageEvent[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('message_events')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

/** The history of one message, oldest first. */
export async function listMessageEvents(
  db: DbOrTx,
  opts: { messageId: number; limit?: number },
): Promise<MessageEventRow[]> {
  return db
    .selectFrom('message_events')
    .selectAll()
    .where('message_id', '=', opts.messageId)
    .orderBy('id')
    .limit(opts.limit ?? 200)
    .execute();
}
