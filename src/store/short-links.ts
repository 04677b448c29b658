/** Short links and clicks. */
import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { ShortLinksTable } from './schema.js';

export type ShortLinkRow = Selectable<ShortLinksTable>;

export async function insertShortLink(db: DbOrTx, row: ShortLinkRow): Promise<void> {
  await db.insertInto('short_links').values(row).execute();
}

export async function findShortLink(db: DbOrTx, code: string): Promise<ShortLinkRow | undefined> {
  return db.selectFrom('short_links').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function insertClick(
  db: DbOrTx,
  row: { code: string; at: string; is_bot: number; visitor: string },
): Promise<void> {
  await db.insertInto('link_clicks').values(row).execute();
}

export interface ClickStats {
  readonly total: number;
  readonly unique: number;
  readonly bots: number;
}

/** Clicks by people (bots apart); unique counts contacts, or visitors for unattributed links. */
export async function clickStats(
  db: DbOrTx,
  where: { code?: string; campaignId?: number; variant?: string },
): Promise<ClickStats> {
  let q = db
    .selectFrom('link_clicks')
    .innerJoin('short_links', 'short_links.code', 'link_clicks.code')
    .select([
      sql<number>`sum(case when link_clicks.is_bot = 0 then 1 else 0 end)`.as('total'),
      sql<number>`sum(case when link_clicks.is_bot = 1 then 1 else 0 end)`.as('bots'),
      sql<number>`count(distinct case when link_clicks.is_bot = 0 then coalesce(cast(short_links.contact_id as text), link_clicks.visitor) end)`.as(
        'unique',
      ),
    ]);
  if (where.code) q = q.where('short_links.code', '=', where.code);
  if (where.campaignId !== undefined) q = q.where('short_links.campaign_id', '=', where.campaignId);
  if (where.variant !== undefined) q = q.where('short_links.variant', '=', where.variant);
  const row = await q.executeTakeFirstOrThrow();
  return {
    total: Number(row.total ?? 0),
    unique: Number(row.unique ?? 0),
    bots: Number(row.bots ?? 0),
  };
}

/** Stores many short links at once (a planned batch of campaign messages). */
export async function insertShortLinks(db: DbOrTx, rows: readonly ShortLinkRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('short_links')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

export interface ContactClickRow {
  readonly id: number;
  readonly at: string;
  readonly code: string;
  readonly target: string;
  readonly message_id: number | null;
  readonly campaign_id: number | null;
  readonly variant: string | null;
  readonly is_bot: number;
}

/** A contact's clicks on its tracked links, newest first (keyset paging with `beforeId`). */
export async function listContactClicks(
  db: DbOrTx,
  f: { contactId: number; beforeId?: number; limit: number },
): Promise<ContactClickRow[]> {
  let q = db
    .selectFrom('link_clicks')
    .innerJoin('short_links', 'short_links.code', 'link_clicks.code')
    .select([
      'link_clicks.id',
      'link_clicks.at',
      'link_clicks.code',
      'link_clicks.is_bot',
      'short_links.target',
      'short_links.message_id',
      'short_links.campaign_id',
      'short_links.variant',
    ])
    .where('short_links.contact_id', '=', f.contactId);
  if (f.beforeId !== undefined) q = q.where('link_clicks.id', '<', f.beforeId);
  return q.orderBy('link_clicks.id', 'desc').limit(f.limit).execute();
}
