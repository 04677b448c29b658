/** Conversions and the click they are attributed to. */
import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { ConversionsTable } from './schema.js';

export type ConversionRow = Selectable<ConversionsTable>;
export type NewConversionRow = Insertable<ConversionsTable>;

export async function findConversionByOrder(
  db: DbOrTx,
  orderId: string,
): Promise<ConversionRow | undefined> {
  return db
    .selectFrom('conversions')
    .selectAll()
    .where('order_id', '=', orderId)
    .executeTakeFirst();
}

/** Inserts unless the order id is already there; the row when inserted. */
export async function insertConversion(
  db: DbOrTx,
  row: NewConversionRow,
): Promise<ConversionRow | undefined> {
  return db
    .insertInto('conversions')
    .values(row)
    .onConflict((oc) => oc.column('order_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export interface AttributedClick {
  readonly clickId: number;
  readonly at: string;
  readonly campaignId: number;
  readonly messageId: number | null;
  readonly variant: string | null;
}

/**
 * The contact's latest human click on a campaign link in [since, until]: the message is the
 * link's own, or else the campaign's message to that contact (one per campaign and contact).
 */
export async function lastCampaignClick(
  db: DbOrTx,
  opts: { contactId: number; since: string; until: string },
): Promise<AttributedClick | undefined> {
  const row = await db
    .selectFrom('link_clicks')
    .innerJoin('short_links', 'short_links.code', 'link_clicks.code')
    .leftJoin('messages', (j) =>
      j
        .onRef('messages.campaign_id', '=', 'short_links.campaign_id')
        .onRef('messages.contact_id', '=', 'short_links.contact_id'),
    )
    .select([
      'link_clicks.id as clickId',
      'link_clicks.at as at',
      'short_links.campaign_id as campaignId',
      'short_links.message_id as linkMessageId',
      'messages.id as campaignMessageId',
      'short_links.variant as variant',
    ])
    .where('short_links.contact_id', '=', opts.contactId)
    .where('short_links.campaign_id', 'is not', null)
    .where('link_clicks.is_bot', '=', 0)
    .where('link_clicks.at', '>=', opts.since)
    .where('link_clicks.at', '<=', opts.until)
    .orderBy('link_clicks.at', 'desc')
    .orderBy('link_clicks.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.campaignId === null) return undefined;
  return {
    clickId: row.clickId,
    at: row.at,
    campaignId: row.campaignId,
    messageId: row.linkMessageId ?? row.campaignMessageId ?? null,
    variant: row.variant,
  };
}
