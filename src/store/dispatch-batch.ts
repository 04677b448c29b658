/**
 * The dispatcher's statements for a whole batch at once: what it reads to decide many messages
 * (contacts, consents, suppressions, the sends that count against caps) and how it writes many
 * outcomes (one UPDATE joined to a VALUES list). A batch of 500 costs a handful of statements
 * instead of a dozen per message. The one-message statements stay in messages.ts.
 */
import { sql } from 'kysely';
import type { ContactConsentRow } from './consents.js';
import type { ContactRow } from './contacts.js';
import { isPostgres, sqliteJsonValues, type DbOrTx } from './database.js';
import type { MessagePatch } from './messages.js';
import type { SuppressionRow } from './suppressions.js';
import { messagesOfNumbers } from './messages-of-number.js';

// SQLite binds at most 32,766 variables per statement, PostgreSQL 65,535.
const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function groupBy<K, T>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/**
 * holdClaim for many messages: the ids of those whose claim still holds (same lease, in
 * `status`). The first statement of a decision's transaction: it takes SQLite's write lock
 * (one row rewritten) and PostgreSQL's row locks (each row rewritten) before anything is read.
 */
export async function holdClaims(
  tx: DbOrTx,
  opts: { ids: readonly number[]; leaseUntil: string; status: string },
): Promise<Set<number>> {
  const held = new Set<number>();
  if (opts.ids.length === 0) return held;
  if (!isPostgres(tx)) {
    // SQLite: one row written takes the database's write lock (no other connection writes until
    // the commit); the claims are then read, not each rewritten (a no-op UPDATE of every row
    // still rewrote each one and its lease index entry).
    await tx
      .updateTable('messages')
      .set((eb) => ({ lease_until: eb.ref('lease_until') }))
      .where('id', '=', opts.ids[0]!)
      .execute();
    const rows = await sql<{ id: number }>`
      select id from messages where id in ${sqliteJsonValues(opts.ids)}
        and +status = ${opts.status} and +lease_until = ${opts.leaseUntil}`.execute(tx);
    for (const r of rows.rows) held.add(r.id);
    return held;
  }
  for (const ids of chunks(opts.ids)) {
    const rows = await tx
      .updateTable('messages')
      .set((eb) => ({ lease_until: eb.ref('lease_until') }))
      .where('id', 'in', ids)
      .where('status', '=', opts.status)
      .where('lease_until', '=', opts.leaseUntil)
      .returning('id')
      .execute();
    for (const r of rows) held.add(r.id);
  }
  return held;
}

/**
 * lockNumber for many numbers: PostgreSQL transaction advisory locks taken in the order of their
 * keys, so two workers locking overlapping sets wait for each other instead of deadlocking.
 * SQLite: the write lock taken by holdClaims serialises everything already.
 */
export async function lockNumbers(tx: DbOrTx, phoneIndexes: readonly string[]): Promise<void> {
  if (!isPostgres(tx) || phoneIndexes.length === 0) return;
  await sql`select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended(x, 0) as k from unnest(${[...phoneIndexes]}::text[]) as x
    ) as keys order by k`.execute(tx);
}

/**
 * fenceOptOut for many contacts: a share lock on each one's marketing consent row, which every
 * revocation rewrites (see messages.ts). PostgreSQL only.
 */
export async function fenceOptOuts(tx: DbOrTx, contactIds: readonly number[]): Promise<void> {
  if (!isPostgres(tx) || contactIds.length === 0) return;
  for (const ids of chunks(contactIds)) {
    await tx
      .selectFrom('contact_consents')
      .select('contact_id')
      .where('contact_id', 'in', ids)
      .where('purpose', '=', 'marketing')
      .orderBy('contact_id')
      .forShare()
      .execute();
  }
}

export async function findContactsByIds(
  db: DbOrTx,
  ids: readonly number[],
): Promise<Map<number, ContactRow>> {
  const out = new Map<number, ContactRow>();
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('contacts').selectAll().where('id', 'in', part).execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** Every current consent (all purposes) of many contacts, by contact. */
export async function consentsOfContacts(
  db: DbOrTx,
  ids: readonly number[],
): Promise<Map<number, ContactConsentRow[]>> {
  const rows: ContactConsentRow[] = [];
  for (const part of chunks(ids)) {
    rows.push(
      ...(await db
        .selectFrom('contact_consents')
        .selectAll()
        .where('contact_id', 'in', part)
        .execute()),
    );
  }
  return groupBy(rows, (r) => r.contact_id);
}

/** The suppressions of many numbers, by blind index. */
export async function suppressionsOfNumbers(
  db: DbOrTx,
  phoneIndexes: readonly string[],
): Promise<Map<string, SuppressionRow[]>> {
  const rows: SuppressionRow[] = [];
  for (const part of chunks(phoneIndexes)) {
    rows.push(
      ...(await db
        .selectFrom('suppressions')
        .selectAll()
        .where('phone_index', 'in', part)
        .execute()),
    );
  }
  return groupBy(rows, (r) => r.phone_index);
}

export interface HandedSend {
  readonly id: number;
  readonly purpose: string;
  readonly kind: string;
  readonly at: string;
}

/**
 * handedSendTimes for many numbers: the sends already handed to a carrier since `since`, by
 * blind index (the caller leaves out the message it decides).
 */
export async function handedSendsOfNumbers(
  db: DbOrTx,
  opts: { phoneIndexes: readonly string[]; since: string; statuses: readonly string[] },
): Promise<Map<string, HandedSend[]>> {
  const out = new Map<string, HandedSend[]>();
  for (const part of chunks(opts.phoneIndexes)) {
    const rows = await db
      .selectFrom(messagesOfNumbers(db, part, 'messages'))
      .select(['id', 'phone_index', 'purpose', 'kind', 'sent_at'])
      .where('status', 'in', opts.statuses)
      .where('sent_at', '>=', opts.since)
      .execute();
    for (const r of rows) {
      const send = { id: r.id, purpose: r.purpose, kind: r.kind, at: r.sent_at! };
      const list = out.get(r.phone_index);
      if (list) list.push(send);
      else out.set(r.phone_index, [send]);
    }
  }
  return out;
}

/**
 * One patch for many claims (finishClaim for each of `ids`): returns the ids whose claim still
 * held and that were changed.
 */
export async function finishClaims(
  db: DbOrTx,
  opts: {
    ids: readonly number[];
    leaseUntil: string;
    patch: MessagePatch;
    from: readonly string[];
    keepLease?: boolean;
  },
): Promise<Set<number>> {
  const done = new Set<number>();
  for (const ids of chunks(opts.ids)) {
    const rows = await db
      .updateTable('messages')
      .set({ ...opts.patch, ...(opts.keepLease ? {} : { lease_until: null }) })
      .where('id', 'in', ids)
      .where('status', 'in', opts.from)
      .where('lease_until', '=', opts.leaseUntil)
      .returning('id')
      .execute();
    for (const r of rows) done.add(r.id);
  }
  return done;
}

/** A message the carrier accepted, as recordSent writes it. */
export interface AcceptedSend {
  readonly id: number;
  readonly carrier: string;
  readonly carrierMessageId: string;
  /** The body the row keeps from now on (a confirmation link is redacted once it left). */
  readonly body: string | null;
}

/**
 * Records many accepted hand-offs at once: `sent`, with each one's carrier and carrier id, where
 * the claim still holds (`submitted` under `leaseUntil`). One UPDATE joined to a VALUES list (the
 * same SQL on both dialects: VALUES columns are column1, column2, ... in both). Returns the ids
 * written; the others were taken over meanwhile.
 */
export async function recordSent(
  db: DbOrTx,
  opts: { sends: readonly AcceptedSend[]; leaseUntil: string },
): Promise<Set<number>> {
  const done = new Set<number>();
  if (opts.sends.length === 0) return done;
  if (!isPostgres(db)) {
    // SQLite: one JSON parameter (the statement's text the same for every batch size).
    const json = JSON.stringify(
      opts.sends.map((s) => [s.id, s.carrier, s.carrierMessageId, s.body]),
    );
    const result = await sql<{ id: number }>`
      update messages set status = 'sent', carrier = v.carrier,
        carrier_message_id = v.carrier_message_id, body = v.body, error_code = null,
        template = null, lease_until = null
      from (
        select value ->> 0 as id, value ->> 1 as carrier, value ->> 2 as carrier_message_id,
          value ->> 3 as body
        from json_each(${json})
      ) as v
      where messages.id = v.id and +messages.status = 'submitted'
        and +messages.lease_until = ${opts.leaseUntil}
      returning messages.id`.execute(db);
    for (const r of result.rows) done.add(Number(r.id));
    return done;
  }
  for (const part of chunks(opts.sends, 500)) {
    const values = sql.join(
      part.map((s) => sql`(${s.id}, ${s.carrier}, ${s.carrierMessageId}, ${s.body})`),
    );
    const result = await sql<{ id: number }>`
      update messages set status = 'sent', carrier = v.carrier,
        carrier_message_id = v.carrier_message_id, body = v.body, error_code = null,
        template = null, lease_until = null
      from (
        select cast(column1 as integer) as id, column2 as carrier,
          column3 as carrier_message_id, column4 as body
        from (values ${values}) as vals
      ) as v
      where messages.id = v.id and messages.status = 'submitted'
        and messages.lease_until = ${opts.leaseUntil}
      returning messages.id`.execute(db);
    for (const r of result.rows) done.add(Number(r.id));
  }
  return done;
}

/** A receipt as applyReceipts writes it. */
export interface ReceiptWrite {
  readonly id: number;
  readonly status: string;
  readonly errorCode: string | null;
  readonly deliveredAt: string | null;
}

/**
 * Applies many delivery receipts at once, each only while its message is still in one of `from`
 * (see receipts.ts). Returns the ids changed.
 */
export async function applyReceipts(
  db: DbOrTx,
  opts: { receipts: readonly ReceiptWrite[]; from: readonly string[] },
): Promise<Set<number>> {
  const done = new Set<number>();
  const from = sql.join(opts.from.map((s) => sql`${s}`));
  if (opts.receipts.length === 0) return done;
  if (!isPostgres(db)) {
    // SQLite: one JSON parameter (the statement's text the same for every batch size); the
    // unary plus keeps the planner on the rowid of each message, not on the lease index.
    const json = JSON.stringify(
      opts.receipts.map((r) => [r.id, r.status, r.errorCode, r.deliveredAt]),
    );
    const result = await sql<{ id: number }>`
      update messages set status = v.status, error_code = v.error_code,
        delivered_at = coalesce(v.delivered_at, messages.delivered_at)
      from (
        select value ->> 0 as id, value ->> 1 as status, value ->> 2 as error_code,
          value ->> 3 as delivered_at
        from json_each(${json})
      ) as v
      where messages.id = v.id and +messages.status in (${from})
      returning messages.id`.execute(db);
    for (const r of result.rows) done.add(Number(r.id));
    return done;
  }
  for (const part of chunks(opts.receipts, 500)) {
    const values = sql.join(
      part.map((r) => sql`(${r.id}, ${r.status}, ${r.errorCode}, ${r.deliveredAt})`),
    );
    const result = await sql<{ id: number }>`
      update messages set status = v.status, error_code = v.error_code,
        delivered_at = coalesce(v.delivered_at, messages.delivered_at)
      from (
        select cast(column1 as integer) as id, column2 as status, column3 as error_code,
          column4 as delivered_at
        from (values ${values}) as vals
      ) as v
      where messages.id = v.id and messages.status in (${from})
      returning messages.id`.execute(db);
    for (const r of result.rows) done.add(Number(r.id));
  }
  return done;
}

/** Messages by their carrier's ids (one carrier), newest first per id. */
/** What a receipt needs of its message: to match it, and to report it to webhooks. */
export interface ReceiptTarget {
  id: number;
  carrier_message_id: string;
  status: string;
  contact_id: number | null;
  phone_enc: string | null;
  purpose: string;
  campaign_id: number | null;
}

export async function findMessagesByCarrierIds(
  db: DbOrTx,
  opts: { carrier: string; carrierMessageIds: readonly string[] },
): Promise<ReceiptTarget[]> {
  const rows: ReceiptTarget[] = [];
  if (opts.carrierMessageIds.length === 0) return rows;
  if (!isPostgres(db)) {
    // SQLite: the ids as one JSON parameter (one statement text for every number of ids).
    const found = await db
      .selectFrom('messages')
      .select(['id', 'carrier_message_id', 'status', 'contact_id', 'phone_enc', 'purpose'])
      .select('campaign_id')
      .where('carrier', '=', opts.carrier)
      .where('carrier_message_id', 'in', sqliteJsonValues(opts.carrierMessageIds))
      .orderBy('id', 'desc')
      .execute();
    for (const r of found) rows.push({ ...r, carrier_message_id: r.carrier_message_id! });
    return rows;
  }
  for (const part of chunks(opts.carrierMessageIds)) {
    const found = await db
      .selectFrom('messages')
      .select(['id', 'carrier_message_id', 'status', 'contact_id', 'phone_enc', 'purpose'])
      .select('campaign_id')
      .where('carrier', '=', opts.carrier)
      .where('carrier_message_id', 'in', part)
      .orderBy('id', 'desc')
      .execute();
    for (const r of found) {
      rows.push({ ...r, carrier_message_id: r.carrier_message_id! });
    }
  }
  return rows;
}

/**
 * Hard bounces for many contacts (a contact may appear more than once), in the order of their ids
 * so that two transactions bouncing the same contacts lock them in the same order.
 */
export async function addHardBounces(db: DbOrTx, contactIds: readonly number[]): Promise<void> {
  const counts = groupBy(
    [...contactIds].sort((a, b) => a - b),
    (id) => id,
  );
  for (const [id, times] of counts) {
    await db
      .updateTable('contacts')
      .set((eb) => ({ hard_bounces: eb('hard_bounces', '+', times.length) }))
      .where('id', '=', id)
      .execute();
  }
}
