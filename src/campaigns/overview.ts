/**
 * The dashboard's overview: messages today and this week by status, per day over the last 14
 * days and per hour today; the delivery, click, conversion and opt-out rates of the last 7
 * days' messages; the campaigns sending now; and the alerts (campaigns a guardrail paused, and
 * carrier errors over the last 24 hours). Days and weeks are those of the time zone asked for
 * (weeks start on Monday); messages count in the period they were created in, by their status
 * now. Counts only: no number appears in it.
 */
import type { AppContext } from '../app-context.js';
import { overviewCalendar, type Period } from '../core/reports/calendar.js';
import {
  carrierErrors,
  guardrailPauses,
  messagesByPeriod,
  periodRates,
  runningCampaigns,
  type PeriodRates,
  type RunningCampaign,
} from '../store/overview.js';

export const OVERVIEW_DAYS = 14;
const CARRIER_ERROR_HOURS = 24;
const LIST_LIMIT = 50;

export interface PeriodCounts extends Period {
  readonly total: number;
  readonly byStatus: Record<string, number>;
}

export interface Overview {
  readonly timeZone: string;
  readonly generatedAt: string;
  readonly today: PeriodCounts;
  readonly week: PeriodCounts;
  readonly rates: Period &
    PeriodRates & {
      readonly delivery: number;
      readonly click: number;
      readonly conversion: number;
      readonly optOut: number;
    };
  readonly daily: PeriodCounts[];
  readonly hourly: PeriodCounts[];
  readonly runningCampaigns: RunningCampaign[];
  readonly alerts: {
    readonly paused: {
      id: number;
      name: string;
      reason: string;
      details: Record<string, unknown>;
      pausedAt: string;
    }[];
    readonly carrierErrors: {
      readonly since: string;
      readonly items: { carrier: string; errorCode: string; failed: number; retried: number }[];
    };
  };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 1e6) / 1e6);

/** Counts per period, from the rows of messagesByPeriod over adjacent periods. */
function countsOf(
  periods: readonly Period[],
  rows: readonly { period: number; status: string; count: number }[],
): PeriodCounts[] {
  const out = periods.map((p) => ({ ...p, total: 0, byStatus: {} as Record<string, number> }));
  for (const r of rows) {
    const p = out[r.period];
    if (!p) continue;
    p.total += r.count;
    p.byStatus[r.status] = (p.byStatus[r.status] ?? 0) + r.count;
  }
  return out;
}

function sum(period: Period, parts: readonly PeriodCounts[]): PeriodCounts {
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const p of parts) {
    total += p.total;
    for (const [s, c] of Object.entries(p.byStatus)) byStatus[s] = (byStatus[s] ?? 0) + c;
  }
  return { ...period, total, byStatus };
}

const edgesOf = (periods: readonly Period[]) => [...periods.map((p) => p.from), periods.at(-1)!.to];

export async function overview(
  ctx: AppContext,
  opts: { timeZone: string; now: Date },
): Promise<Overview> {
  const db = ctx.store.db;
  const cal = overviewCalendar(opts.timeZone, opts.now, OVERVIEW_DAYS);
  const since = new Date(opts.now.getTime() - CARRIER_ERROR_HOURS * 3_600_000).toISOString();
  const [byDay, byHour, rates, running, paused, errors] = await Promise.all([
    messagesByPeriod(db, { edges: edgesOf(cal.days) }),
    messagesByPeriod(db, { edges: edgesOf(cal.hours) }),
    periodRates(db, { from: cal.last7Days.from, to: cal.last7Days.to }),
    runningCampaigns(db, { limit: LIST_LIMIT }),
    guardrailPauses(db, { limit: LIST_LIMIT }),
    carrierErrors(db, { since, limit: LIST_LIMIT }),
  ]);
  const daily = countsOf(cal.days, byDay);
  // The day totals and the week's agree by construction: the week is a sum of days.
  const week = sum(
    cal.week,
    daily.filter((d) => d.from >= cal.week.from),
  );
  return {
    timeZone: cal.zone,
    generatedAt: opts.now.toISOString(),
    today: { ...daily.at(-1)!, key: cal.today.key },
    week,
    rates: {
      ...cal.last7Days,
      ...rates,
      delivery: ratio(rates.delivered, rates.sent),
      click: ratio(rates.clicked, rates.marketingSent),
      conversion: ratio(rates.converted, rates.marketingSent),
      optOut: ratio(rates.optedOut, rates.marketingSent),
    },
    daily,
    hourly: countsOf(cal.hours, byHour),
    runningCampaigns: running,
    alerts: {
      paused: paused.map((p) => ({
        id: p.id,
        name: p.name,
        reason: p.reason,
        details: p.detail ? (JSON.parse(p.detail) as Record<string, unknown>) : {},
        pausedAt: p.pausedAt,
      })),
      carrierErrors: { since, items: errors },
    },
  };
}
