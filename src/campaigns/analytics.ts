/**
 * Campaign analytics: per campaign and variant, what happened to its audience (blocked by
 * reason, deferred, sent, delivered, failed), what people did (clicks, conversions, revenue,
 * opt-outs) and what it cost (segments billed × the price of the destination country); an
 * hourly series of one campaign; a dashboard over every campaign. All from the same queries
 * (src/store/campaign-analytics.ts), so the totals always agree with the messages table.
 *
 * Rates: delivery = delivered / sent, click = unique clickers / sent, conversion = converting
 * contacts / sent, opt-out = opt-outs / sent. Cost counts messages handed to a carrier
 * (`sent`), so it may be below the campaign's planned cost while it still sends.
 */
import type { AppContext } from '../app-context.js';
import { messageCost } from '../core/campaigns/guardrails.js';
import {
  blockedFigures,
  clickFigures,
  conversionFigures,
  hourlyFigures,
  messageFigures,
} from '../store/campaign-analytics.js';
import { listCampaigns, type CampaignRow } from '../store/campaigns.js';

export interface Figures {
  audience: number;
  blocked: number;
  blockedByReason: Record<string, number>;
  deferred: number;
  sent: number;
  delivered: number;
  failed: number;
  clicks: { unique: number; total: number };
  conversions: number;
  converters: number;
  revenue: Record<string, number>;
  optOuts: number;
  segmentsBilled: number;
  cost: number;
  rates: { delivery: number; click: number; conversion: number; optOut: number };
}

export interface VariantFigures extends Figures {
  readonly variant: string;
}

export interface CampaignAnalytics {
  readonly campaign: {
    id: number;
    name: string;
    status: string;
    purpose: string;
    winner: string | null;
    winnerReason: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  };
  readonly total: Figures;
  readonly variants: VariantFigures[];
}

function empty(): Figures {
  return {
    audience: 0,
    blocked: 0,
    blockedByReason: {},
    deferred: 0,
    sent: 0,
    delivered: 0,
    failed: 0,
    clicks: { unique: 0, total: 0 },
    conversions: 0,
    converters: 0,
    revenue: {},
    optOuts: 0,
    segmentsBilled: 0,
    cost: 0,
    rates: { delivery: 0, click: 0, conversion: 0, optOut: 0 },
  };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1e6) / 1e6);
const money = (v: number) => Math.round(v * 1e6) / 1e6;

function addInto(to: Figures, from: Figures): void {
  for (const k of [
    'audience',
    'blocked',
    'deferred',
    'sent',
    'delivered',
    'failed',
    'conversions',
    'converters',
    'optOuts',
    'segmentsBilled',
    'cost',
  ] as const) {
    to[k] += from[k];
  }
  to.clicks.unique += from.clicks.unique;
  to.clicks.total += from.clicks.total;
  for (const [r, c] of Object.entries(from.blockedByReason)) {
    to.blockedByReason[r] = (to.blockedByReason[r] ?? 0) + c;
  }
  for (const [cur, v] of Object.entries(from.revenue)) to.revenue[cur] = (to.revenue[cur] ?? 0) + v;
}

function finish(f: Figures): Figures {
  f.cost = money(f.cost);
  for (const cur of Object.keys(f.revenue)) f.revenue[cur] = money(f.revenue[cur]!);
  f.rates = {
    delivery: ratio(f.delivered, f.sent),
    click: ratio(f.clicks.unique, f.sent),
    conversion: ratio(f.converters, f.sent),
    optOut: ratio(f.optOuts, f.sent),
  };
  return f;
}

/** Figures per campaign id, then per variant. */
async function figuresByCampaign(
  ctx: AppContext,
  opts: { campaignId?: number },
): Promise<Map<number, Map<string, Figures>>> {
  const db = ctx.store.db;
  const out = new Map<number, Map<string, Figures>>();
  const at = (campaignId: number, variant: string) => {
    let byVariant = out.get(campaignId);
    if (!byVariant) out.set(campaignId, (byVariant = new Map()));
    let f = byVariant.get(variant);
    if (!f) byVariant.set(variant, (f = empty()));
    return f;
  };
  for (const r of await messageFigures(db, opts)) {
    const f = at(r.campaignId, r.variant);
    f.audience += r.audience;
    f.deferred += r.deferred;
    f.sent += r.sent;
    f.delivered += r.delivered;
    f.failed += r.failed;
    f.segmentsBilled += r.segmentsBilled;
    f.optOuts += r.optOuts;
    f.cost += messageCost(r.segmentsBilled, r.country, ctx.config.smsPrices);
  }
  for (const r of await blockedFigures(db, opts)) {
    const f = at(r.campaignId, r.variant);
    f.blocked += r.count;
    f.blockedByReason[r.reason] = (f.blockedByReason[r.reason] ?? 0) + r.count;
  }
  for (const r of await clickFigures(db, opts)) {
    const f = at(r.campaignId, r.variant);
    f.clicks.total += r.total;
    f.clicks.unique += r.unique;
  }
  for (const r of await conversionFigures(db, opts)) {
    const f = at(r.campaignId, r.variant);
    f.conversions += r.count;
    f.converters += r.contacts;
    f.revenue[r.currency] = (f.revenue[r.currency] ?? 0) + r.revenue;
  }
  return out;
}

function campaignHeader(row: CampaignRow): CampaignAnalytics['campaign'] {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    purpose: row.purpose,
    winner: row.winner,
    winnerReason: row.winner_reason,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function assemble(
  row: CampaignRow,
  byVariant: Map<string, Figures> | undefined,
): CampaignAnalytics {
  const total = empty();
  const variants: VariantFigures[] = [];
  for (const [variant, f] of [...(byVariant ?? new Map<string, Figures>())].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    addInto(total, f);
    variants.push({ variant, ...finish(f) });
  }
  return { campaign: campaignHeader(row), total: finish(total), variants };
}

/** One campaign's figures, per variant and in total. */
export async function campaignAnalytics(
  ctx: AppContext,
  campaign: CampaignRow,
): Promise<CampaignAnalytics> {
  const figures = await figuresByCampaign(ctx, { campaignId: campaign.id });
  return assemble(campaign, figures.get(campaign.id));
}

export interface HourlyPoint {
  hour: string;
  variant: string;
  sent: number;
  delivered: number;
  clicks: number;
  conversions: number;
  optOuts: number;
}

/** One campaign's series by UTC hour (ISO hour `2030-01-08T20:00:00Z`) and variant. */
export async function campaignHourly(ctx: AppContext, campaignId: number): Promise<HourlyPoint[]> {
  const points = new Map<string, HourlyPoint>();
  const key = {
    sent: 'sent',
    delivered: 'delivered',
    clicks: 'clicks',
    conversions: 'conversions',
    opt_outs: 'optOuts',
  } as const;
  for (const r of await hourlyFigures(ctx.store.db, campaignId)) {
    const id = `${r.hour}|${r.variant}`;
    let p = points.get(id);
    if (!p) {
      p = {
        hour: `${r.hour}:00:00Z`,
        variant: r.variant,
        sent: 0,
        delivered: 0,
        clicks: 0,
        conversions: 0,
        optOuts: 0,
      };
      points.set(id, p);
    }
    p[key[r.metric]] += r.count;
  }
  return [...points.values()].sort((a, b) =>
    a.hour === b.hour ? a.variant.localeCompare(b.variant) : a.hour.localeCompare(b.hour),
  );
}

export interface Dashboard {
  readonly campaigns: number;
  readonly byStatus: Record<string, number>;
  readonly total: Figures;
  readonly perCampaign: { campaign: CampaignAnalytics['campaign']; total: Figures }[];
}

/** Every campaign (newest first, at most `limit`), with the totals over all of them. */
export async function dashboard(
  ctx: AppContext,
  opts: { limit?: number } = {},
): Promise<Dashboard> {
  const rows = await listCampaigns(ctx.store.db, { limit: opts.limit ?? 500 });
  const figures = await figuresByCampaign(ctx, {});
  const total = empty();
  const byStatus: Record<string, number> = {};
  const perCampaign = rows.map((row) => {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    const a = assemble(row, figures.get(row.id));
    addInto(total, a.total);
    return { campaign: a.campaign, total: a.total };
  });
  return { campaigns: rows.length, byStatus, total: finish(total), perCampaign };
}
