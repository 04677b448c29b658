/**
 * What the compliance report reads: marketing messages handed to a carrier in a period (in id
 * pages), the consent events and suppressions that stood behind them, opt-out replies and
 * when they were honoured, and the staff who revealed or exported numbers (audit log).
 */
import type { DbOrTx } from './database.js';

export interface SentMarketingRow {
  readonly id: number;
  readonly campaign_id: number | null;
  readonly contact_id: number | null;
  readonly phone_index: string;
  readonly sent_at: string;
  readonly country: string | null;
  readonly zones: string | null;
  readonly own_zone: string | null;
  readonly region: string | null;
}

/** Marketing messages sent in [from, to), by id after `afterId`. */
export async function sentMarketingPage(
  db: DbOrTx,
  opts: { from: string; to: string; afterId: number; limit: number },
): Promise<SentMarketingRow[]> {
  return db
    .selectFrom('messages as m')
    .leftJoin('contacts as c', 'c.id', 'm.contact_id')
    .select([
      'm.id',
      'm.campaign_id',
      'm.contact_id',
      'm.phone_index',
      'm.sent_at',
      'm.country',
      'c.zones',
      'c.own_zone',
      'c.region',
    ])
    .where('m.purpose', '=', 'marketing')
    .where('m.sent_at', '>=', opts.from)
    .where('m.sent_at', '<', opts.to)
    .where('m.id', '>', opts.afterId)
    .orderBy('m.id')
    .limit(opts.limit)
    .execute() as Promise<SentMarketingRow[]>;
}

export interface ConsentEventFact {
  readonly id: number;
  readonly contact_id: number;
  readonly action: string;
  readonly method: string;
  readonly at: string;
}

/** Marketing consent events of these contacts up to `until`, oldest first. */
export async function marketingConsentEvents(
  db: DbOrTx,
  opts: { contactIds: readonly number[]; until: string },
): Promise<ConsentEventFact[]> {
  if (opts.contactIds.length === 0) return [];
  return db
    .selectFrom('consent_events')
    .select(['id', 'contact_id', 'action', 'method', 'at'])
    .where('contact_id', 'in', [...opts.contactIds])
    .where('purpose', '=', 'marketing')
    .where('at', '<=', opts.until)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/** Suppressions covering marketing (scope marketing or all) of these numbers. */
export async function marketingSuppressions(
  db: DbOrTx,
  phoneIndexes: readonly string[],
): Promise<{ phone_index: string; created_at: string }[]> {
  if (phoneIndexes.length === 0) return [];
  return db
    .selectFrom('suppressions')
    .select(['phone_index', 'created_at'])
    .where('phone_index', 'in', [...new Set(phoneIndexes)])
    .where('scope', 'in', ['marketing', 'all'])
    .execute();
}

/**
 * Opt-out replies received in [from, to) and when they were honoured: the contact's first
 * marketing revoke at or after the reply, else the suppression of the number (when it was
 * added; one that was already there honours at once).
 */
export async function optOutReplies(
  db: DbOrTx,
  opts: { from: string; to: string },
): Promise<{ received_at: string; revoked_at: string | null; suppressed_at: string | null }[]> {
  return db
    .selectFrom('inbound_messages as i')
    .select((eb) => [
      'i.received_at',
      eb
        .selectFrom('consent_events as ce')
        .select((e) => e.fn.min('ce.at').as('at'))
        .whereRef('ce.contact_id', '=', 'i.contact_id')
        .where('ce.purpose', '=', 'marketing')
        .where('ce.action', '=', 'revoke')
        .whereRef('ce.at', '>=', 'i.received_at')
        .as('revoked_at'),
      eb
        .selectFrom('suppressions as s')
        .select((e) => e.fn.min('s.created_at').as('at'))
        .whereRef('s.phone_index', '=', 'i.phone_index')
        .where('s.scope', 'in', ['marketing', 'all'])
        .as('suppressed_at'),
    ])
    .where('i.intent', '=', 'opt_out')
    .where('i.received_at', '>=', opts.from)
    .where('i.received_at', '<', opts.to)
    .orderBy('i.id')
    .execute() as Promise<
    { received_at: string; revoked_at: string | null; suppressed_at: string | null }[]
  >;
}

/** Marketing revokes in [from, to) by how they came (reply, link, staff, API...). */
export async function revokesByMethod(
  db: DbOrTx,
  opts: { from: string; to: string },
): Promise<{ method: string; n: number }[]> {
  const rows = await db
    .selectFrom('consent_events')
    .select((eb) => ['method', eb.fn.countAll<number>().as('n')])
    .where('purpose', '=', 'marketing')
    .where('action', '=', 'revoke')
    .where('at', '>=', opts.from)
    .where('at', '<', opts.to)
    .groupBy('method')
    .execute();
  return rows.map((r) => ({ method: r.method, n: Number(r.n) }));
}

/** Audited reveals and exports of numbers in [from, to), per actor and action. */
export async function staffNumberAccess(
  db: DbOrTx,
  opts: { from: string; to: string; actions: readonly string[] },
): Promise<{ actor: string; action: string; n: number; first: string; last: string }[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select((eb) => [
      'actor',
      'action',
      eb.fn.countAll<number>().as('n'),
      eb.fn.min('at').as('first'),
      eb.fn.max('at').as('last'),
    ])
    .where((eb) => eb.or([eb('action', 'in', [...opts.actions]), eb('action', 'like', '%export%')]))
    .where('at', '>=', opts.from)
    .where('at', '<', opts.to)
    .groupBy(['actor', 'action'])
    .orderBy('actor')
    .orderBy('action')
    .execute();
  return rows.map((r) => ({
    actor: r.actor,
    action: r.action,
    n: Number(r.n),
    first: String(r.first),
    last: String(r.last),
  }));
}
