/**
 * Campaigns (0011) and what the lifecycle does to a campaign's messages at once: hold them on
 * pause, release them on resume, cancel them; their counts; the latest outcomes the guardrails
 * judge. Every change of a campaign's status is a compare-and-set on the status it was read in,
 * so two people (or a person and the lifecycle job) never both move it.
 */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { CampaignsTable } from './schema.js';

export type CampaignRow = Selectable<CampaignsTable>;
export type NewCampaignRow = Insertable<CampaignsTable>;
export type CampaignPatch = Updateable<CampaignsTable>;

export async function insertCampaign(db: DbOrTx, row: NewCampaignRow): Promise<CampaignRow> {
  return db.insertInto('campaigns').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findCampaign(db: DbOrTx, id: number): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Campaigns newest first (keyset on the id), optionally of one status. */
export async function listCampaigns(
  db: DbOrTx,
  opts: { status?: string; beforeId?: number; limit: number },
): Promise<CampaignRow[]> {
  let q = db.selectFrom('campaigns').selectAll();
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

/** Changes a campaign only while it is in one of `from`; undefined when it was not. */
export async function updateCampaignFrom(
  db: DbOrTx,
  opts: { id: number; from: readonly string[]; patch: CampaignPatch },
): Promise<CampaignRow | undefined> {
  return db
    .updateTable('campaigns')
    .set(opts.patch)
    .where('id', '=', opts.id)
    .where('status', 'in', opts.from)
    .returningAll()
    .executeTakeFirst();
}

/** Campaigns the lifecycle job has work for: scheduled ones whose time has come, and sending. */
export async function activeCampaigns(db: DbOrTx, opts: { now: string }): Promise<CampaignRow[]> {
  return db
    .selectFrom('campaigns')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'scheduled'), eb('plan_at', '<=', opts.now)]),
        eb('status', '=', 'sending'),
      ]),
    )
    .orderBy('id')
    .execute();
}

/** How many of a campaign's messages are in each status (blocked and deferred by reason). */
export async function campaignMessageCounts(
  db: DbOrTx,
  campaignId: number,
): Promise<{ status: string; reason: string | null; variant: string | null; n: number }[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['status', 'error_code', 'variant'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .groupBy(['status', 'error_code', 'variant'])
    .execute();
  return rows.map((r) => ({
    status: r.status,
    reason: r.error_code,
    variant: r.variant ?? null,
    n: Number(r.n),
  }));
}

/** Whether any of a campaign's messages is still to be decided or handed over (or held). */
export async function hasOpenCampaignMessages(db: DbOrTx, campaignId: number): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['queued', 'deferred', 'sending', 'submitted', 'paused'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Moves a campaign's messages from `from` to `to` with one history row each, in the caller's
 * transaction. `sending` may be among `from`: a worker that claimed such a message finds its
 * claim gone (holdClaim) and does not hand it over. `restoreDeferred`: rows with a decision
 * reason go back to `deferred`, the others to `to`.
 */
export async function moveCampaignMessages(
  tx: DbOrTx,
  opts: {
    campaignId: number;
    from: readonly string[];
    to: string;
    detail: string;
    at: string;
    restoreDeferred?: boolean;
    errorCode?: string;
  },
): Promise<number> {
  const status = opts.restoreDeferred
    ? sql<string>`case when error_code is null then ${opts.to} else ${'deferred'} end`
    : sql<string>`${opts.to}`;
  await tx
    .insertInto('message_events')
    .columns(['message_id', 'at', 'status', 'detail', 'carrier'])
    .expression(
      tx
        .selectFrom('messages')
        .select([
          'id',
          sql<string>`${opts.at}`.as('at'),
          status.as('status'),
          sql<string>`${opts.detail}`.as('detail'),
          sql<null>`null`.as('carrier'),
        ])
        .where('campaign_id', '=', opts.campaignId)
        .where('status', 'in', opts.from),
    )
    .execute();
  const result = await tx
    .updateTable('messages')
    .set({
      status,
      lease_until: null,
      ...(opts.errorCode ? { error_code: opts.errorCode } : {}),
    })
    .where('campaign_id', '=', opts.campaignId)
    .where('status', 'in', opts.from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * The campaign's latest `window` messages that reached a carrier or failed: how many, how many
 * failed (failed, undelivered, expired), and how many recipients took back their marketing
 * consent after their message was sent.
 */
export async function recentCampaignOutcomes(
  db: DbOrTx,
  opts: { campaignId: number; window: number },
): Promise<{ handed: number; failed: number; optOuts: number }> {
  const latest = db
    .selectFrom('messages')
    .select(['id', 'status', 'contact_id', 'sent_at'])
    .where('campaign_id', '=', opts.campaignId)
    .where('sent_at', 'is not', null)
    .where('status', 'in', [
      'submitted',
      'sent',
      'delivered',
      'undelivered',
      'expired',
      'unknown',
      'failed',
    ])
    .orderBy('sent_at', 'desc')
    .limit(opts.window)
    .as('m');
  const row = await db
    .selectFrom(latest)
    .select((eb) => [
      eb.fn.countAll<number>().as('handed'),
      eb.fn
        .sum<number>(
          sql`case when m.status in ('failed', 'undelivered', 'expired') then 1 else 0 end`,
        )
        .as('failed'),
      eb.fn
        .sum<number>(
          sql`case when exists (select 1 from contact_consents cc where cc.contact_id = m.contact_id and cc.purpose = 'marketing' and cc.granted = 0 and cc.at >= m.sent_at) then 1 else 0 end`,
        )
        .as('opt_outs'),
    ])
    .executeTakeFirstOrThrow();
  return {
    handed: Number(row.handed ?? 0),
    failed: Number(row.failed ?? 0),
    optOuts: Number(row.opt_outs ?? 0),
  };
}
