// Quiet hours in the recipient's zone(s), across DST changes, Sundays and public holidays.
// Expected instants are worked out from the calendar and the rules, in UTC:
// New York EST = UTC-5, EDT = UTC-4 (DST 8 Mar 02:00 → 03:00 and 1 Nov 02:00 → 01:00, 2026);
// Paris CET = UTC+1, CEST = UTC+2 (29 Mar 2026 02:00 → 03:00); Shanghai = UTC+8;
// Chicago CST/CDT = UTC-6/-5, Denver MST/MDT = UTC-7/-6.
import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../../src/core/errors.js';
import { resolvePolicy } from '../../../src/core/policy/resolve.js';
import { withGoodWindows } from '../../../src/core/policy/good-windows.js';
import { isAllowedAt, nextAllowedInstant } from '../../../src/core/policy/windows.js';
import type { HoursRule } from '../../../src/core/policy/policy-pack.js';

const US = resolvePolicy('US');
const FR = resolvePolicy('FR');
const CN = resolvePolicy('CN');
const DAILY_8_21: HoursRule = { allowed: [{ start: '08:00', end: '21:00' }] };

const next = (
  now: string,
  zones: readonly string[],
  rule: HoursRule | null,
  pack: typeof US | null,
  country: string,
) =>
  nextAllowedInstant(
    new Date(now),
    zones,
    rule,
    pack ? pack.holidays : null,
    country,
  )?.toISOString();

describe('US marketing 08:00–21:00 around the DST changes of America/New_York', () => {
  it.each([
    ['Sat 7 Mar 07:00 EST', '2026-03-07T12:00:00.000Z', '2026-03-07T13:00:00.000Z'],
    ['Sat 7 Mar 20:59 EST', '2026-03-08T01:59:00.000Z', '2026-03-08T01:59:00.000Z'],
    ['Sat 7 Mar 21:00 EST → Sun 08:00 EDT', '2026-03-08T02:00:00.000Z', '2026-03-08T12:00:00.000Z'],
    ['Sat 7 Mar 21:30 EST → Sun 08:00 EDT', '2026-03-08T02:30:00.000Z', '2026-03-08T12:00:00.000Z'],
    [
      'Sun 8 Mar 01:59 EST, before the jump',
      '2026-03-08T06:59:00.000Z',
      '2026-03-08T12:00:00.000Z',
    ],
    ['Sun 8 Mar 03:00 EDT, after the jump', '2026-03-08T07:00:00.000Z', '2026-03-08T12:00:00.000Z'],
    ['Sun 8 Mar 07:59 EDT', '2026-03-08T11:59:00.000Z', '2026-03-08T12:00:00.000Z'],
    [
      'Sun 8 Mar 08:00 EDT (EST arithmetic: 07:00)',
      '2026-03-08T12:00:00.000Z',
      '2026-03-08T12:00:00.000Z',
    ],
    ['Sun 8 Mar 20:59 EDT', '2026-03-09T00:59:00.000Z', '2026-03-09T00:59:00.000Z'],
    ['Sun 8 Mar 21:00 EDT → Mon 08:00 EDT', '2026-03-09T01:00:00.000Z', '2026-03-09T12:00:00.000Z'],
    ['Sat 31 Oct 12:00 EDT', '2026-10-31T16:00:00.000Z', '2026-10-31T16:00:00.000Z'],
    ['Sat 31 Oct 20:59 EDT', '2026-11-01T00:59:00.000Z', '2026-11-01T00:59:00.000Z'],
    [
      'Sat 31 Oct 21:00 EDT → Sun 08:00 EST',
      '2026-11-01T01:00:00.000Z',
      '2026-11-01T13:00:00.000Z',
    ],
    ['Sun 1 Nov 01:30 EDT (first pass)', '2026-11-01T05:30:00.000Z', '2026-11-01T13:00:00.000Z'],
    ['Sun 1 Nov 01:30 EST (second pass)', '2026-11-01T06:30:00.000Z', '2026-11-01T13:00:00.000Z'],
    [
      'Sun 1 Nov 07:00 EST (EDT arithmetic: 08:00)',
      '2026-11-01T12:00:00.000Z',
      '2026-11-01T13:00:00.000Z',
    ],
    ['Sun 1 Nov 08:00 EST', '2026-11-01T13:00:00.000Z', '2026-11-01T13:00:00.000Z'],
    ['Sun 1 Nov 20:59 EST', '2026-11-02T01:59:00.000Z', '2026-11-02T01:59:00.000Z'],
    ['Sun 1 Nov 21:00 EST → Mon 08:00 EST', '2026-11-02T02:00:00.000Z', '2026-11-02T13:00:00.000Z'],
  ])('%s', (_label, now, expected) => {
    expect(next(now, ['America/New_York'], US.quietHours.marketing, null, 'US')).toBe(expected);
  });
});

describe('08:00–21:00 every day around the DST change of Europe/Paris (29 Mar 2026)', () => {
  it.each([
    ['Sat 28 Mar 07:30 CET', '2026-03-28T06:30:00.000Z', '2026-03-28T07:00:00.000Z'],
    [
      'Sat 28 Mar 21:00 CET → Sun 08:00 CEST',
      '2026-03-28T20:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
    ],
    [
      'Sun 29 Mar 01:30 CET, before the jump',
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T06:00:00.000Z',
    ],
    [
      'Sun 29 Mar 03:30 CEST, after the jump',
      '2026-03-29T01:30:00.000Z',
      '2026-03-29T06:00:00.000Z',
    ],
    ['Sun 29 Mar 07:30 CEST', '2026-03-29T05:30:00.000Z', '2026-03-29T06:00:00.000Z'],
    [
      'Sun 29 Mar 08:30 CEST (CET arithmetic: 07:30)',
      '2026-03-29T06:30:00.000Z',
      '2026-03-29T06:30:00.000Z',
    ],
    ['Sun 29 Mar 20:59 CEST', '2026-03-29T18:59:00.000Z', '2026-03-29T18:59:00.000Z'],
    [
      'Sun 29 Mar 21:00 CEST → Mon 08:00 CEST',
      '2026-03-29T19:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ],
  ])('%s', (_label, now, expected) => {
    expect(next(now, ['Europe/Paris'], DAILY_8_21, null, 'FR')).toBe(expected);
  });
});

describe('FR marketing: Monday–Saturday 08:00–20:00, never on Sundays or jours fériés', () => {
  it.each([
    ['Fri 27 Mar 07:59 CET', '2026-03-27T06:59:00.000Z', '2026-03-27T07:00:00.000Z'],
    ['Sat 28 Mar 19:59 CET', '2026-03-28T18:59:00.000Z', '2026-03-28T18:59:00.000Z'],
    [
      'Sat 28 Mar 20:00 CET → Mon 30 Mar 08:00 CEST',
      '2026-03-28T19:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ],
    ['Sun 29 Mar 10:00 CEST (DST Sunday)', '2026-03-29T08:00:00.000Z', '2026-03-30T06:00:00.000Z'],
    ['Mon 30 Mar 07:59 CEST', '2026-03-30T05:59:00.000Z', '2026-03-30T06:00:00.000Z'],
    ['Sat 11 Jul 19:00 CEST', '2026-07-11T17:00:00.000Z', '2026-07-11T17:00:00.000Z'],
    ['Sun 12 Jul 10:00 CEST → Mon 08:00', '2026-07-12T08:00:00.000Z', '2026-07-13T06:00:00.000Z'],
    ['Mon 13 Jul 19:00 CEST', '2026-07-13T17:00:00.000Z', '2026-07-13T17:00:00.000Z'],
    [
      'Mon 13 Jul 20:00 → Tue 14 Jul is a holiday → Wed 08:00',
      '2026-07-13T18:00:00.000Z',
      '2026-07-15T06:00:00.000Z',
    ],
    [
      'Tue 14 Jul 10:00 CEST, Fête nationale',
      '2026-07-14T08:00:00.000Z',
      '2026-07-15T06:00:00.000Z',
    ],
    [
      'Thu 30 Apr 20:30 → Fri 1 May holiday → Sat 2 May',
      '2026-04-30T18:30:00.000Z',
      '2026-05-02T06:00:00.000Z',
    ],
    [
      'Sat 4 Apr 20:30 → Sun → Easter Monday → Tue 7 Apr',
      '2026-04-04T18:30:00.000Z',
      '2026-04-07T06:00:00.000Z',
    ],
    [
      'Thu 14 May 10:00, Ascension → Fri 15 May',
      '2026-05-14T08:00:00.000Z',
      '2026-05-15T06:00:00.000Z',
    ],
    [
      'Sat 23 May 20:00 → Sun → Whit Monday → Tue 26 May',
      '2026-05-23T18:00:00.000Z',
      '2026-05-26T06:00:00.000Z',
    ],
    [
      'Sat 15 Aug 10:00, Assomption → Mon 17 Aug',
      '2026-08-15T08:00:00.000Z',
      '2026-08-17T06:00:00.000Z',
    ],
    [
      'Wed 11 Nov 10:00 CET, Armistice → Thu 08:00 CET',
      '2026-11-11T09:00:00.000Z',
      '2026-11-12T07:00:00.000Z',
    ],
    [
      'Thu 24 Dec 20:00 CET → Christmas → Sat 26 Dec',
      '2026-12-24T19:00:00.000Z',
      '2026-12-26T07:00:00.000Z',
    ],
  ])('%s', (_label, now, expected) => {
    expect(next(now, ['Europe/Paris'], FR.quietHours.marketing, FR, 'FR')).toBe(expected);
  });
});

describe('a number spanning America/Chicago and America/Denver gets only the hours of both', () => {
  const BOTH = ['America/Chicago', 'America/Denver'];
  it.each([
    [
      'Jul: 08:30 CDT / 07:30 MDT → 09:00 CDT / 08:00 MDT',
      BOTH,
      '2026-07-15T13:30:00.000Z',
      '2026-07-15T14:00:00.000Z',
    ],
    ['Jul: 07:00 CDT / 06:00 MDT', BOTH, '2026-07-15T12:00:00.000Z', '2026-07-15T14:00:00.000Z'],
    ['Jul: 09:00 CDT / 08:00 MDT', BOTH, '2026-07-15T14:00:00.000Z', '2026-07-15T14:00:00.000Z'],
    ['Jul: 20:59 CDT / 19:59 MDT', BOTH, '2026-07-16T01:59:00.000Z', '2026-07-16T01:59:00.000Z'],
    [
      'Jul: 21:00 CDT / 20:00 MDT → next day',
      BOTH,
      '2026-07-16T02:00:00.000Z',
      '2026-07-16T14:00:00.000Z',
    ],
    [
      'Jul: 21:30 CDT / 20:30 MDT → next day',
      BOTH,
      '2026-07-16T02:30:00.000Z',
      '2026-07-16T14:00:00.000Z',
    ],
    ['Jan: 08:30 CST / 07:30 MST', BOTH, '2026-01-15T14:30:00.000Z', '2026-01-15T15:00:00.000Z'],
    ['Jan: 20:59 CST / 19:59 MST', BOTH, '2026-01-16T02:59:00.000Z', '2026-01-16T02:59:00.000Z'],
    [
      'Jan: 21:00 CST / 20:00 MST → next day',
      BOTH,
      '2026-01-16T03:00:00.000Z',
      '2026-01-16T15:00:00.000Z',
    ],
    [
      'Sat 7 Mar 21:00 CST → Sun (DST) 09:00 CDT / 08:00 MDT',
      BOTH,
      '2026-03-08T03:00:00.000Z',
      '2026-03-08T14:00:00.000Z',
    ],
    [
      'Sun 8 Mar 08:30 CDT / 07:30 MDT',
      BOTH,
      '2026-03-08T13:30:00.000Z',
      '2026-03-08T14:00:00.000Z',
    ],
    [
      'Chicago alone at 08:30 CDT',
      ['America/Chicago'],
      '2026-07-15T13:30:00.000Z',
      '2026-07-15T13:30:00.000Z',
    ],
    [
      'Denver alone at 20:30 MDT',
      ['America/Denver'],
      '2026-07-16T02:30:00.000Z',
      '2026-07-16T02:30:00.000Z',
    ],
  ])('%s', (_label, zones, now, expected) => {
    expect(next(now, zones, US.quietHours.marketing, null, 'US')).toBe(expected);
  });
});

describe('CN marketing 08:00–21:00 and the official 2026 calendar (Spring Festival 15–23 Feb)', () => {
  it.each([
    ['Tue 10 Mar 20:59', '2026-03-10T12:59:00.000Z', '2026-03-10T12:59:00.000Z'],
    [
      'Tue 10 Mar 21:30 (carriers allow until 22:00, Herald not)',
      '2026-03-10T13:30:00.000Z',
      '2026-03-11T00:00:00.000Z',
    ],
    [
      'Sat 14 Feb 10:00, a make-up working day',
      '2026-02-14T02:00:00.000Z',
      '2026-02-14T02:00:00.000Z',
    ],
    ['Sat 14 Feb 21:00 → Tue 24 Feb 08:00', '2026-02-14T13:00:00.000Z', '2026-02-24T00:00:00.000Z'],
    ['Sun 15 Feb 10:00 (bridge day)', '2026-02-15T02:00:00.000Z', '2026-02-24T00:00:00.000Z'],
    ['Mon 16 Feb 10:00 (New Year’s Eve)', '2026-02-16T02:00:00.000Z', '2026-02-24T00:00:00.000Z'],
    ['Tue 17 Feb 10:00 (Spring Festival)', '2026-02-17T02:00:00.000Z', '2026-02-24T00:00:00.000Z'],
    [
      'Thu 19 Feb 10:00 (third day, statutory since 2025)',
      '2026-02-19T02:00:00.000Z',
      '2026-02-24T00:00:00.000Z',
    ],
    ['Mon 23 Feb 20:00 (last day off)', '2026-02-23T12:00:00.000Z', '2026-02-24T00:00:00.000Z'],
    ['Tue 24 Feb 07:00', '2026-02-23T23:00:00.000Z', '2026-02-24T00:00:00.000Z'],
    ['Tue 24 Feb 08:00', '2026-02-24T00:00:00.000Z', '2026-02-24T00:00:00.000Z'],
    [
      'Sat 28 Feb 10:00, a make-up working day',
      '2026-02-28T02:00:00.000Z',
      '2026-02-28T02:00:00.000Z',
    ],
    [
      'Sat 4 Apr 10:00, Qingming break → Tue 7 Apr',
      '2026-04-04T02:00:00.000Z',
      '2026-04-07T00:00:00.000Z',
    ],
    [
      'Fri 1 May 10:00, Labour Day break → Wed 6 May',
      '2026-05-01T02:00:00.000Z',
      '2026-05-06T00:00:00.000Z',
    ],
    [
      'Mon 1 Jun 10:00, Children’s Day is no day off',
      '2026-06-01T02:00:00.000Z',
      '2026-06-01T02:00:00.000Z',
    ],
    [
      'Thu 1 Oct 10:00, National Day break → Thu 8 Oct',
      '2026-10-01T02:00:00.000Z',
      '2026-10-08T00:00:00.000Z',
    ],
    ['Mon 5 Oct 10:00, inside the break', '2026-10-05T02:00:00.000Z', '2026-10-08T00:00:00.000Z'],
  ])('%s', (_label, now, expected) => {
    expect(next(now, ['Asia/Shanghai'], CN.quietHours.marketing, CN, 'CN')).toBe(expected);
  });
});

describe('good windows: 07:30–09:00, 12:00–13:30, 20:00–21:00, clipped to the allowed hours', () => {
  it.each([
    [
      'US 07:45 EDT → 08:00 (07:30 clipped)',
      ['America/New_York'],
      US,
      '2026-07-14T11:45:00.000Z',
      '2026-07-14T12:00:00.000Z',
    ],
    [
      'US 08:30 EDT',
      ['America/New_York'],
      US,
      '2026-07-14T12:30:00.000Z',
      '2026-07-14T12:30:00.000Z',
    ],
    [
      'US 09:00 EDT → 12:00',
      ['America/New_York'],
      US,
      '2026-07-14T13:00:00.000Z',
      '2026-07-14T16:00:00.000Z',
    ],
    [
      'US 13:30 EDT → 20:00',
      ['America/New_York'],
      US,
      '2026-07-14T17:30:00.000Z',
      '2026-07-15T00:00:00.000Z',
    ],
    [
      'US 20:30 EDT',
      ['America/New_York'],
      US,
      '2026-07-15T00:30:00.000Z',
      '2026-07-15T00:30:00.000Z',
    ],
    [
      'US 21:00 EDT → 08:00 next day',
      ['America/New_York'],
      US,
      '2026-07-15T01:00:00.000Z',
      '2026-07-15T12:00:00.000Z',
    ],
    [
      'FR Mon 13:30 (no evening window: 20:00 ends the day) → Wed after 14 Jul',
      ['Europe/Paris'],
      FR,
      '2026-07-13T11:30:00.000Z',
      '2026-07-15T06:00:00.000Z',
    ],
    [
      'CN 14:00 → 20:00',
      ['Asia/Shanghai'],
      CN,
      '2026-03-10T06:00:00.000Z',
      '2026-03-10T12:00:00.000Z',
    ],
    [
      'Chicago + Denver: lunch overlaps 13:00–13:30 CDT',
      ['America/Chicago', 'America/Denver'],
      US,
      '2026-07-15T14:00:00.000Z',
      '2026-07-15T18:00:00.000Z',
    ],
  ])('%s', (_label, zones, pack, now, expected) => {
    const rule = withGoodWindows(pack.quietHours.marketing);
    expect(next(now, zones, rule, pack, pack.id)).toBe(expected);
  });
});

describe('edge cases', () => {
  it.each([
    ['no hours and no holidays: now', null, '2026-01-01T03:00:00.000Z', '2026-01-01T03:00:00.000Z'],
    [
      '24:00 as an end',
      { allowed: [{ start: '22:00', end: '24:00' }] },
      '2026-01-01T03:00:00.000Z',
      '2026-01-01T22:00:00.000Z',
    ],
    [
      'two windows a day',
      {
        allowed: [
          { start: '00:00', end: '01:00' },
          { start: '09:00', end: '10:00' },
        ],
      },
      '2026-01-01T05:00:00.000Z',
      '2026-01-01T09:00:00.000Z',
    ],
    [
      'only Mondays',
      { allowed: [{ days: [1], start: '09:00', end: '10:00' }] },
      '2026-01-01T12:00:00.000Z',
      '2026-01-05T09:00:00.000Z',
    ],
  ] as const)('%s', (_label, rule, now, expected) => {
    expect(next(now, ['UTC'], rule as HoursRule | null, null, 'GB')).toBe(expected);
  });

  it.each([
    ['hours that allow nothing', { allowed: [] }],
    [
      'only a weekday that a limit forbids',
      {
        allowed: [{ days: [7], start: '09:00', end: '10:00' }],
        limit: [{ days: [1], start: '09:00', end: '10:00' }],
      },
    ],
  ] as const)('returns null for %s', (_label, rule) => {
    expect(nextAllowedInstant(0, ['UTC'], rule as unknown as HoursRule, null, 'GB')).toBeNull();
  });

  it.each([
    ['no zone', [], DAILY_8_21],
    ['an unknown zone', ['Mars/Olympus'], DAILY_8_21],
    ['an inverted window', ['UTC'], { allowed: [{ start: '22:00', end: '02:00' }] }],
    ['a malformed time', ['UTC'], { allowed: [{ start: '8h', end: '20:00' }] }],
  ] as const)('refuses %s', (_label, zones, rule) => {
    const call = () => nextAllowedInstant(0, zones, rule as HoursRule, null, 'GB');
    expect(call).toThrow(HeraldError);
    expect(call).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it.each([
    ['allowed in both zones', '2026-07-15T14:00:00.000Z', true],
    ['allowed in Chicago only', '2026-07-15T13:30:00.000Z', false],
    ['allowed in Denver only', '2026-07-16T02:30:00.000Z', false],
  ])('isAllowedAt: %s', (_label, now, expected) => {
    const zones = ['America/Chicago', 'America/Denver'];
    expect(isAllowedAt(Date.parse(now), zones, US.quietHours.marketing, null, 'US')).toBe(expected);
  });
});
