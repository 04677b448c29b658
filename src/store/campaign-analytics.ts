/**
 * The figures of campaigns, per campaign and variant, straight from the messages table, the
 * consent ledger, tracked-link clicks and conversions: what analytics, the A/B test and the
 * dashboard all read, so they cannot disagree. `campaignId` narrows to one campaign; without
 * it every campaign is counted (the dashboard).
 */
import { sql } from 'kysely';
import type { DbOrTx } from './database.js';

const FAILED = ['failed', 'undelivered', 'expired'];

export interface MessageFigures {
  readonly campaignId: number;
  readonly variant: string;
  readonly country: string | null;
  readonly audience: number;
  readonly deferred: number;
  readonly sent: number;
  readonly delivered: number;
  readonly failed: number;
  readonly segmentsBilled: number;
  readonly optOuts: number;
}

const n = (v: unknown) => Number(v ?? 0);

/** Messages per campaign, variant and country (country prices the cost). */
export async function messageFigures(
  db: DbOrTx,
  opts: { campaignId?: number },
): Promise<MessageFigures[]> {
  let q = db
    .selectFrom('messages as m')
    .select((eb) => [
      'm.campaign_id as campaignId',
      'm.variant as variant',
      'm.country as country',
      eb.fn.countAll<number>().as('audience'),
      eb.fn
        .sum<number>(sql`case when m.decision like '{"action":"defer"%' then 1 else 0 end`)
        .as('deferred'),
      eb.fn.sum<number>(sql`case when m.sent_at is not null then 1 else 0 end`).as('sent'),
      eb.fn.sum<number>(sql`case when m.status = 'delivered' then 1 else 0 end`).as('delivered'),
      eb.fn
        .sum<number>(sql`case when m.status in (${sql.join(FAILED)}) then 1 else 0 end`)
        .as('failed'),
      eb.fn
        .sum<number>(sql`case when m.sent_at is not null then m.segments else 0 end`)
        .as('segmentsBilled'),
      // An opt-out: the recipient withdrew marketing consent after the message went (as the
      // guardrails count it).
      eb.fn
        .sum<number>(
          sql`case when m.sent_at is not null and exists (select 1 from contact_consents cc where cc.contact_id = m.contact_id and cc.purpose = 'marketing' and cc.granted = 0 and cc.at >= m.sent_at) then 1 else 0 end`,
        )
        .as('optOuts'),
    ])
    .where('m.campaign_id', 'is not', null)
    .groupBy(['m.campaign_id', 'm.variant', 'm.country']);
  if (opts.campaignId !== undefined) q = q.where('m.campaign_id', '=', opts.campaignId);
  const rows = await q.execute();
  return rows.map((r) => ({
    campaignId: Number(r.campaignId),
    variant: r.variant ?? '-',
    country: r.country,
    audience: n(r.audience),
    deferred: n(r.deferred),
    sent: n(r.sent),
    delivered: n(r.delivered),
    failed: n(r.failed),
    segmentsBilled: n(r.segmentsBilled),
    optOuts: n(r.optOuts),
  }));
}

/** Blocked messages per campaign, variant and reason. */
export async function blockedFigures(
  db: DbOrTx,
  opts: { campaignId?: number },
): Promise<{ campaignId: number; variant: string; reason: string; count: number }[]> {
  let q = db
    .selectFrom('messages')
    .select((eb) => ['campaign_id', 'variant', 'error_code', eb.fn.countAll<number>().as('n')])
    .where('campaign_id', 'is not', null)
    .where('status', '=', 'blocked')
    .groupBy(['campaign_id', 'variant', 'error_code']);
  if (opts.campaignId !== undefined) q = q.where('campaign_id', '=', opts.campaignId);
  return (await q.execute()).map((r) => ({
    campaignId: Number(r.campaign_id),
    variant: r.variant ?? '-',
    reason: r.error_code ?? 'unknown',
    count: n(r.n),
  }));
}

/** Human clicks on campaign links: all of them, and distinct contacts. */
export async function clickFigures(
  db: DbOrTx,
  opts: { campaignId?: number },
): Promise<{ campaignId: number; variant: string; total: number; unique: number }[]> {
  let q = db
    .selectFrom('link_clicks')
    .innerJoin('short_links', 'short_links.code', 'link_clicks.code')
    .select((eb) => [
      'short_links.campaign_id as campaignId',
      'short_links.variant as variant',
      eb.fn.countAll<number>().as('total'),
      // People: the contact, or the message once an erasure unlinked the contact.
      sql<number>`count(distinct coalesce(cast(short_links.contact_id as text), 'm' || cast(short_links.message_id as text)))`.as(
        'unique',
      ),
    ])
    .where('short_links.campaign_id', 'is not', null)
    .where('link_clicks.is_bot', '=', 0)
    .groupBy(['short_links.campaign_id', 'short_links.variant']);
  if (opts.campaignId !== undefined) q = q.where('short_links.campaign_id', '=', opts.campaignId);
  return (await q.execute()).map((r) => ({
    campaignId: Number(r.campaignId),
    variant: r.variant ?? '-',
    total: n(r.total),
    unique: n(r.unique),
  }));
}

/** Attributed conversions per campaign, variant and currency. */
export async function conversionFigures(
  db: DbOrTx,
  opts: { campaignId?: number },
): Promise<
  {
    campaignId: number;
    variant: string;
    currency: string;
    count: number;
    contacts: number;
    revenue: number;
  }[]
> {
  let q = db
    .selectFrom('conversions')
    .select((eb) => [
      'campaign_id',
      'variant',
      'currency',
      eb.fn.countAll<number>().as('count'),
      sql<number>`count(distinct contact_id)`.as('contacts'),
      eb.fn.sum<number>('value').as('revenue'),
    ])
    .where('campaign_id', 'is not', null)
    .groupBy(['campaign_id', 'variant', 'currency']);
  if (opts.campaignId !== undefined) q = q.where('campaign_id', '=', opts.campaignId);
  return (await q.execute()).map((r) => ({
    campaignId: Number(r.campaign_id),
    variant: r.variant ?? '-',
    currency: r.currency,
    count: n(r.count),
    contacts: n(r.contacts),
    revenue: n(r.revenue),
  }));
}

export interface HourlyRow {
  readonly hour: string;
  readonly variant: string;
  readonly metric: 'sent' | 'delivered' | 'clicks' | 'conversions' | 'opt_outs';
  readonly count: number;
}

/** One campaign's events by UTC hour (`2030-01-08T20`) and variant. */
export async function hourlyFigures(db: DbOrTx, campaignId: number): Promise<HourlyRow[]> {
  const hour = (col: string) => sql<string>`substr(${sql.ref(col)}, 1, 13)`;
  const byHour = async (
    metric: HourlyRow['metric'],
    q: Promise<{ hour: string; variant?: string | null; n: number | string }[]>,
  ) => (await q).map((r) => ({ hour: r.hour, variant: r.variant ?? '-', metric, count: n(r.n) }));
  const messages = (col: 'sent_at' | 'delivered_at') =>
    db
      .selectFrom('messages')
      .select((eb) => [hour(col).as('hour'), 'variant', eb.fn.countAll<number>().as('n')])
      .where('campaign_id', '=', campaignId)
      .where(col, 'is not', null)
      .groupBy([hour(col), 'variant'])
      .execute();
  return [
    ...(await byHour('sent', messages('sent_at'))),
    ...(await byHour('delivered', messages('delivered_at'))),
    ...(await byHour(
      'clicks',
      db
        .selectFrom('link_clicks')
        .innerJoin('short_links', 'short_links.code', 'link_clicks.code')
        .select((eb) => [
          hour('link_clicks.at').as('hour'),
          'short_links.variant as variant',
          eb.fn.countAll<number>().as('n'),
        ])
        .where('short_links.campaign_id', '=', campaignId)
        .where('link_clicks.is_bot', '=', 0)
        .groupBy([hour('link_clicks.at'), 'short_links.variant'])
        .execute(),
    )),
    ...(await byHour(
      'conversions',
      db
        .selectFrom('conversions')
        .select((eb) => [
          hour('occurred_at').as('hour'),
          'variant',
          eb.fn.countAll<number>().as('n'),
        ])
        .where('campaign_id', '=', campaignId)
        .groupBy([hour('occurred_at'), 'variant'])
        .execute(),
    )),
    ...(await byHour(
      'opt_outs',
      db
        .selectFrom('messages as m')
        .innerJoin('contact_consents as cc', 'cc.contact_id', 'm.contact_id')
        .select((eb) => [
          hour('cc.at').as('hour'),
          'm.variant as variant',
          eb.fn.countAll<number>().as('n'),
        ])
        .where('m.campaign_id', '=', campaignId)
        .where('m.sent_at', 'is not', null)
        .where('cc.purpose', '=', 'marketing')
        .where('cc.granted', '=', 0)
        .whereRef('cc.at', '>=', 'm.sent_at')
        .groupBy([hour('cc.at'), 'm.variant'])
        .execute(),
    )),
  ];
}

/** The audited winner decision of a campaign (its details hold the figures it was based on). */
export async function winnerDecision(
  db: DbOrTx,
  campaignId: number,
): Promise<{ at: string; details: string } | undefined> {
  return db
    .selectFrom('audit_log')
    .select(['at', 'details'])
    .where('action', '=', 'campaign.winner')
    .where('target', '=', `campaign:${campaignId}`)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}
