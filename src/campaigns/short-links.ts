/**
 * Tracked short links: `${publicUrl}/s/<code>`, one per message and link, so a click is
 * attributed to its contact, campaign and variant. Targets are checked against the configured
 * domains when the link is made, and the redirect only ever goes to the stored target: the
 * short-link endpoint is never an open redirect.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import {
  checkLinkTarget,
  isLinkPreviewBot,
  rewriteLinks,
  shortCodeFromBytes,
} from '../core/content/links.js';
import {
  findShortLink,
  insertClick,
  insertShortLink,
  type ShortLinkRow,
} from '../store/short-links.js';
import { emitLinkClicked } from '../webhooks/emit.js';

export interface LinkAttribution {
  readonly messageId?: number | null;
  readonly contactId?: number | null;
  readonly campaignId?: number | null;
  readonly variant?: string | null;
  readonly expiresAt?: Date | null;
}

const CODE_LENGTH = 10; // 62^10 ≈ 8·10^17: unguessable at any click rate we will see

export function shortUrl(ctx: AppContext, code: string): string {
  return `${ctx.config.publicUrl}/s/${code}`;
}

export async function createShortLink(
  ctx: AppContext,
  target: string,
  a: LinkAttribution = {},
): Promise<ShortLinkRow> {
  const normalised = checkLinkTarget(target, ctx.config.linkDomains);
  const row: ShortLinkRow = {
    code: shortCodeFromBytes(randomBytes(CODE_LENGTH * 2), CODE_LENGTH),
    target: normalised,
    message_id: a.messageId ?? null,
    contact_id: a.contactId ?? null,
    campaign_id: a.campaignId ?? null,
    variant: a.variant ?? null,
    created_at: new Date().toISOString(),
    expires_at: a.expiresAt?.toISOString() ?? null,
  };
  await insertShortLink(ctx.store.db, row);
  return row;
}

/** Replaces every link of a message body by its own tracked short link. */
export async function trackLinks(
  ctx: AppContext,
  body: string,
  a: LinkAttribution,
): Promise<string> {
  const targets = new Map<string, string>();
  // Create the links first (async), then rewrite synchronously with the results.
  rewriteLinks(body, (url) => {
    targets.set(url, '');
    return url;
  });
  for (const url of targets.keys())
    targets.set(url, shortUrl(ctx, (await createShortLink(ctx, url, a)).code));
  return rewriteLinks(body, (url) => targets.get(url)!).text;
}

export type ClickOutcome = { found: false } | { found: true; target: string; bot: boolean };

/** Records a visit and answers where to send the visitor. */
export async function followShortLink(
  ctx: AppContext,
  code: string,
  visitor: { ip: string; userAgent: string | undefined },
  now = new Date(),
): Promise<ClickOutcome> {
  const link = await findShortLink(ctx.store.db, code);
  if (!link || (link.expires_at && link.expires_at <= now.toISOString())) return { found: false };
  const bot = isLinkPreviewBot(visitor.userAgent);
  const fingerprint = createHmac('sha256', ctx.masterKey)
    .update(`visitor\n${visitor.ip}\n${visitor.userAgent ?? ''}`)
    .digest('base64url')
    .slice(0, 22);
  await insertClick(ctx.store.db, {
    code,
    at: now.toISOString(),
    is_bot: bot ? 1 : 0,
    visitor: fingerprint,
  });
  if (!bot) await emitLinkClicked(ctx, link, now);
  return { found: true, target: link.target, bot };
}
