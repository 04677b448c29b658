/**
 * The queries of the dashboard (GET /v1/analytics/overview): messages by period and status,
 * the rates of a period's messages, the figures of running campaigns, campaigns a guardrail
 * paused, and carrier errors. Counts only: nothing here reads a number. Periods are half-open
 * `[from, to)` ISO strings, compared as text as the timestamps are stored (both dialects).
 */
import { sql } from 'kysely';
import type { DbOrTx } from './database.js';

const n = (v: unknown) => Number(v ?? 0);

const FAILED = ['failed', 'undelivered', 'expired'];

/**
 * Messages created in each period, by status. `edges` are the periods' bounds in ascending
 * order (n + 1 edges for n adjacent periods); `period` is the index of the period.
 */
export async function messagesByPeriod(
  db: DbOrTx,
  opts: { edges: readonly string[] },
): Promise<{ period: number; status: string; count: number }[]> {
  const { edges } = opts;
  if (edges.length < 2) return [];
  // One pass over the range: the CASE puts each row in its period (the edges come from luxon,
  // so a 23- or 25-hour day is exact in any zone, on either dialect).
  const bucket = sql<number>`case ${sql.join(
    edges.slice(1).map((edge, i) => sql`when created_at < ${edge} then ${sql.lit(i)}`),
    sql` `,
  )} end`;
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('messages')
        .select([bucket.as('period'), 'status'])
        .where('created_at', '>=', edges[0]!)
        .where('created_at', '<', edges.at(-1)!)
        .as('t'),
    )
    .select((eb) => ['t.period', 't.status', eb.fn.countAll<number>().as('n')])
    .groupBy(['t.period', 't.status'])
    .execute();
  return rows.map((r) => ({ period: n(r.period), status: r.status, count: n(r.n) }));
}

export interface PeriodRates {
  /** Handed to a carrier. */
  readonly sent: number;
  readonly delivered: number;
  /** Marketing messages handed to a carrier: the base of the click, conversion, opt-out rates. */
  readonly marketingSent: number;
  /** Of those, messages whose tracked link a person clicked (link previews excluded). */
  readonly clicked: number;
  /** Of those, messages an order was attributed to. */
  readonly converted: number;
  /** Of those, messages whose recipient withdrew marketing consent after it went. */
  readonly optedOut: number;
}

/** What became of the messages created in a period. */
export async function periodRates(
  db: DbOrTx,
  opts: { from: string; to: string },
): Promise<PeriodRates> {
  const marketingSent = sql`m.purpose = 'marketing' and m.sent_at is not null`;
  const row = await db
    .selectFrom('messages as m')
    .select((eb) => [
      eb.fn.sum<number>(sql`case when m.sent_at is not null then 1 else 0 end`).as('sent'),
      eb.fn.sum<number>(sql`case when m.status = 'delivered' then 1 else 0 end`).as('delivered'),
      eb.fn.sum<number>(sql`case when ${marketingSent} then 1 else 0 end`).as('marketingSent'),
      eb.fn
        .sum<number>(
          sql`case when ${marketingSent} and exists (select 1 from short_links sl inner join link_clicks lc on lc.code = sl.code where sl.message_id = m.id and lc.is_bot = 0) then 1 else 0 end`,
        )
        .as('clicked'),
      eb.fn
        .sum<number>(
          sql`case when ${marketingSent} and exists (select 1 from conversions c where c.message_id = m.id) then 1 else 0 end`,
        )
        .as('converted'),
      // As the guardrails and campaign analytics count an opt-out.
      eb.fn
        .sum<number>(
          sql`case when ${marketingSent} and exists (select 1 from contact_consents cc where cc.contact_id = m.contact_id and cc.purpose = 'marketing' and cc.granted = 0 and cc.at >= m.sent_at) then 1 else 0 end`,
        )
        .as('optedOut'),
    ])
    .where('m.created_at', '>=', opts.from)
    .where('m.created_at', '<', opts.to)
    .executeTakeFirst();
  return {
    sent: n(row?.sent),
    delivered: n(row?.delivered),
    marketingSent: n(row?.marketingSent),
    clicked: n(row?.clicked),
    converted: n(row?.converted),
    optedOut: n(row?.optedOut),
  };
}

export interface RunningCampaign {
  readonly id: number;
  readonly name: string;
  readonly purpose: string;
  readonly startedAt: string | null;
  readonly audience: number;
  readonly sent: number;
  readonly delivered: number;
  readonly failed: number;
}

/** Campaigns sending now, newest first, with how far each got. */
export async function runningCampaigns(
  db: DbOrTx,
  opts: { limit: number },
): Promise<RunningCampaign[]> {
  const campaigns = await db
    .selectFrom('campaigns')
    .select(['id', 'name', 'purpose', 'started_at'])
    .where('status', '=', 'sending')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  if (campaigns.length === 0) return [];
  const figures = await db
    .selectFrom('messages')
    .select((eb) => [
      'campaign_id',
      eb.fn.countAll<number>().as('audience'),
      eb.fn.sum<number>(sql`case when sent_at is not null then 1 else 0 end`).as('sent'),
      eb.fn.sum<number>(sql`case when status = 'delivered' then 1 else 0 end`).as('delivered'),
      eb.fn
        .sum<number>(sql`case when status in (${sql.join(FAILED)}) then 1 else 0 end`)
        .as('failed'),
    ])
    .where(
      'campaign_id',
      'in',
      campaigns.map((c) => c.id),
    )
    .groupBy('campaign_id')
    .execute();
  const byId = new Map(figures.map((f) => [Number(f.campaign_id), f]));
  return campaigns.map((c) => {
    const f = byId.get(c.id);
    return {
      id: c.id,
      name: c.name,
      purpose: c.purpose,
      startedAt: c.started_at,
      audience: n(f?.audience),
      sent: n(f?.sent),
      delivered: n(f?.delivered),
      failed: n(f?.failed),
    };
  });
}

/** Campaigns paused by a guardrail (not by a person), newest first. */
export async function guardrailPauses(
  db: DbOrTx,
  opts: { limit: number },
): Promise<
  {
    id: number;
    name: string;
    reason: string;
    detail: string | null;
    pausedAt: string;
  }[]
> {
  const rows = await db
    .selectFrom('campaigns')
    .select(['id', 'name', 'pause_reason', 'pause_detail', 'updated_at'])
    .where('status', '=', 'paused')
    .where('pause_reason', 'is not', null)
    .where('pause_reason', '!=', 'manual')
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    reason: r.pause_reason!,
    detail: r.pause_detail,
    pausedAt: r.updated_at,
  }));
}

/**
 * Carrier errors since an instant, from the messages' histories: per carrier and error code,
 * the final failures (failed, undelivered, expired, unknown) and the temporary refusals that
 * were retried (the message went back to `queued`).
 */
export async function carrierErrors(
  db: DbOrTx,
  opts: { since: string; limit: number },
): Promise<{ carrier: string; errorCode: string; failed: number; retried: number }[]> {
  const rows = await db
    .selectFrom('message_events')
    .select((eb) => [
      'carrier',
      'detail',
      eb.fn.sum<number>(sql`case when status = 'queued' then 0 else 1 end`).as('failed'),
      eb.fn.sum<number>(sql`case when status = 'queued' then 1 else 0 end`).as('retried'),
      eb.fn.countAll<number>().as('total'),
    ])
    .where('at', '>=', opts.since)
    .where('status', 'in', [...FAILED, 'unknown', 'queued'])
    .where('carrier', 'is not', null)
    .where('detail', 'is not', null)
    .groupBy(['carrier', 'detail'])
    .orderBy('total', 'desc')
    .orderBy('carrier')
    .orderBy('detail')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    carrier: r.carrier!,
    errorCode: r.detail!,
    failed: n(r.failed),
    retried: n(r.retried),
  }));
}
