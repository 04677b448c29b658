/**
 * Outbound webhooks: endpoints and the events they take, the delivery outbox and the attempt log.
 * Deliveries are claimed like messages (src/store/messages.ts): due rows move to `sending` with a
 * lease; PostgreSQL skips rows another worker holds (`FOR UPDATE SKIP LOCKED`), SQLite has one
 * writer and claims in one UPDATE ... RETURNING. An outcome only lands while its claim holds.
 */
import {
  PostgresAdapter,
  type Generated,
  type Insertable,
  type Selectable,
  type Updateable,
} from 'kysely';
import type { Db, DbOrTx } from './database.js';

export interface WebhookEndpointsTable {
  id: Generated<number>;
  url: string;
  description: string | null;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  consecutive_failures: number;
  failing_since: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookSubscriptionsTable {
  endpoint_id: number;
  event_type: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: number;
  event_id: string;
  event_type: string;
  body: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  verdict: string;
  response_excerpt: string | null;
}

type WebhookTables = {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
};

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type NewWebhookEndpointRow = Omit<Insertable<WebhookEndpointsTable>, 'id'>;
export type WebhookEndpointPatch = Updateable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookDeliveryPatch = Updateable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type NewWebhookAttemptRow = Omit<Insertable<WebhookAttemptsTable>, 'id'>;

/** An endpoint with the event types it takes. */
export type WebhookEndpointRecord = WebhookEndpointRow & { readonly events: string[] };

// Nothing outside this module joins the webhook tables, so their types stay here and are added
// to the shared schema per query (a transaction stays a transaction).
function w(db: DbOrTx) {
  return (db as Db).withTables<WebhookTables>();
}

function isPostgres(db: DbOrTx): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

async function withEvents(
  db: DbOrTx,
  rows: WebhookEndpointRow[],
): Promise<WebhookEndpointRecord[]> {
  if (rows.length === 0) return [];
  const subs = await w(db)
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where(
      'endpoint_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((row) => ({
    ...row,
    events: subs.filter((s) => s.endpoint_id === row.id).map((s) => s.event_type),
  }));
}

async function replaceSubscriptions(db: DbOrTx, id: number, events: readonly string[]) {
  await w(db).deleteFrom('webhook_subscriptions').where('endpoint_id', '=', id).execute();
  if (events.length === 0) return;
  await w(db)
    .insertInto('webhook_subscriptions')
    .values(events.map((event_type) => ({ endpoint_id: id, event_type })))
    .execute();
}

/** Run it in a transaction: the endpoint and its subscriptions land together. */
export async function insertWebhookEndpoint(
  db: DbOrTx,
  opts: { row: NewWebhookEndpointRow; events: readonly string[] },
): Promise<WebhookEndpointRecord> {
  const row = await w(db)
    .insertInto('webhook_endpoints')
    .values(opts.row)
    .returningAll()
    .executeTakeFirstOrThrow();
  await replaceSubscriptions(db, row.id, opts.events);
  return { ...row, events: [...opts.events] };
}

export async function findWebhookEndpoint(
  db: DbOrTx,
  id: number,
): Promise<WebhookEndpointRecord | undefined> {
  const row = await w(db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? (await withEvents(db, [row]))[0] : undefined;
}

export async function listWebhookEndpoints(db: DbOrTx): Promise<WebhookEndpointRecord[]> {
  const rows = await w(db).selectFrom('webhook_endpoints').selectAll().orderBy('id').execute();
  return withEvents(db, rows);
}

/** Run it in a transaction when `events` is given. Undefined when there is no such endpoint. */
export async function updateWebhookEndpoint(
  db: DbOrTx,
  opts: { id: number; patch: WebhookEndpointPatch; events?: readonly string[] },
): Promise<WebhookEndpointRecord | undefined> {
  const row = await w(db)
    .updateTable('webhook_endpoints')
    .set(opts.patch)
    .where('id', '=', opts.id)
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  if (opts.events) await replaceSubscriptions(db, row.id, opts.events);
  return (await withEvents(db, [row]))[0];
}

/** Deletes the endpoint with its subscriptions, deliveries and attempts. */
export async function deleteWebhookEndpoint(db: DbOrTx, id: number): Promise<boolean> {
  const result = await w(db)
    .deleteFrom('webhook_endpoints')
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The enabled endpoints that take events of this type. */
export async function subscribedEndpointIds(
  db: DbOrTx,
  opts: { eventType: string },
): Promise<number[]> {
  const rows = await w(db)
    .selectFrom('webhook_subscriptions as s')
    .innerJoin('webhook_endpoints as e', 'e.id', 's.endpoint_id')
    .select('s.endpoint_id')
    .where('s.event_type', '=', opts.eventType)
    .where('e.enabled', '=', 1)
    .orderBy('s.endpoint_id')
    .execute();
  return rows.map((r) => r.endpoint_id);
}

export async function insertWebhookDeliveries(
  db: DbOrTx,
  rows: readonly WebhookDeliveryRow[],
): Promise<void> {
  if (rows.length > 0) await w(db).insertInto('webhook_deliveries').values(rows).execute();
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints until `leaseUntil`: pending ones whose
 * time has come, and ones left in `sending` by a worker whose lease ran out (it crashed or hung:
 * receivers deduplicate by delivery id). Each claim counts as an attempt.
 */
export async function claimDueWebhookDeliveries(
  db: DbOrTx,
  opts: { now: string; leaseUntil: string; limit: number },
): Promise<WebhookDeliveryRow[]> {
  let due = w(db)
    .selectFrom('webhook_deliveries')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', opts.now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', opts.now)]),
      ]),
    )
    .where('endpoint_id', 'in', (eb) =>
      eb
        .selectFrom('webhook_endpoints')
        .select('webhook_endpoints.id')
        .where('webhook_endpoints.enabled', '=', 1),
    )
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(opts.limit);
  if (isPostgres(db)) due = due.forUpdate().skipLocked();
  const rows = await w(db)
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: 'sending',
      lease_until: opts.leaseUntil,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.next_attempt_at.localeCompare(b.next_attempt_at));
}

/** Records the outcome of a claim; false when the claim no longer holds (lease taken over). */
export async function finishWebhookDelivery(
  db: DbOrTx,
  opts: { id: string; leaseUntil: string; patch: WebhookDeliveryPatch },
): Promise<boolean> {
  const result = await w(db)
    .updateTable('webhook_deliveries')
    .set({ ...opts.patch, lease_until: null })
    .where('id', '=', opts.id)
    .where('status', '=', 'sending')
    .where('lease_until', '=', opts.leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertWebhookAttempt(db: DbOrTx, row: NewWebhookAttemptRow): Promise<void> {
  await w(db).insertInto('webhook_attempts').values(row).execute();
}

/**
 * Counts an attempt against its endpoint: a success ends a failure streak, a failure extends it.
 * Returns the streak as it now stands.
 */
export async function recordEndpointOutcome(
  db: DbOrTx,
  opts: { id: number; ok: boolean; at: string },
): Promise<{ consecutive_failures: number; failing_since: string | null } | undefined> {
  const q = w(db).updateTable('webhook_endpoints').where('id', '=', opts.id);
  const updated = opts.ok
    ? q.set({ consecutive_failures: 0, failing_since: null, last_success_at: opts.at })
    : q.set((eb) => ({
        consecutive_failures: eb('consecutive_failures', '+', 1),
        failing_since: eb.fn.coalesce('failing_since', eb.val(opts.at)),
        last_failure_at: opts.at,
      }));
  return updated.returning(['consecutive_failures', 'failing_since']).executeTakeFirst();
}

/** Switches an enabled endpoint off; false when it was already off (or is gone). */
export async function disableWebhookEndpoint(
  db: DbOrTx,
  opts: { id: number; reason: string; at: string },
): Promise<boolean> {
  const result = await w(db)
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_reason: opts.reason, disabled_at: opts.at, updated_at: opts.at })
    .where('id', '=', opts.id)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deliveries of one endpoint, newest first. */
export async function listWebhookDeliveries(
  db: DbOrTx,
  opts: { endpointId: number; limit: number; status?: string },
): Promise<WebhookDeliveryRow[]> {
  let q = w(db)
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('endpoint_id', '=', opts.endpointId);
  if (opts.status) q = q.where('status', '=', opts.status);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

/** The attempts of these deliveries, in order. */
export async function listWebhookAttempts(
  db: DbOrTx,
  opts: { deliveryIds: readonly string[] },
): Promise<WebhookAttemptRow[]> {
  if (opts.deliveryIds.length === 0) return [];
  return w(db)
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', opts.deliveryIds)
    .orderBy('delivery_id')
    .orderBy('id')
    .execute();
}

/** Deletes up to `limit` deliveries (with their attempts) that ended before `before`. */
export async function pruneWebhookDeliveries(
  db: DbOrTx,
  opts: { before: string; limit: number },
): Promise<number> {
  const old = w(db)
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('finished_at', '<', opts.before) // set only when a delivery has ended
    .limit(opts.limit);
  const result = await w(db)
    .deleteFrom('webhook_deliveries')
    .where('id', 'in', old)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
