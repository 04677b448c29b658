/**
 * When a campaign's messages are meant to go, per recipient: now (when it starts), at an
 * instant, at a wall-clock time in the recipient's own zone ("10:00 recipient time"), or at
 * the recipient's best hour within a window of local hours (the send-time model). This is only
 * the wish: every instant still passes decide(), which may defer it to the earliest lawful one.
 *
 * @example
 *   sendInstant({ kind: 'local_time', date: '2030-01-09', time: '10:00' },
 *     { zone: 'Asia/Shanghai', startedAt: Date.UTC(2030, 0, 8) });
 *   // Date.UTC(2030, 0, 9, 2): 10:00 in Shanghai
 */
import { DateTime } from 'luxon';
import { Type, type Static } from 'typebox';
import { HeraldError } from '../errors.js';
import { parseClock } from '../policy/time.js';

export const SCHEDULE_KINDS = ['now', 'at', 'local_time', 'best_hour'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:mm' });
const LocalDate = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'YYYY-MM-DD',
});

export const ScheduleSchema = Type.Union([
  Type.Object({ kind: Type.Literal('now') }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('at'), at: Type.String({ format: 'date-time' }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('local_time'), date: LocalDate, time: Clock },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('best_hour'),
      date: LocalDate,
      window: Type.Object({ start: Clock, end: Clock }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
]);
export type CampaignSchedule = Static<typeof ScheduleSchema>;

const HOUR_MS = 3_600_000;
/** The earliest UTC offset in the tz database (Kiribati, UTC+14). */
const EARLIEST_OFFSET_MS = 14 * HOUR_MS;

/** Checks what a schema cannot: real dates, a window that is not empty. Throws VALIDATION_FAILED. */
export function checkSchedule(schedule: CampaignSchedule): void {
  if (schedule.kind === 'now') return;
  if (schedule.kind === 'at') {
    if (Number.isNaN(Date.parse(schedule.at))) {
      throw new HeraldError('VALIDATION_FAILED', 'schedule.at is not an instant');
    }
    return;
  }
  if (!DateTime.fromISO(schedule.date, { zone: 'UTC' }).isValid) {
    throw new HeraldError('VALIDATION_FAILED', `schedule.date is not a date: ${schedule.date}`);
  }
  if (schedule.kind === 'best_hour') {
    const start = parseClock(schedule.window.start);
    const end = parseClock(schedule.window.end);
    if (end <= start) {
      throw new HeraldError('VALIDATION_FAILED', 'schedule.window must end after it starts');
    }
  }
}

/** The local hours (0–23) a best-hour window covers: every hour that starts inside it. */
export function windowHours(window: { start: string; end: string }): number[] {
  const start = parseClock(window.start);
  const end = parseClock(window.end);
  const hours: number[] = [];
  for (let h = Math.floor(start / 60); h * 60 < end && h < 24; h++) {
    if (h * 60 >= start || start % 60 === 0) hours.push(h);
  }
  return hours.length > 0 ? hours : [Math.floor(start / 60)];
}

/**
 * The instant planning should begin: the schedule's earliest send anywhere on earth (a local
 * time is reached first at UTC+14), never before `now`.
 */
export function planStart(schedule: CampaignSchedule, now: number): number {
  switch (schedule.kind) {
    case 'now':
      return now;
    case 'at':
      return Math.max(now, Date.parse(schedule.at));
    case 'local_time':
    case 'best_hour': {
      const clock = schedule.kind === 'local_time' ? schedule.time : schedule.window.start;
      const utc = Date.parse(`${schedule.date}T${clock}:00.000Z`);
      return Math.max(now, utc - EARLIEST_OFFSET_MS);
    }
  }
}

function localInstant(date: string, minuteOfDay: number, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return DateTime.fromObject(
    { year: y, month: m, day: d, hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 },
    { zone },
  ).toMillis();
}

export interface SendInstantInput {
  /** The recipient's zone (its own, or the first its number may be in). */
  readonly zone: string;
  /** When the campaign started sending: nothing is planned before it. */
  readonly startedAt: number;
  /** The send-time model's hour for this recipient (best_hour only). */
  readonly bestHour?: number;
}

/**
 * The instant one recipient's message is meant for. A wall-clock time that has already passed
 * in the recipient's zone when the campaign starts moves to the same time the next day: people
 * get their "10:00" at 10:00, never at 15:00.
 */
export function sendInstant(schedule: CampaignSchedule, input: SendInstantInput): number {
  const { startedAt, zone } = input;
  let minute: number;
  switch (schedule.kind) {
    case 'now':
      return startedAt;
    case 'at':
      return Math.max(startedAt, Date.parse(schedule.at));
    case 'local_time':
      minute = parseClock(schedule.time);
      break;
    case 'best_hour': {
      const hours = windowHours(schedule.window);
      const hour =
        input.bestHour !== undefined && hours.includes(input.bestHour) ? input.bestHour : hours[0]!;
      minute = Math.max(hour * 60, hour === hours[0] ? parseClock(schedule.window.start) : 0);
      break;
    }
  }
  // Day by day in the zone's calendar, so the wall-clock time holds across DST changes.
  let date = DateTime.fromISO(schedule.date, { zone: 'UTC' });
  let at = localInstant(schedule.date, minute, zone);
  for (let i = 0; at < startedAt && i < 400; i++) {
    date = date.plus({ days: 1 });
    at = localInstant(date.toISODate()!, minute, zone);
  }
  return at;
}
