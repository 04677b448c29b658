/**
 * Tracked links in campaign messages: every link of a planned message becomes its own short
 * link carrying the campaign, variant and contact (and the message once it has an id), so a
 * click is credited to the message that carried it (click rates per variant, conversions).
 * Done synchronously while planning so the message's segments and cost count the short URL.
 * A link outside HERALD_LINK_DOMAINS is left as written (untracked): the short-link endpoint
 * never redirects anywhere else.
 */
import { randomBytes } from 'node:crypto';
import {
  checkLinkTarget,
  findLinks,
  rewriteLinks,
  shortCodeFromBytes,
} from '../core/content/links.js';
import type { ShortLinkRow } from '../store/short-links.js';

export interface CampaignLinkConfig {
  readonly publicUrl: string;
  readonly domains: readonly string[];
}

export interface CampaignLinkAttribution {
  readonly campaignId: number;
  readonly contactId: number;
  readonly variant: string;
  readonly now: Date;
}

const CODE_LENGTH = 10;

/** The body with its links shortened, and the short links to store with the message. */
export function trackCampaignLinks(
  config: CampaignLinkConfig,
  body: string,
  a: CampaignLinkAttribution,
): { body: string; links: ShortLinkRow[] } {
  if (findLinks(body).length === 0) return { body, links: [] };
  const links: ShortLinkRow[] = [];
  const rewritten = rewriteLinks(body, (url) => {
    let target: string;
    try {
      target = checkLinkTarget(url, config.domains);
    } catch {
      return url;
    }
    const code = shortCodeFromBytes(randomBytes(CODE_LENGTH * 2), CODE_LENGTH);
    links.push({
      code,
      target,
      message_id: null,
      contact_id: a.contactId,
      campaign_id: a.campaignId,
      variant: a.variant,
      created_at: a.now.toISOString(),
      expires_at: null,
    });
    return `${config.publicUrl}/s/${code}`;
  });
  return { body: rewritten.text, links };
}
