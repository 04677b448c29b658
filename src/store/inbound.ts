/** Inbound SMS: what people sent us, keyed by blind index; bodies are kept for the retention period. */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { InboundMessagesTable } from './schema.js';

export type InboundMessageRow = Selectable<InboundMessagesTable>;
export type NewInboundMessageRow = Omit<Insertable<InboundMessagesTable>, 'id'>;

export async function insertInboundMessage(
  db: DbOrTx,
  row: NewInboundMessageRow,
): Promise<InboundMessageRow> {
  return db.insertInto('inbound_messages').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The inbound message stored under a dedupe key, if any. */
export async function findInboundByDedupeKey(
  db: DbOrTx,
  opts: { dedupeKey: string },
): Promise<InboundMessageRow | undefined> {
  return db
    .selectFrom('inbound_messages')
    .selectAll()
    .where('dedupe_key', '=', opts.dedupeKey)
    .executeTakeFirst();
}

/** Inbound messages from one number, oldest first. */
export async function listInboundOf(
  db: DbOrTx,
  opts: { phoneIndex: string; limit?: number },
): Promise<InboundMessageRow[]> {
  return db
    .selectFrom('inbound_messages')
    .selectAll()
    .where('phone_index', '=', opts.phoneIndex)
    .orderBy('id')
    .limit(opts.limit ?? 100)
    .execute();
}
