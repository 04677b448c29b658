/**
 * Behaviour events: purchases and custom events per contact, with the facts segmentation needs
 * (amount, currency, category, sku) in their own columns and everything else as JSON.
 */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { EventsTable } from './schema.js';

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Omit<Insertable<EventsTable>, 'id'>;

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Resolves the three ways an event names its contact, in bulk (at most one query per chunk). */
export async function resolveContactRefs(
  db: DbOrTx,
  refs: {
    readonly ids: readonly number[];
    readonly externalIds: readonly string[];
    readonly phoneIndexes: readonly string[];
  },
): Promise<{
  ids: Set<number>;
  byExternalId: Map<string, number>;
  byPhoneIndex: Map<string, number>;
}> {
  const ids = new Set<number>();
  const byExternalId = new Map<string, number>();
  const byPhoneIndex = new Map<string, number>();
  for (const chunk of chunks([...new Set(refs.ids)])) {
    const rows = await db.selectFrom('contacts').select('id').where('id', 'in', chunk).execute();
    for (const r of rows) ids.add(r.id);
  }
  for (const chunk of chunks([...new Set(refs.externalIds)])) {
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'external_id'])
      .where('external_id', 'in', chunk)
      .execute();
    for (const r of rows) if (r.external_id !== null) byExternalId.set(r.external_id, r.id);
  }
  for (const chunk of chunks([...new Set(refs.phoneIndexes)])) {
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'phone_index'])
      .where('phone_index', 'in', chunk)
      .execute();
    for (const r of rows) byPhoneIndex.set(r.phone_index, r.id);
  }
  return { ids, byExternalId, byPhoneIndex };
}

/** Idempotency keys among `keys` that are already stored. */
export async function findIdempotencyKeys(
  db: DbOrTx,
  keys: readonly string[],
): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const chunk of chunks([...new Set(keys)])) {
    const rows = await db
      .selectFrom('events')
      .select('idempotency_key')
      .where('idempotency_key', 'in', chunk)
      .execute();
    for (const r of rows) if (r.idempotency_key !== null) seen.add(r.idempotency_key);
  }
  return seen;
}

/**
 * Inserts events; a row whose idempotency key is already stored (a concurrent request got there
 * first) is skipped by the unique index. Returns the keys that were inserted.
 */
export async function insertEvents(
  db: DbOrTx,
  rows: readonly NewEventRow[],
): Promise<{ inserted: number; insertedKeys: Set<string> }> {
  const insertedKeys = new Set<string>();
  let inserted = 0;
  // 11 columns a row: 80 rows stay well under SQLite's 999 bound parameters.
  for (let i = 0; i < rows.length; i += 80) {
    const result = await db
      .insertInto('events')
      .values(rows.slice(i, i + 80))
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning(['id', 'idempotency_key'])
      .execute();
    inserted += result.length;
    for (const r of result) if (r.idempotency_key !== null) insertedKeys.add(r.idempotency_key);
  }
  return { inserted, insertedKeys };
}

/** Moves a contact's engagement mark forward (never back). */
export async function touchEngagement(
  db: DbOrTx,
  opts: { readonly contactId: number; readonly at: string },
): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ last_engaged_at: opts.at })
    .where('id', '=', opts.contactId)
    .where((eb) => eb.or([eb('last_engaged_at', 'is', null), eb('last_engaged_at', '<', opts.at)]))
    .execute();
}

/** A page of a contact's events, newest first; `before` is the last (occurredAt, id) seen. */
export async function listContactEvents(
  db: DbOrTx,
  opts: {
    readonly contactId: number;
    readonly type?: string;
    readonly before?: { readonly occurredAt: string; readonly id: number };
    readonly limit: number;
  },
): Promise<EventRow[]> {
  let q = db.selectFrom('events').selectAll().where('contact_id', '=', opts.contactId);
  if (opts.type) q = q.where('type', '=', opts.type);
  const before = opts.before;
  if (before) {
    q = q.where((eb) =>
      eb.or([
        eb('occurred_at', '<', before.occurredAt),
        eb.and([eb('occurred_at', '=', before.occurredAt), eb('id', '<', before.id)]),
      ]),
    );
  }
  return q.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

/** Every event of a contact, oldest first (data-subject export). */
export async function allContactEvents(db: DbOrTx, contactId: number): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

/** Retention: deletes up to `limit` events that happened before `before`; returns how many. */
export async function deleteEventsBefore(
  db: DbOrTx,
  opts: { readonly before: string; readonly limit: number },
): Promise<number> {
  const result = await db
    .deleteFrom('events')
    .where(
      'id',
      'in',
      db.selectFrom('events').select('id').where('occurred_at', '<', opts.before).limit(opts.limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
