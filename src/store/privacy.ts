/**
 * Data-subject rights in the store: gather every row held on one number (export), destroy the
 * personal part of them (erasure), and the retention sweeps. A subject is its blind index plus,
 * when one exists, its contact id: messages, inbound messages and pending sign-ups are keyed by
 * the index and may exist without any contact.
 */
import { sql, SqliteAdapter, type Selectable } from 'kysely';
import { consentHistory } from './consents.js';
import { isPostgres, type Db, type DbOrTx } from './database.js';
import type {
  ConsentEventsTable,
  ContactConsentsTable,
  ContactsTable,
  EventsTable,
  ImportRowsTable,
  InboundMessagesTable,
  MessagesTable,
  PendingSubscriptionsTable,
  SuppressionsTable,
} from './schema.js';
import { addSuppression } from './suppressions.js';
import { messagesOfNumbers } from './messages-of-number.js';

/** What an erased message or inbound message keeps in place of its number's blind index. */
export const ERASED_INDEX = 'erased';

export interface SubjectKey {
  readonly phoneIndex: string;
  readonly contactId: number | null;
  /** The masked number, to find import report lines that were never linked to a contact. */
  readonly maskedPhone: string;
}

export interface SubjectRows {
  readonly contact: Selectable<ContactsTable> | undefined;
  readonly consentHistory: Selectable<ConsentEventsTable>[];
  readonly currentConsents: Selectable<ContactConsentsTable>[];
  readonly suppressions: Selectable<SuppressionsTable>[];
  readonly messages: Selectable<MessagesTable>[];
  readonly inboundMessages: Selectable<InboundMessagesTable>[];
  readonly events: Selectable<EventsTable>[];
  readonly importLines: (Selectable<ImportRowsTable> & {
    file_name: string;
    imported_at: string;
  })[];
  readonly pendingSubscriptions: Selectable<PendingSubscriptionsTable>[];
  /** Tracked links sent to the contact, one row per click (or one with no click). */
  readonly links: {
    code: string;
    target: string;
    campaign_id: number | null;
    created_at: string;
    clicked_at: string | null;
    is_bot: number | null;
  }[];
  /** Orders reported back for the contact (0015), with the campaign they were credited to. */
  readonly conversions: {
    order_id: string;
    value: number;
    currency: string;
    occurred_at: string;
    campaign_id: number | null;
  }[];
}

/** Every row held on a subject, each list oldest first. */
export async function loadSubjectRows(db: DbOrTx, key: SubjectKey): Promise<SubjectRows> {
  const id = key.contactId ?? -1;
  const contact = await db
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return {
    contact,
    consentHistory: await consentHistory(db, id),
    currentConsents: await db
      .selectFrom('contact_consents')
      .selectAll()
      .where('contact_id', '=', id)
      .orderBy('purpose')
      .execute(),
    suppressions: await db
      .selectFrom('suppressions')
      .selectAll()
      .where('phone_index', '=', key.phoneIndex)
      .orderBy('created_at')
      .execute(),
    messages: await db
      .selectFrom(messagesOfNumbers(db, [key.phoneIndex], 'messages', id))
      .selectAll()
      .orderBy('id')
      .execute(),
    inboundMessages: await db
      .selectFrom('inbound_messages')
      .selectAll()
      .where((eb) => eb.or([eb('phone_index', '=', key.phoneIndex), eb('contact_id', '=', id)]))
      .orderBy('id')
      .execute(),
    events: await db
      .selectFrom('events')
      .selectAll()
      .where('contact_id', '=', id)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute(),
    importLines: await db
      .selectFrom('import_rows')
      .innerJoin('imports', 'imports.id', 'import_rows.import_id')
      .selectAll('import_rows')
      .select(['imports.file_name as file_name', 'imports.created_at as imported_at'])
      // Lines linked to the contact, and unlinked lines (invalid, suppressed, refused) showing
      // the same masked number: a mask may match another person's line, which then only loses
      // its masked number on erasure, never anyone's contact data.
      .where((eb) =>
        eb.or([
          eb('import_rows.contact_id', '=', id),
          eb.and([
            eb('import_rows.contact_id', 'is', null),
            eb('import_rows.masked_phone', '=', key.maskedPhone),
          ]),
        ]),
      )
      .orderBy('import_rows.import_id')
      .orderBy('import_rows.line')
      .execute(),
    pendingSubscriptions: await db
      .selectFrom('pending_subscriptions')
      .selectAll()
      .where('phone_index', '=', key.phoneIndex)
      .orderBy('id')
      .execute(),
    links: await db
      .selectFrom('short_links as sl')
      .leftJoin('link_clicks as lc', 'lc.code', 'sl.code')
      .select([
        'sl.code',
        'sl.target',
        'sl.campaign_id',
        'sl.created_at',
        'lc.at as clicked_at',
        'lc.is_bot',
      ])
      .where('sl.contact_id', '=', id)
      .orderBy('sl.created_at')
      .orderBy('lc.at')
      .execute(),
    conversions: await db
      .selectFrom('conversions')
      .select(['order_id', 'value', 'currency', 'occurred_at', 'campaign_id'])
      .where('contact_id', '=', id)
      .orderBy('occurred_at')
      .orderBy('id')
      .execute(),
  };
}

export type ErasureCounts = {
  contacts: number;
  consentEvents: number;
  events: number;
  messages: number;
  messagesCancelled: number;
  inboundMessages: number;
  pendingSubscriptions: number;
  importLines: number;
  shortLinks: number;
  suppressionAdded: number;
};

// A message that has not left yet (MESSAGE_STATUSES in src/delivery/outbox.ts): waiting for its
// time (or paused with its campaign), or claimed by a dispatcher, which re-checks the row before it submits and finds no
// number left. Cancelled on erasure.
const UNSENT_STATUSES = ['queued', 'deferred', 'sending', 'paused'];

/**
 * Destroys the personal data of a subject inside the caller's transaction: the contact (its
 * consent ledger and events go with it by cascade), the number, body and contact link of every
 * message (which keep status, purpose, kind, campaign and times as anonymous aggregates), inbound
 * bodies, pending sign-ups and masked numbers in import reports. Only `suppression` stays keyed
 * by the blind index, so the number cannot come back for marketing.
 */
export async function eraseSubjectRows(
  tx: DbOrTx,
  key: SubjectKey,
  suppression: Selectable<SuppressionsTable>,
): Promise<ErasureCounts> {
  const id = key.contactId ?? -1;
  // The subject's messages: to the number (through the indexes, messages-of-number.ts) or the
  // contact's. Only `id in (...)` on the outer statement, so that SQLite (no statistics) reads
  // them by rowid rather than every unsent message through `messages_due`; PostgreSQL checks the
  // status there too, so a message a worker claims meanwhile is not cancelled under it.
  const subjects = (unsent: boolean) => {
    let q = tx.selectFrom(messagesOfNumbers(tx, [key.phoneIndex], 'm', id)).select('m.id');
    if (unsent) q = q.where('m.status', 'in', UNSENT_STATUSES);
    return q;
  };
  let cancel = tx
    .updateTable('messages')
    .set({ status: 'cancelled', error_code: 'erased', lease_until: null })
    .where('id', 'in', subjects(true));
  if (isPostgres(tx)) cancel = cancel.where('status', 'in', UNSENT_STATUSES);
  const cancelled = await cancel.executeTakeFirst();
  const messages = await tx
    .updateTable('messages')
    .set({
      contact_id: null,
      phone_index: ERASED_INDEX,
      phone_enc: null,
      body: null,
      // Template variables are whatever the caller filled in: names, codes, addresses.
      template: null,
      carrier_message_id: null,
    })
    .where('id', 'in', subjects(false))
    .executeTakeFirst();
  const inbound = await tx
    .updateTable('inbound_messages')
    .set({ contact_id: null, phone_index: ERASED_INDEX, phone_enc: null, body: null })
    .where((eb) => eb.or([eb('phone_index', '=', key.phoneIndex), eb('contact_id', '=', id)]))
    .executeTakeFirst();
  // The cap marker of a number that was no contact's (written by the trigger on messages).
  await tx.deleteFrom('number_marks').where('phone_index', '=', key.phoneIndex).execute();
  // The contacts listed as holding messages to the number (migration 0020).
  await tx.deleteFrom('number_holders').where('phone_index', '=', key.phoneIndex).execute();
  await tx.deleteFrom('number_holders').where('contact_id', '=', id).execute();
  const pending = await tx
    .deleteFrom('pending_subscriptions')
    .where('phone_index', '=', key.phoneIndex)
    .executeTakeFirst();
  const lines = await tx
    .updateTable('import_rows')
    .set({ contact_id: null, masked_phone: null })
    .where((eb) =>
      eb.or([
        eb('contact_id', '=', id),
        eb.and([eb('contact_id', 'is', null), eb('masked_phone', '=', key.maskedPhone)]),
      ]),
    )
    .executeTakeFirst();
  // Links and their clicks stay for campaign statistics, no longer attributed to anyone.
  const links = await tx
    .updateTable('short_links')
    .set({ contact_id: null })
    .where('contact_id', '=', id)
    .executeTakeFirst();
  const count = async (table: 'consent_events' | 'events') =>
    Number(
      (
        await tx
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('contact_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const consentEvents = await count('consent_events');
  const events = await count('events');
  const contacts = await tx.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
  const added = await addSuppression(tx, suppression);
  return {
    contacts: Number(contacts.numDeletedRows),
    consentEvents,
    events,
    messages: Number(messages.numUpdatedRows),
    messagesCancelled: Number(cancelled.numUpdatedRows),
    inboundMessages: Number(inbound.numUpdatedRows),
    pendingSubscriptions: Number(pending.numDeletedRows),
    importLines: Number(lines.numUpdatedRows),
    shortLinks: Number(links.numUpdatedRows),
    suppressionAdded: added ? 1 : 0,
  };
}

function isSqlite(db: DbOrTx): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * Runs `fn` so that what it deletes is gone from the file too. SQLite keeps deleted rows in
 * free pages and old page images in the WAL until they are reused: `secure_delete` zeroes freed
 * content, and a truncating checkpoint empties the WAL. (PostgreSQL keeps dead tuples until
 * VACUUM; autovacuum reclaims them, see docs/privacy.md.)
 */
export async function withSecureDelete<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  if (!isSqlite(db)) return fn();
  const before = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(db);
  const previous = Number(before.rows[0]?.secure_delete ?? 0);
  await sql`pragma secure_delete = 1`.execute(db);
  try {
    return await fn();
  } finally {
    await sql.raw(`pragma secure_delete = ${previous === 1 ? 1 : 0}`).execute(db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  }
}

/** Retention: clears up to `limit` outbound message bodies created before `before`. */
export async function clearMessageBodiesBefore(
  db: DbOrTx,
  opts: { readonly before: string; readonly limit: number },
): Promise<number> {
  const result = await db
    .updateTable('messages')
    .set({ body: null })
    .where(
      'id',
      'in',
      db
        .selectFrom('messages')
        .select('id')
        .where('body', 'is not', null)
        .where('created_at', '<', opts.before)
        .limit(opts.limit),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Retention: clears up to `limit` inbound message bodies received before `before`. */
export async function clearInboundBodiesBefore(
  db: DbOrTx,
  opts: { readonly before: string; readonly limit: number },
): Promise<number> {
  const result = await db
    .updateTable('inbound_messages')
    .set({ body: null })
    .where(
      'id',
      'in',
      db
        .selectFrom('inbound_messages')
        .select('id')
        .where('body', 'is not', null)
        .where('received_at', '<', opts.before)
        .limit(opts.limit),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
