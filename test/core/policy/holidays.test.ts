// Public holidays by local date. CN expectations follow the State Council notice of 4 Nov 2025
// on the 2026 holidays (and the 2024 revision of the national holiday rules), not date-holidays:
// the library lacks the bridge days and the fourth statutory Spring Festival day.
import { describe, expect, it } from 'vitest';
import { holidayOn } from '../../../src/core/policy/holidays.js';
import type { HolidayRule } from '../../../src/core/policy/policy-pack.js';
import { resolvePolicy } from '../../../src/core/policy/resolve.js';

const CN_RULE = resolvePolicy('CN').holidays;
const PUBLIC: HolidayRule = { appliesTo: ['marketing'], types: ['public'] };

describe('China 2026 days off under the CN pack', () => {
  it.each([
    ['2026-01-01', true, 'New Year'],
    ['2026-01-02', true, 'New Year break'],
    ['2026-01-03', true, 'New Year break'],
    ['2026-01-04', false, 'make-up working Sunday'],
    ['2026-02-14', false, 'make-up working Saturday'],
    ['2026-02-15', true, 'Spring Festival break, day 1'],
    ['2026-02-16', true, 'New Year’s Eve (statutory)'],
    ['2026-02-17', true, 'Spring Festival (statutory)'],
    ['2026-02-18', true, 'second day (statutory)'],
    ['2026-02-19', true, 'third day (statutory since 2025)'],
    ['2026-02-20', true, 'break'],
    ['2026-02-21', true, 'break'],
    ['2026-02-22', true, 'break'],
    ['2026-02-23', true, 'break, last day'],
    ['2026-02-24', false, 'first working day'],
    ['2026-02-28', false, 'make-up working Saturday'],
    ['2026-03-08', false, 'Women’s Day: half a day for women only'],
    ['2026-04-04', true, 'Qingming break'],
    ['2026-04-05', true, 'Qingming'],
    ['2026-04-06', true, 'Qingming break'],
    ['2026-05-01', true, 'Labour Day'],
    ['2026-05-02', true, 'Labour Day (statutory since 2025)'],
    ['2026-05-04', true, 'Labour Day break (also Youth Day)'],
    ['2026-05-05', true, 'Labour Day break, last day'],
    ['2026-05-09', false, 'make-up working Saturday'],
    ['2026-06-01', false, 'Children’s Day: not a day off for adults'],
    ['2026-06-19', true, 'Dragon Boat'],
    ['2026-06-21', true, 'Dragon Boat break'],
    ['2026-08-01', false, 'Army Day: half a day for the military'],
    ['2026-09-20', false, 'make-up working Sunday'],
    ['2026-09-25', true, 'Mid-Autumn'],
    ['2026-09-27', true, 'Mid-Autumn break'],
    ['2026-10-01', true, 'National Day'],
    ['2026-10-04', true, 'National Day break'],
    ['2026-10-07', true, 'National Day break, last day'],
    ['2026-10-08', false, 'first working day'],
    ['2026-10-10', false, 'make-up working Saturday'],
  ])('%s is a day off: %s (%s)', (date, expected) => {
    expect(holidayOn('CN', undefined, date, CN_RULE) !== null).toBe(expected);
  });

  // What date-holidays 3.37 knows on its own: documented in docs/compliance.md.
  it.each([
    ['2026-02-15', false],
    ['2026-02-16', true],
    ['2026-02-17', true],
    ['2026-02-18', true],
    ['2026-02-19', false],
    ['2026-05-02', false],
    ['2026-06-01', true],
  ])('date-holidays alone says %s is a public holiday: %s', (date, expected) => {
    expect(holidayOn('CN', undefined, date, PUBLIC) !== null).toBe(expected);
  });

  it('names official days off that date-holidays lacks', () => {
    expect(holidayOn('CN', undefined, '2026-02-15', CN_RULE)).toEqual({
      date: '2026-02-15',
      name: 'official day off',
      type: 'official',
    });
  });
});

describe('other countries and regions', () => {
  it.each([
    ['FR', undefined, '2026-07-14', true],
    ['FR', undefined, '2026-05-08', true],
    ['FR', undefined, '2026-05-24', false], // Pentecost Sunday: an observance
    ['FR', undefined, '2026-05-25', true],
    ['FR', undefined, '2026-12-26', false], // a holiday in Alsace-Moselle only
    ['DE', undefined, '2026-10-03', true],
    ['DE', undefined, '2026-06-04', false], // Corpus Christi is regional
    ['DE', 'BY', '2026-06-04', true],
    ['DE', undefined, '2026-11-01', false],
    ['DE', 'BY', '2026-11-01', true],
    ['DE', 'ZZ', '2026-10-03', true], // unknown Land: national holidays
    ['US', undefined, '2026-07-03', true], // Independence Day observed on Friday
    ['US', undefined, '2026-11-27', false], // the day after Thanksgiving: an observance
    ['GB', undefined, '2026-11-30', false],
    ['GB', 'SCT', '2026-11-30', true], // St Andrew's Day in Scotland
    ['AU', undefined, '2026-10-05', false],
    ['AU', 'NSW', '2026-10-05', true], // Labour Day in New South Wales
    ['IN', undefined, '2026-01-26', true],
    ['XX', undefined, '2026-01-01', false], // unknown country: none
  ])('%s/%s %s is a public holiday: %s', (country, region, date, expected) => {
    expect(holidayOn(country, region, date, PUBLIC) !== null).toBe(expected);
  });

  it('gives the English and the local name', () => {
    expect(holidayOn('FR', undefined, '2026-07-14', PUBLIC)?.name).toBe(
      'Bastille Day (Fête Nationale de la France)',
    );
  });
});
