/**
 * Analytics as CSV: one row per campaign and variant (and `all`), or per hour. Every cell goes
 * through the formula-injection guard (src/core/csv.ts): campaign names are written by
 * people, and a CSV is opened in a spreadsheet.
 */
import { csvRows, type CsvCell } from '../core/csv.js';
import type { CampaignAnalytics, Dashboard, Figures, HourlyPoint } from './analytics.js';

export const FIGURE_COLUMNS = [
  'campaign_id',
  'campaign',
  'status',
  'variant',
  'audience',
  'blocked',
  'blocked_by_reason',
  'deferred',
  'sent',
  'delivered',
  'failed',
  'unique_clicks',
  'total_clicks',
  'conversions',
  'revenue',
  'opt_outs',
  'segments_billed',
  'cost',
  'delivery_rate',
  'click_rate',
  'conversion_rate',
  'opt_out_rate',
] as const;

const pairs = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');

function figureRow(c: CampaignAnalytics['campaign'], variant: string, f: Figures): CsvCell[] {
  return [
    c.id,
    c.name,
    c.status,
    variant,
    f.audience,
    f.blocked,
    pairs(f.blockedByReason),
    f.deferred,
    f.sent,
    f.delivered,
    f.failed,
    f.clicks.unique,
    f.clicks.total,
    f.conversions,
    pairs(f.revenue),
    f.optOuts,
    f.segmentsBilled,
    f.cost,
    f.rates.delivery,
    f.rates.click,
    f.rates.conversion,
    f.rates.optOut,
  ];
}

export function campaignCsv(a: CampaignAnalytics): string {
  return csvRows([
    [...FIGURE_COLUMNS],
    ...a.variants.map((v) => figureRow(a.campaign, v.variant, v)),
    figureRow(a.campaign, 'all', a.total),
  ]);
}

export function dashboardCsv(d: Dashboard): string {
  return csvRows([
    [...FIGURE_COLUMNS],
    ...d.perCampaign.map((p) => figureRow(p.campaign, 'all', p.total)),
  ]);
}

export function hourlyCsv(points: readonly HourlyPoint[]): string {
  return csvRows([
    ['hour', 'variant', 'sent', 'delivered', 'clicks', 'conversions', 'opt_outs'],
    ...points.map((p) => [
      p.hour,
      p.variant,
      p.sent,
      p.delivered,
      p.clicks,
      p.conversions,
      p.optOuts,
    ]),
  ]);
}
