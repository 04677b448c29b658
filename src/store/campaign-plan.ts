/**
 * What the campaign planner reads and writes, a batch at a time: the next contacts of the
 * audience after the checkpoint (keyset on the contact id), the facts the send decision needs
 * for all of them in a few queries (consents, suppressions, the sends already reserved for
 * their numbers), their engagement for the send-time model, and the messages it writes with the
 * checkpoint that moves in the same transaction.
 */
import type { Statement } from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { ContactRow } from './contacts.js';
import type { ContactConsentRow } from './consents.js';
import { isPostgres, type DbOrTx, type Store } from './database.js';
import { COUNTING_STATUSES } from './decision-inputs.js';
import type { MessagesTable } from './schema.js';
import { segmentPredicate, type ResolvedSegment } from './segments.js';
import { messagesOfNumbers } from './messages-of-number.js';

/** A contact of the audience (the number stays encrypted). */
export type PlanContact = ContactRow;

/**
 * The next `limit` contacts of the audience after `afterId`, in id order. PostgreSQL: their rows
 * are locked until the transaction ends, so two campaigns planning the same people at the same
 * moment take turns and each sees the other's reservations (SQLite: the caller holds the write
 * lock already).
 */
export async function nextAudienceBatch(
  tx: DbOrTx,
  segment: ResolvedSegment,
  opts: { now: Date; afterId: number; limit: number },
): Promise<PlanContact[]> {
  let q = tx
    .selectFrom('contacts as c')
    .selectAll('c')
    .where(segmentPredicate(tx, segment, { now: opts.now }))
    .where('c.id', '>', opts.afterId)
    .orderBy('c.id')
    .limit(opts.limit);
  if (isPostgres(tx)) q = q.forUpdate();
  return q.execute();
}

const CHUNK = 900;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function consentsOfContacts(
  db: DbOrTx,
  contactIds: readonly number[],
): Promise<Map<number, ContactConsentRow[]>> {
  const out = new Map<number, ContactConsentRow[]>();
  for (const ids of chunks(contactIds)) {
    const rows = await db
      .selectFrom('contact_consents')
      .selectAll()
      .where('contact_id', 'in', ids)
      .execute();
    for (const r of rows) {
      const list = out.get(r.contact_id);
      if (list) list.push(r);
      else out.set(r.contact_id, [r]);
    }
  }
  return out;
}

export interface ReservedSend {
  readonly purpose: string;
  readonly kind: string;
  readonly at: string;
}

// Migration 0018: no message lies after a number's marker plus this much.
const MARKER_SLACK_MS = 86_400_000;

/**
 * The contacts whose numbers may have sends since `since`: for the others, the markers kept by
 * triggers (migration 0018: `contacts.last_message_at`, and `number_marks` for messages written
 * while the number was no contact's) prove there are none, and the messages table need not be
 * read. A campaign to people with no recent message (most of a large one) reads only the marks.
 */
export async function mayHaveSendsSince<
  C extends Pick<PlanContact, 'last_message_at' | 'phone_index'>,
>(db: DbOrTx, contacts: readonly C[], since: string): Promise<C[]> {
  const marks = new Map<string, string>();
  for (const part of chunks(contacts.map((c) => c.phone_index))) {
    const rows = await db
      .selectFrom('number_marks')
      .select(['phone_index', 'last_message_at'])
      .where('phone_index', 'in', part)
      .execute();
    for (const r of rows) marks.set(r.phone_index, r.last_message_at);
  }
  const bound = new Date(Date.parse(since) - MARKER_SLACK_MS).toISOString();
  return contacts.filter((c) => {
    const mark = marks.get(c.phone_index);
    return (
      (c.last_message_at !== null && c.last_message_at >= bound) ||
      (mark !== undefined && mark >= bound)
    );
  });
}

/** Sends that count against caps per number: handed, on their way, or reserved (queued). */
export async function reservedSendsOf(
  db: DbOrTx,
  opts: { phoneIndexes: readonly string[]; since: string },
): Promise<Map<string, ReservedSend[]>> {
  const out = new Map<string, ReservedSend[]>();
  for (const indexes of chunks(opts.phoneIndexes)) {
    const rows = await db
      .selectFrom(messagesOfNumbers(db, indexes, 'messages'))
      .select(['phone_index', 'purpose', 'kind', 'sent_at', 'not_before'])
      .where('status', 'in', COUNTING_STATUSES)
      .where((eb) => eb.or([eb('sent_at', '>=', opts.since), eb('not_before', '>=', opts.since)]))
      .execute();
    for (const r of rows) {
      const send = { purpose: r.purpose, kind: r.kind, at: r.sent_at ?? r.not_before };
      const list = out.get(r.phone_index);
      if (list) list.push(send);
      else out.set(r.phone_index, [send]);
    }
  }
  return out;
}

/** Engagement instants (human clicks and replies other than opt-outs) per contact since `since`. */
export async function engagementOf(
  db: DbOrTx,
  opts: { contactIds: readonly number[]; since: string },
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  const add = (id: number | null, at: string) => {
    if (id === null) return;
    const list = out.get(id);
    if (list) list.push(at);
    else out.set(id, [at]);
  };
  for (const ids of chunks(opts.contactIds)) {
    const clicks = await db
      .selectFrom('link_clicks as lc')
      .innerJoin('short_links as sl', 'sl.code', 'lc.code')
      .select(['sl.contact_id', 'lc.at'])
      .where('sl.contact_id', 'in', ids)
      .where('lc.is_bot', '=', 0)
      .where('lc.at', '>=', opts.since)
      .execute();
    for (const c of clicks) add(c.contact_id, c.at);
    const replies = await db
      .selectFrom('inbound_messages')
      .select(['contact_id', 'received_at'])
      .where('contact_id', 'in', ids)
      .where('intent', '!=', 'opt_out')
      .where('received_at', '>=', opts.since)
      .execute();
    for (const r of replies) add(r.contact_id, r.received_at);
  }
  return out;
}

/**
 * A sample of the audience's engagement (instants with the contact's zones) for the prior of
 * the send-time model: the segment's own behaviour.
 */
export async function audienceEngagement(
  db: DbOrTx,
  segment: ResolvedSegment,
  opts: { now: Date; since: string; limit: number },
): Promise<{ at: string; zones: string; own_zone: string | null }[]> {
  const where = segmentPredicate(db, segment, { now: opts.now });
  const clicks = await db
    .selectFrom('link_clicks as lc')
    .innerJoin('short_links as sl', 'sl.code', 'lc.code')
    .innerJoin('contacts as c', 'c.id', 'sl.contact_id')
    .select(['lc.at', 'c.zones', 'c.own_zone'])
    .where('lc.is_bot', '=', 0)
    .where('lc.at', '>=', opts.since)
    .where(where)
    .orderBy('lc.id', 'desc')
    .limit(opts.limit)
    .execute();
  const replies = await db
    .selectFrom('inbound_messages as im')
    .innerJoin('contacts as c', 'c.id', 'im.contact_id')
    .select(['im.received_at as at', 'c.zones', 'c.own_zone'])
    .where('im.intent', '!=', 'opt_out')
    .where('im.received_at', '>=', opts.since)
    .where(where)
    .orderBy('im.id', 'desc')
    .limit(opts.limit)
    .execute();
  return [...clicks, ...replies];
}

export type PlannedMessage = Omit<Insertable<MessagesTable>, 'id'>;

// PostgreSQL: a multi-row statement per 500 messages (28 columns a row).
const INSERT_CHUNK = 500;

type Sqlite = NonNullable<Store['sqlite']>;

/** The columns of a planned message (`attempts` and `id` take their defaults). */
const PLANNED_COLUMNS = [
  'contact_id',
  'phone_index',
  'phone_enc',
  'purpose',
  'kind',
  'body',
  'segments',
  'status',
  'carrier',
  'carrier_message_id',
  'error_code',
  'not_before',
  'lease_until',
  'campaign_id',
  'created_at',
  'sent_at',
  'delivered_at',
  'country',
  'sender',
  'brand',
  'pinned_carrier',
  'template',
  'decision',
  'idempotency_key',
  'request_hash',
  'variant',
] as const satisfies readonly (keyof PlannedMessage)[];

// SQLite: 100 messages a statement. One statement per message cost twice as much in SQLite
// itself (each statement that fires the cap-marker trigger opens its own statement journal):
// 80 vs 46 CPU-µs a message in raw inserts of 200,000; 500 rows of 26 columns is SQL too long
// for the statement cache, prepared anew every time.
const SQLITE_CHUNK = 100;

function sqliteInsert(rows: number): string {
  const row = `(${PLANNED_COLUMNS.map(() => '?').join(', ')})`;
  return `insert into messages (${PLANNED_COLUMNS.join(', ')})
  values ${Array.from({ length: rows }, () => row).join(', ')}
  on conflict (campaign_id, contact_id) where variant is not null do nothing
  returning id, contact_id, status, error_code`;
}

/** Per connection, the insert of n messages (n ≤ SQLITE_CHUNK), prepared once. */
const sqliteInserts = new WeakMap<Sqlite, Map<number, Statement>>();

export type InsertedMessage = {
  id: number;
  contact_id: number | null;
  status: string;
  error_code: string | null;
};

/**
 * Writes planned messages; a contact the campaign already has a message for is skipped (the
 * unique key on campaign and contact), so replaying a batch never writes twice. Returns the new
 * rows' ids with their contact, status and reason (for their history).
 *
 * SQLite (`sqlite`: the connection under the caller's Kysely transaction, which holds it for
 * the whole transaction): cached prepared statements of SQLITE_CHUNK rows. Kysely's own 500-row
 * statement is 14,000 parameters and ~40 kB of SQL, built value by value and prepared anew
 * every time (too long for the statement cache): bench/plan spent more on that than on
 * SQLite's writes.
 */
export async function insertPlannedMessages(
  tx: DbOrTx,
  rows: readonly PlannedMessage[],
  sqlite?: Sqlite,
): Promise<InsertedMessage[]> {
  const out: InsertedMessage[] = [];
  if (sqlite !== undefined && !isPostgres(tx)) {
    let prepared = sqliteInserts.get(sqlite);
    if (prepared === undefined) {
      prepared = new Map();
      sqliteInserts.set(sqlite, prepared);
    }
    for (const part of chunks(rows, SQLITE_CHUNK)) {
      let insert = prepared.get(part.length);
      if (insert === undefined) {
        insert = sqlite.prepare(sqliteInsert(part.length));
        prepared.set(part.length, insert);
      }
      const values: unknown[] = [];
      for (const row of part)
        for (const column of PLANNED_COLUMNS) values.push(row[column] ?? null);
      out.push(...(insert.all(values) as InsertedMessage[]));
    }
    return out;
  }
  for (const part of chunks(rows, INSERT_CHUNK)) {
    const inserted = await tx
      .insertInto('messages')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['campaign_id', 'contact_id']).where('variant', 'is not', null).doNothing(),
      )
      .returning(['id', 'contact_id', 'status', 'error_code'])
      .execute();
    out.push(...inserted);
  }
  return out;
}

/**
 * Claims the next batch of a campaign's plan: true only while the campaign is sending and its
 * checkpoint is where this planner read it (a second planner of the same campaign, or a pause,
 * makes it false). Called first in a batch's transaction: on SQLite this write takes the
 * database's write lock before anything is read, so concurrent plans take turns.
 */
export async function holdPlan(
  tx: DbOrTx,
  opts: { campaignId: number; phase: string; afterId: number; now: string },
): Promise<boolean> {
  const result = await tx
    .updateTable('campaigns')
    .set({ updated_at: opts.now })
    .where('id', '=', opts.campaignId)
    .where('status', '=', 'sending')
    .where('plan_phase', '=', opts.phase)
    .where('plan_after_id', '=', opts.afterId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Sets the checkpoint where the batch ended (after moveCheckpoint claimed the batch). */
export async function settleCheckpoint(
  tx: DbOrTx,
  opts: { campaignId: number; toAfterId: number; phase: string; addCost: number },
): Promise<void> {
  await tx
    .updateTable('campaigns')
    .set((eb) => ({
      plan_after_id: opts.toAfterId,
      plan_phase: opts.phase,
      cost: eb('cost', '+', opts.addCost),
    }))
    .where('id', '=', opts.campaignId)
    .execute();
}
