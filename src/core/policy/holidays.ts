/**
 * Public holidays of the recipient's country (and region when known), from date-holidays, as
 * sets of local dates. date-holidays instances are costly to build and each year's list costs
 * more, so both are memoised per country/region and per year: pure memos, fine in the core.
 */
import Holidays from 'date-holidays';
import type { HolidayRule, HolidayType } from './policy-pack.js';
import { DAY_MS } from './instant.js';

export interface HolidayInfo {
  /** Local date, `YYYY-MM-DD`. */
  readonly date: string;
  /** English name, with the country's own name after it when different: `Spring Festival (春节)`. */
  readonly name: string;
  /** The date-holidays type, or `official` for a day off the pack adds (`extraDates`). */
  readonly type: HolidayType | 'official';
}

const instances = new Map<string, Holidays>();
const tables = new Map<string, ReadonlyMap<string, HolidayInfo>>();
const ruleKeys = new WeakMap<HolidayRule, string>();

function instanceFor(country: string, region: string | undefined): Holidays {
  const key = `${country}|${region ?? ''}`;
  let hd = instances.get(key);
  if (!hd) {
    hd = new Holidays(country);
    // An unknown subdivision is not a reason to lose the national holidays.
    if (region && hd.getStates(country)?.[region]) hd = new Holidays(country, region);
    instances.set(key, hd);
  }
  return hd;
}

function keyOf(rule: HolidayRule): string {
  let key = ruleKeys.get(rule);
  if (key === undefined) {
    key = [
      rule.types.join(','),
      (rule.ignoreRules ?? []).join(','),
      (rule.extraDates ?? []).join(','),
    ].join('|');
    ruleKeys.set(rule, key);
  }
  return key;
}

/** `YYYY-MM-DD` plus n days, by the proleptic Gregorian calendar (no zone involved). */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function buildTable(country: string, region: string | undefined, year: number, rule: HolidayRule) {
  const table = new Map<string, HolidayInfo>();
  const types = new Set<string>(rule.types);
  const ignore = new Set(rule.ignoreRules ?? []);
  const hd = instanceFor(country, region);
  const localNames = new Map(hd.getHolidays(year).map((h) => [`${h.date}|${h.rule}`, h.name]));
  for (const h of hd.getHolidays(year, 'en')) {
    if (!types.has(h.type) || ignore.has(h.rule)) continue;
    const local = localNames.get(`${h.date}|${h.rule}`);
    const name = local && local !== h.name ? `${h.name} (${local})` : h.name;
    // A holiday may span days; half days (start 12:00) count for the whole local day.
    const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
    const first = h.date.slice(0, 10);
    for (let i = 0; i < span; i += 1) {
      const date = addDays(first, i);
      if (!table.has(date)) table.set(date, { date, name, type: h.type });
    }
  }
  for (const date of rule.extraDates ?? []) {
    if (date.startsWith(`${year}-`) && !table.has(date)) {
      table.set(date, { date, name: 'official day off', type: 'official' });
    }
  }
  return table;
}

/**
 * The holiday on a local date under a pack's rule, or null.
 *
 * @example
 *   holidayOn('FR', undefined, '2026-07-14', { appliesTo: ['marketing'], types: ['public'] });
 *   // { date: '2026-07-14', name: 'Bastille Day (Fête Nationale de la France)', type: 'public' }
 */
export function holidayOn(
  country: string,
  region: string | undefined,
  date: string,
  rule: HolidayRule,
): HolidayInfo | null {
  const year = Number(date.slice(0, 4));
  const key = `${country}|${region ?? ''}|${year}|${keyOf(rule)}`;
  let table = tables.get(key);
  if (!table) {
    table = buildTable(country.toUpperCase(), region?.toUpperCase(), year, rule);
    tables.set(key, table);
  }
  return table.get(date) ?? null;
}
