/**
 * Local calendar days in IANA zones, memoised. Luxon answers every question about zones and
 * DST correctly but costs microseconds per DateTime; the send decision runs hundreds of
 * thousands of times a second, so each (zone, local day) is computed once and then looked up.
 * The caches are pure memos (same input, same output) with a size bound.
 */
import { DateTime, IANAZone } from 'luxon';
import { HeraldError } from '../errors.js';
import type { Weekday } from './policy-pack.js';

export interface LocalDay {
  readonly zone: string;
  /** `YYYY-MM-DD` in the zone. */
  readonly date: string;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: Weekday;
  /** Epoch ms of local midnight, and of the next local midnight (23 h or 25 h later on DST days). */
  readonly startMs: number;
  readonly endMs: number;
}

// Every UTC offset and DST transition in the tz database falls on a quarter hour, so all the
// instants of one 15-minute bucket share the same local day.
const BUCKET_MS = 15 * 60_000;
const MAX_ENTRIES = 200_000;

// Keyed by zone, then by number: zone strings are few and reused, so their hashes are cached,
// where a concatenated key would be hashed afresh on every lookup.
const dayByBucket = new Map<string, Map<number, LocalDay>>();
const dayByDate = new Map<string, LocalDay>();
const validZones = new Set<string>();

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * @example
 *   assertZone('Europe/Paris'); // ok
 *   assertZone('Mars/Olympus'); // throws HeraldError VALIDATION_FAILED
 */
export function assertZone(zone: string): void {
  if (validZones.has(zone)) return;
  if (!IANAZone.isValidZone(zone)) {
    throw new HeraldError('VALIDATION_FAILED', `Unknown time zone: ${zone}`, { zone });
  }
  validZones.add(zone);
}

function computeDay(zone: string, ms: number): LocalDay {
  assertZone(zone);
  const start = DateTime.fromMillis(ms, { zone }).startOf('day');
  const date = start.toISODate() ?? '';
  const known = dayByDate.get(`${zone}|${date}`);
  if (known) return known;
  const next = start.plus({ days: 1 }).startOf('day');
  return remember(dayByDate, `${zone}|${date}`, {
    zone,
    date,
    year: start.year,
    month: start.month,
    day: start.day,
    weekday: start.weekday as Weekday,
    startMs: start.toMillis(),
    endMs: next.toMillis(),
  });
}

/**
 * The local calendar day containing an instant.
 *
 * @example
 *   localDayAt('America/New_York', Date.UTC(2026, 2, 8, 12)).date; // '2026-03-08'
 *   // 23 hours long: clocks go from 02:00 to 03:00 that night
 */
export function localDayAt(zone: string, ms: number): LocalDay {
  let buckets = dayByBucket.get(zone);
  if (!buckets) dayByBucket.set(zone, (buckets = new Map()));
  const bucket = Math.floor(ms / BUCKET_MS);
  const hit = buckets.get(bucket);
  if (hit) return hit;
  return remember(buckets, bucket, computeDay(zone, ms));
}

/**
 * @example
 *   nextLocalDay(localDayAt('Europe/Paris', Date.UTC(2026, 2, 28, 12))).date; // '2026-03-29'
 */
export function nextLocalDay(day: LocalDay): LocalDay {
  return localDayAt(day.zone, day.endMs);
}

/**
 * Epoch ms of a wall-clock minute of a local day. A minute that does not exist (inside a
 * spring-forward gap) moves forward by the length of the gap, as luxon does (02:30 → 03:30);
 * an ambiguous one (fall back) is luxon's choice; `24:00` is the next midnight.
 *
 * @example
 *   localMinuteToMillis(localDayAt('Europe/Paris', Date.UTC(2026, 6, 14, 12)), 8 * 60);
 *   // Date.UTC(2026, 6, 14, 6) — 08:00 CEST
 */
export function localMinuteToMillis(day: LocalDay, minuteOfDay: number): number {
  if (minuteOfDay <= 0) return day.startMs;
  if (minuteOfDay >= 24 * 60) return day.endMs;
  return DateTime.fromObject(
    {
      year: day.year,
      month: day.month,
      day: day.day,
      hour: Math.floor(minuteOfDay / 60),
      minute: minuteOfDay % 60,
    },
    { zone: day.zone },
  ).toMillis();
}

/**
 * @example
 *   parseClock('08:30'); // 510
 *   parseClock('24:00'); // 1440
 */
export function parseClock(text: string): number {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!(minutes >= 0 && minutes <= 24 * 60)) {
    throw new HeraldError('VALIDATION_FAILED', `Not a time of day (HH:mm): ${text}`, { text });
  }
  return minutes;
}

/**
 * @example
 *   formatClock(1260); // '21:00'
 */
export function formatClock(minuteOfDay: number): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/**
 * How a compliance officer reads an instant: local wall-clock time in the recipient's zone.
 *
 * @example
 *   formatLocal(Date.UTC(2026, 2, 9, 12), 'America/New_York'); // '2026-03-09 08:00'
 */
export function formatLocal(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
}
