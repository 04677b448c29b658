/**
 * The periods of the dashboard, in the caller's time zone: today, this week (from Monday), the
 * last 7 days, each of the last N days and each hour of today. Each period is a half-open
 * interval of instants `[from, to)` (ISO UTC strings, which compare as text the way the
 * database stores timestamps). Local days follow the zone's calendar, so a day with a clock
 * change is 23 or 25 hours long, and today has 23 or 25 hourly periods.
 *
 * @example
 *   const c = overviewCalendar('Asia/Shanghai', new Date('2030-01-08T20:00:00Z'));
 *   c.today; // { key: '2030-01-09', from: '2030-01-08T16:00:00.000Z', to: '2030-01-09T16:00:00.000Z' }
 *   c.week.key; // '2030-01-07' (the Monday)
 */
import { DateTime } from 'luxon';
import { assertZone, localDayAt, type LocalDay } from '../policy/time.js';

export interface Period {
  /** `YYYY-MM-DD` for a day or a week (its first day); the local ISO hour for an hour. */
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

export interface OverviewCalendar {
  readonly zone: string;
  readonly today: Period;
  /** Monday 00:00 (ISO weeks, as in China and Europe) to the end of today. */
  readonly week: Period;
  /** The last 7 local days, today included. */
  readonly last7Days: Period;
  /** The last `dayCount` local days, oldest first; the last one is today. */
  readonly days: readonly Period[];
  /** The hours of today, in order (the clock's own hours: 23 or 25 on a day it changes). */
  readonly hours: readonly Period[];
}

const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const dayPeriod = (d: LocalDay): Period => ({
  key: d.date,
  from: iso(d.startMs),
  to: iso(d.endMs),
});

export function overviewCalendar(zone: string, now: Date, dayCount = 14): OverviewCalendar {
  assertZone(zone);
  const today = localDayAt(zone, now.getTime());
  const days: LocalDay[] = [today];
  while (days.length < Math.max(dayCount, 7)) days.unshift(localDayAt(zone, days[0]!.startMs - 1));
  const monday = days[days.length - today.weekday]!;
  const seventh = days[days.length - 7]!;
  const hours: Period[] = [];
  for (let t = today.startMs; t < today.endMs; t += HOUR_MS) {
    const end = Math.min(t + HOUR_MS, today.endMs);
    const key = DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true }) ?? iso(t);
    hours.push({ key, from: iso(t), to: iso(end) });
  }
  return {
    zone,
    today: dayPeriod(today),
    week: { key: monday.date, from: iso(monday.startMs), to: iso(today.endMs) },
    last7Days: { key: seventh.date, from: iso(seventh.startMs), to: iso(today.endMs) },
    days: days.slice(-dayCount).map(dayPeriod),
    hours,
  };
}
