import { describe, expect, it } from 'vitest';
import { overviewCalendar } from '../../../src/core/reports/calendar.js';

describe('the periods of the dashboard in a time zone', () => {
  it.each<[string, string, string, { today: string; week: string; hours: number }]>([
    // 04:00 on Wednesday 9 January in Shanghai; the week began on Monday the 7th.
    [
      'Asia/Shanghai',
      '2030-01-08T20:00:00Z',
      'evening UTC is the next day in Shanghai',
      { today: '2030-01-09', week: '2030-01-07', hours: 24 },
    ],
    [
      'America/New_York',
      '2030-03-10T15:00:00Z',
      'spring forward: a 23-hour Sunday',
      { today: '2030-03-10', week: '2030-03-04', hours: 23 },
    ],
    [
      'Europe/London',
      '2030-10-27T12:00:00Z',
      'fall back: a 25-hour Sunday',
      { today: '2030-10-27', week: '2030-10-21', hours: 25 },
    ],
    [
      'Asia/Kathmandu',
      '2030-01-06T18:20:00Z',
      'a quarter-hour offset; just past midnight on a Monday',
      { today: '2030-01-07', week: '2030-01-07', hours: 24 },
    ],
    [
      'UTC',
      '2030-01-13T23:59:59.999Z',
      'the last instant of a Sunday',
      { today: '2030-01-13', week: '2030-01-07', hours: 24 },
    ],
  ])('%s at %s (%s)', (zone, now, _why, expected) => {
    const c = overviewCalendar(zone, new Date(now));
    expect(c.zone).toBe(zone);
    expect(c.today.key).toBe(expected.today);
    expect(c.week.key).toBe(expected.week);
    expect(c.hours).toHaveLength(expected.hours);
    expect(c.days).toHaveLength(14);
    expect(c.days.at(-1)).toEqual(c.today);
    expect(c.last7Days.from).toBe(c.days[7]!.from);
    // Today holds now; the periods tile time without gaps or overlaps.
    expect(c.today.from <= new Date(now).toISOString()).toBe(true);
    expect(new Date(now).toISOString() < c.today.to).toBe(true);
    for (const list of [c.days, c.hours]) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.from).toBe(list[i - 1]!.to);
    }
    expect(c.hours[0]!.from).toBe(c.today.from);
    expect(c.hours.at(-1)!.to).toBe(c.today.to);
    expect(c.week.to).toBe(c.today.to);
  });

  it('names the hours by their local wall-clock time, twice over 01:00 when clocks go back', () => {
    const c = overviewCalendar('Europe/London', new Date('2030-10-27T12:00:00Z'));
    expect(c.hours.slice(0, 4).map((h) => h.key)).toEqual([
      '2030-10-27T00:00:00+01:00',
      '2030-10-27T01:00:00+01:00',
      '2030-10-27T01:00:00+00:00',
      '2030-10-27T02:00:00+00:00',
    ]);
    const ny = overviewCalendar('America/New_York', new Date('2030-03-10T15:00:00Z'));
    expect(ny.hours[2]).toEqual({
      key: '2030-03-10T03:00:00-04:00',
      from: '2030-03-10T07:00:00.000Z',
      to: '2030-03-10T08:00:00.000Z',
    });
    expect(ny.today).toEqual({
      key: '2030-03-10',
      from: '2030-03-10T05:00:00.000Z',
      to: '2030-03-11T04:00:00.000Z',
    });
  });

  it('refuses a zone that does not exist', () => {
    expect(() => overviewCalendar('Mars/Olympus', new Date())).toThrow(/Unknown time zone/);
  });
});
