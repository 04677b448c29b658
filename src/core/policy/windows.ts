/**
 * Allowed sending hours in the recipient's local time, across all of the recipient's zones, with
 * public holidays: when may a message go, and if not now, at the earliest when?
 *
 * Hours are compiled once per rule into minute ranges per weekday; each (zone, local day) is then
 * turned into epoch-ms intervals once (luxon does the DST arithmetic) and memoised.
 */
import { HeraldError } from '../errors.js';
import type { Instant } from './instant.js';
import { DAY_MS, toMillis } from './instant.js';
import type { HolidayInfo } from './holidays.js';
import { holidayOn } from './holidays.js';
import type { CompiledHours } from './hours.js';
import { ALWAYS, compileHours } from './hours.js';
import type { HolidayRule, HoursRule } from './policy-pack.js';
import type { LocalDay } from './time.js';
import { localDayAt, localMinuteToMillis, nextLocalDay } from './time.js';

/** How far ahead a lawful instant is searched for before giving up. */
export const SEARCH_HORIZON_DAYS = 400;

interface DayPlan {
  readonly holiday: HolidayInfo | null;
  /** Allowed epoch-ms intervals of the day, `[start, end, ...]`, ascending. */
  readonly intervals: readonly number[];
}

const NO_RULE = {};
type PlanCache = Map<LocalDay, DayPlan>;
// hours → holiday rule → country → region → day. LocalDay objects are canonical (one per zone
// and date), so they key the innermost map directly.
const plans = new WeakMap<CompiledHours, WeakMap<object, Map<string, Map<string, PlanCache>>>>();

function planCache(
  hours: CompiledHours,
  holidays: HolidayRule | null,
  country: string,
  region: string | undefined,
): PlanCache {
  let byRule = plans.get(hours);
  if (!byRule) plans.set(hours, (byRule = new WeakMap()));
  let byCountry = byRule.get(holidays ?? NO_RULE);
  if (!byCountry) byRule.set(holidays ?? NO_RULE, (byCountry = new Map()));
  // Without a holiday rule the country plays no part: one cache for all.
  const countryKey = holidays ? country : '';
  let byRegion = byCountry.get(countryKey);
  if (!byRegion) byCountry.set(countryKey, (byRegion = new Map()));
  const regionKey = holidays ? (region ?? '') : '';
  let cache = byRegion.get(regionKey);
  if (!cache) byRegion.set(regionKey, (cache = new Map()));
  return cache;
}

function dayPlan(
  cache: PlanCache,
  day: LocalDay,
  hours: CompiledHours,
  holidays: HolidayRule | null,
  country: string,
  region: string | undefined,
): DayPlan {
  let plan = cache.get(day);
  if (!plan) {
    const holiday = holidays ? holidayOn(country, region, day.date, holidays) : null;
    const ranges = holiday ? [] : hours.byWeekday[day.weekday]!;
    const intervals: number[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      const start = localMinuteToMillis(day, ranges[i]!);
      const end = localMinuteToMillis(day, ranges[i + 1]!);
      if (end > start) intervals.push(start, end);
    }
    plan = { holiday, intervals };
    if (cache.size >= 100_000) cache.clear();
    cache.set(day, plan);
  }
  return plan;
}

function nextInZone(
  ms: number,
  horizon: number,
  zone: string,
  cache: PlanCache,
  hours: CompiledHours,
  holidays: HolidayRule | null,
  country: string,
  region: string | undefined,
): number | null {
  for (let day = localDayAt(zone, ms); day.startMs <= horizon; day = nextLocalDay(day)) {
    const iv = dayPlan(cache, day, hours, holidays, country, region).intervals;
    for (let i = 0; i < iv.length; i += 2) {
      if (ms < iv[i + 1]!) return Math.max(ms, iv[i]!);
    }
  }
  return null;
}

/**
 * Epoch-ms form of nextAllowedInstant, for callers that iterate (decide()); `horizonDays` bounds
 * the search (a shorter one answers "not soon" cheaply).
 *
 * @example
 *   nextAllowedMillis(Date.UTC(2026, 0, 5, 3), ['Europe/Paris'], null, null, 'FR'); // same instant
 */
export function nextAllowedMillis(
  ms: number,
  zones: readonly string[],
  window: HoursRule | null,
  holidaysRule: HolidayRule | null,
  country: string,
  region?: string,
  horizonDays: number = SEARCH_HORIZON_DAYS,
): number | null {
  if (zones.length === 0) {
    throw new HeraldError('VALIDATION_FAILED', 'A recipient needs at least one time zone');
  }
  const hours = compileHours(window);
  if (hours.never) return null;
  const cache = planCache(hours, holidaysRule, country, region);
  const horizon = ms + horizonDays * DAY_MS;
  // Each zone pushes the candidate to its own next allowed instant; when a full pass moves
  // nothing, the candidate is allowed in every zone, and it is the earliest such instant.
  let t = ms;
  for (let pass = 0; pass < 10_000; pass += 1) {
    let moved = false;
    for (const zone of zones) {
      const next = nextInZone(t, horizon, zone, cache, hours, holidaysRule, country, region);
      if (next === null || next > horizon) return null;
      if (next > t) {
        t = next;
        moved = true;
      }
    }
    if (!moved) return t;
  }
  return null;
}

/**
 * The earliest lawful instant ≥ now: inside the hours in every one of the recipient's zones
 * and not on a public holiday there (when a holiday rule is given). null when there is none
 * within SEARCH_HORIZON_DAYS (hours that allow nothing).
 *
 * @example
 *   // Sunday 8 March 2026, 07:30 EDT (the day clocks spring forward), US marketing 08:00–21:00
 *   nextAllowedInstant(
 *     new Date('2026-03-08T11:30:00Z'),
 *     ['America/New_York'],
 *     { allowed: [{ start: '08:00', end: '21:00' }] },
 *     null,
 *     'US',
 *   ); // 2026-03-08T12:00:00.000Z (08:00 EDT)
 */
export function nextAllowedInstant(
  now: Instant,
  zones: readonly string[],
  window: HoursRule | null,
  holidaysRule: HolidayRule | null,
  country: string,
  region?: string,
): Date | null {
  const ms = nextAllowedMillis(toMillis(now), zones, window, holidaysRule, country, region);
  return ms === null ? null : new Date(ms);
}

/**
 * The public holiday the instant falls on in any of the zones, or null.
 *
 * @example
 *   holidayAt(Date.UTC(2026, 6, 14, 10), ['Europe/Paris'], { appliesTo: ['marketing'], types: ['public'] }, 'FR');
 *   // { date: '2026-07-14', name: 'Bastille Day (Fête Nationale de la France)', type: 'public' }
 */
export function holidayAt(
  now: Instant,
  zones: readonly string[],
  rule: HolidayRule,
  country: string,
  region?: string,
): HolidayInfo | null {
  const ms = toMillis(now);
  const cache = planCache(ALWAYS, rule, country, region);
  for (const zone of zones) {
    const found = dayPlan(cache, localDayAt(zone, ms), ALWAYS, rule, country, region).holiday;
    if (found) return found;
  }
  return null;
}

/**
 * Whether an instant is inside the hours in every zone (and not on a holiday, when a rule is
 * given): nextAllowedInstant(now) === now, without searching ahead.
 *
 * @example
 *   isAllowedAt(Date.UTC(2026, 2, 8, 11, 59), ['America/New_York'],
 *     { allowed: [{ start: '08:00', end: '21:00' }] }, null, 'US'); // false (07:59 EDT)
 */
export function isAllowedAt(
  now: Instant,
  zones: readonly string[],
  window: HoursRule | null,
  holidaysRule: HolidayRule | null,
  country: string,
  region?: string,
): boolean {
  if (zones.length === 0) {
    throw new HeraldError('VALIDATION_FAILED', 'A recipient needs at least one time zone');
  }
  const ms = toMillis(now);
  const hours = compileHours(window);
  const cache = planCache(hours, holidaysRule, country, region);
  for (const zone of zones) {
    const day = localDayAt(zone, ms);
    const iv = dayPlan(cache, day, hours, holidaysRule, country, region).intervals;
    let inside = false;
    for (let i = 0; i < iv.length && !inside; i += 2) inside = ms >= iv[i]! && ms < iv[i + 1]!;
    if (!inside) return false;
  }
  return true;
}
