import { describe, expect, it } from 'vitest';
import {
  checkSchedule,
  planStart,
  sendInstant,
  windowHours,
} from '../../../src/core/campaigns/schedule.js';

const started = Date.parse('2030-01-08T12:00:00Z');

describe('campaign schedules', () => {
  it('sends now at the start, at an instant never before the start', () => {
    expect(sendInstant({ kind: 'now' }, { zone: 'UTC', startedAt: started })).toBe(started);
    const at = '2030-01-09T09:30:00Z';
    expect(sendInstant({ kind: 'at', at }, { zone: 'Asia/Tokyo', startedAt: started })).toBe(
      Date.parse(at),
    );
    expect(
      sendInstant({ kind: 'at', at: '2030-01-01T00:00:00Z' }, { zone: 'UTC', startedAt: started }),
    ).toBe(started);
  });

  it.each([
    ['Asia/Shanghai', '2030-01-09T02:00:00.000Z'],
    ['Europe/Paris', '2030-01-09T09:00:00.000Z'],
    ['America/Los_Angeles', '2030-01-09T18:00:00.000Z'],
    ['Australia/Sydney', '2030-01-08T23:00:00.000Z'],
  ])('10:00 recipient time in %s is %s', (zone, expected) => {
    const at = sendInstant(
      { kind: 'local_time', date: '2030-01-09', time: '10:00' },
      { zone, startedAt: started },
    );
    expect(new Date(at).toISOString()).toBe(expected);
  });

  it('moves a local time that already passed to the same time the next day', () => {
    // 10:00 on 8 January in Shanghai is 02:00Z, before the 12:00Z start.
    const at = sendInstant(
      { kind: 'local_time', date: '2030-01-08', time: '10:00' },
      { zone: 'Asia/Shanghai', startedAt: started },
    );
    expect(new Date(at).toISOString()).toBe('2030-01-09T02:00:00.000Z');
  });

  it('keeps the wall-clock time across a DST change when moving a day', () => {
    // New York springs forward on 10 March 2030; at the start (10:00 EDT on the 10th), 09:00
    // has passed on the 9th (EST) and on the 10th (EDT): the 11th at 09:00 EDT it is.
    const at = sendInstant(
      { kind: 'local_time', date: '2030-03-09', time: '09:00' },
      { zone: 'America/New_York', startedAt: Date.parse('2030-03-10T14:00:00Z') },
    );
    expect(new Date(at).toISOString()).toBe('2030-03-11T13:00:00.000Z'); // 09:00 EDT
  });

  it('sends a best-hour schedule at the model hour, inside the window', () => {
    const schedule = {
      kind: 'best_hour' as const,
      date: '2030-01-09',
      window: { start: '09:30', end: '21:00' },
    };
    expect(windowHours(schedule.window)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const at19 = sendInstant(schedule, { zone: 'Europe/Paris', startedAt: started, bestHour: 19 });
    expect(new Date(at19).toISOString()).toBe('2030-01-09T18:00:00.000Z');
    // An hour outside the window is not used: the window's first hour is.
    const outside = sendInstant(schedule, {
      zone: 'Europe/Paris',
      startedAt: started,
      bestHour: 3,
    });
    expect(new Date(outside).toISOString()).toBe('2030-01-09T09:00:00.000Z');
  });

  it('starts planning when the first zone on earth reaches the local time', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(
      new Date(
        planStart({ kind: 'local_time', date: '2030-01-09', time: '10:00' }, now),
      ).toISOString(),
    ).toBe('2030-01-08T20:00:00.000Z');
    expect(planStart({ kind: 'now' }, now)).toBe(now);
    expect(planStart({ kind: 'at', at: '2029-01-01T00:00:00Z' }, now)).toBe(now);
  });

  it('refuses impossible dates and empty windows', () => {
    expect(() => checkSchedule({ kind: 'local_time', date: '2030-02-30', time: '10:00' })).toThrow(
      /not a date/,
    );
    expect(() =>
      checkSchedule({
        kind: 'best_hour',
        date: '2030-02-01',
        window: { start: '18:00', end: '09:00' },
      }),
    ).toThrow(/end after/);
  });
});
