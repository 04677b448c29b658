/**
 * The history of a message: one row per status change (queued, deferred, submitted, sent,
 * delivered, ...), with the error code or decision reason and the carrier involved. Written in
 * the same transaction as the change of the message row itself, so the two never disagree.
 */
import { sql, type Insertable, type Selectable } from 'kysely';
import { isPostgres, type DbOrTx } from './database.js';
import type { MessageEventsTable } from './schema.js';

export type MessageEventRow = Selectable<MessageEventsTable>;
export type NewMessageEvent = Omit<Insertable<MessageEventsTable>, 'id'>;

// SQLite binds at most 32,766 variables per statement; 5 per row.
const CHUNK = 1000;

export async function insertMessageEvents(
  db: DbOrTx,
  rows: readonly NewMessageEvent[],
): Promise<void> {
  if (rows.length === 0) return;
  if (!isPostgres(db)) {
    // SQLite: the rows as one JSON parameter, so the statement's text is the same whatever their
    // number (prepared once, not compiled and prepared again for every batch size), in order.
    const json = JSON.stringify(
      rows.map((r) => [r.message_id, r.at, r.status, r.detail ?? null, r.carrier ?? null]),
    );
    await sql`insert into message_events (message_id, at, status, detail, carrier)
      select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
      from json_each(${json}) order by key`.execute(db);
    return;
  }
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
