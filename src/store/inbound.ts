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

/** Records what was done with an inbound message (an INBOUND_ACTIONS value). */
export async function setInboundAction(
  db: DbOrTx,
  opts: { id: number; action: string },
): Promise<void> {
  await db
    .updateTable('inbound_messages')
    .set({ action: opts.action })
    .where('id', '=', opts.id)
    .execute();
}

export interface InboundFilter {
  readonly intent?: string;
  readonly contactId?: number;
  /** Received at or after (ISO). */
  readonly since?: string;
  /** Received before (ISO). */
  readonly until?: string;
  /** Keyset: ids below this one (newest first). */
  readonly beforeId?: number;
  readonly limit: number;
}

/** Inbound messages newest first, by keyset on the id. */
export async function listInbound(db: DbOrTx, f: InboundFilter): Promise<InboundMessageRow[]> {
  let q = db.selectFrom('inbound_messages').selectAll();
  if (f.intent) q = q.where('intent', '=', f.intent);
  if (f.contactId !== undefined) q = q.where('contact_id', '=', f.contactId);
  if (f.since) q = q.where('received_at', '>=', f.since);
  if (f.until) q = q.where('received_at', '<', f.until);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}
