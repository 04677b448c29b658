// The send decision's timing: quiet hours, holidays, good windows and caps together. Expected
// instants come from the calendar and the rules (see windows.test.ts for the UTC offsets);
// T_NOON is Tue 14 Jul 2026 12:00 EDT, inside every US window.
import { describe, expect, it } from 'vitest';
import type { Decision, Message, Recipient } from '../../../src/core/policy/decide.js';
import { decide } from '../../../src/core/policy/decide.js';
import { resolvePolicy } from '../../../src/core/policy/resolve.js';
import type { Market } from './support.js';
import { at, DAY, HOUR, marketing, recipient, transactional } from './support.js';

const T_NOON = at('2026-07-14T16:00:00Z');
const T_NIGHT_NY = at('2026-07-14T07:00:00Z'); // 03:00 EDT
const FEB_17_10H_CN = at('2026-02-17T02:00:00Z');

function summary(decision: Decision) {
  if (decision.action === 'send') return { action: 'send' };
  if (decision.action === 'block') return { action: 'block', reason: decision.reason };
  return { action: 'defer', reason: decision.reason, until: decision.until.toISOString() };
}

interface Row {
  market: Market;
  message: Message;
  recipient: Recipient;
  now: number;
  settings?: Parameters<typeof resolvePolicy>[1];
}

describe('deferrals: the earliest instant every rule agrees on', () => {
  it.each<[string, Row, string, string]>([
    [
      'US Sun 8 Mar 07:30 EDT',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US'),
        now: at('2026-03-08T11:30:00Z'),
      },
      'quiet_hours',
      '2026-03-08T12:00:00.000Z',
    ],
    [
      'US Sun 1 Nov 07:30 EST',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US'),
        now: at('2026-11-01T12:30:00Z'),
      },
      'quiet_hours',
      '2026-11-01T13:00:00.000Z',
    ],
    [
      'US at 03:00 EDT',
      { market: 'US', message: marketing('US'), recipient: recipient('US'), now: T_NIGHT_NY },
      'quiet_hours',
      '2026-07-14T12:00:00.000Z',
    ],
    [
      'Florida stops at 20:00',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { region: 'FL' }),
        now: at('2026-07-15T00:30:00Z'),
      },
      'quiet_hours',
      '2026-07-15T12:00:00.000Z',
    ],
    [
      'Chicago + Denver at 08:30 CDT / 07:30 MDT',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { zones: ['America/Chicago', 'America/Denver'] }),
        now: at('2026-07-15T13:30:00Z'),
      },
      'quiet_hours',
      '2026-07-15T14:00:00.000Z',
    ],
    [
      'Chicago + Denver at 21:30 CDT / 20:30 MDT',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { zones: ['America/Chicago', 'America/Denver'] }),
        now: at('2026-07-16T02:30:00Z'),
      },
      'quiet_hours',
      '2026-07-16T14:00:00.000Z',
    ],
    [
      'FR on a Sunday',
      {
        market: 'FR',
        message: marketing('FR'),
        recipient: recipient('FR'),
        now: at('2026-07-12T08:00:00Z'),
      },
      'quiet_hours',
      '2026-07-13T06:00:00.000Z',
    ],
    [
      'FR on 14 July',
      {
        market: 'FR',
        message: marketing('FR'),
        recipient: recipient('FR'),
        now: at('2026-07-14T08:00:00Z'),
      },
      'holiday',
      '2026-07-15T06:00:00.000Z',
    ],
    [
      'FR on the DST Sunday',
      {
        market: 'FR',
        message: marketing('FR'),
        recipient: recipient('FR'),
        now: at('2026-03-29T08:00:00Z'),
      },
      'quiet_hours',
      '2026-03-30T06:00:00.000Z',
    ],
    [
      'DE Bavaria on Corpus Christi',
      {
        market: 'DE',
        message: marketing('DE'),
        recipient: recipient('DE', { region: 'BY' }),
        now: at('2026-06-04T08:00:00Z'),
      },
      'holiday',
      '2026-06-05T06:00:00.000Z',
    ],
    [
      'CN on Spring Festival',
      { market: 'CN', message: marketing('CN'), recipient: recipient('CN'), now: FEB_17_10H_CN },
      'holiday',
      '2026-02-24T00:00:00.000Z',
    ],
    [
      'CN on the bridge day 15 Feb',
      {
        market: 'CN',
        message: marketing('CN'),
        recipient: recipient('CN'),
        now: at('2026-02-15T02:00:00Z'),
      },
      'holiday',
      '2026-02-24T00:00:00.000Z',
    ],
    [
      'CN on Spring Festival night: holiday comes first',
      {
        market: 'CN',
        message: marketing('CN'),
        recipient: recipient('CN'),
        now: at('2026-02-17T15:00:00Z'),
      },
      'holiday',
      '2026-02-24T00:00:00.000Z',
    ],
    [
      'a second campaign after the first was recorded',
      {
        market: 'US',
        message: marketing('US', { campaignId: 'b' }),
        recipient: recipient('US', { recentSends: { marketing: [T_NOON], oneTimeCodes: [] } }),
        now: T_NOON,
      },
      'frequency_cap',
      '2026-07-15T16:00:00.000Z',
    ],
    [
      'two in the last 7 days',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          recentSends: { marketing: [T_NOON - 3 * DAY, T_NOON - 2 * DAY], oneTimeCodes: [] },
        }),
        now: T_NOON,
      },
      'frequency_cap',
      '2026-07-18T16:00:00.000Z',
    ],
    [
      'the cap frees at 21:30: next morning',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          recentSends: {
            marketing: [at('2026-07-08T01:30:00Z'), at('2026-07-12T13:00:00Z')],
            oneTimeCodes: [],
          },
        }),
        now: at('2026-07-14T14:00:00Z'),
      },
      'frequency_cap',
      '2026-07-15T12:00:00.000Z',
    ],
    [
      'quiet hours first, then the cap until 09:00',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          recentSends: {
            marketing: [at('2026-07-07T13:00:00Z'), at('2026-07-12T13:00:00Z')],
            oneTimeCodes: [],
          },
        }),
        now: at('2026-07-14T02:00:00Z'),
      },
      'quiet_hours',
      '2026-07-14T13:00:00.000Z',
    ],
    [
      'FR: the gap frees on 14 July, so 15 July',
      {
        market: 'FR',
        message: marketing('FR'),
        recipient: recipient('FR', {
          recentSends: { marketing: [at('2026-07-13T17:30:00Z')], oneTimeCodes: [] },
        }),
        now: at('2026-07-13T17:45:00Z'),
      },
      'frequency_cap',
      '2026-07-15T06:00:00.000Z',
    ],
    [
      'OTP flood: 5 in the last hour',
      {
        market: 'US',
        message: transactional('US', { isOneTimeCode: true }),
        recipient: recipient('US', {
          recentSends: {
            marketing: [],
            oneTimeCodes: [1, 2, 3, 4, 5].map((i) => T_NOON - i * 600_000),
          },
        }),
        now: T_NOON,
      },
      'flood_limit',
      '2026-07-14T16:10:00.000Z',
    ],
    [
      'OTP flood at night (no quiet hours)',
      {
        market: 'US',
        message: transactional('US', { isOneTimeCode: true }),
        recipient: recipient('US', {
          recentSends: {
            marketing: [],
            oneTimeCodes: [1, 2, 3, 4, 5].map((i) => T_NIGHT_NY - i * 60_000),
          },
        }),
        now: T_NIGHT_NY,
      },
      'flood_limit',
      '2026-07-14T07:55:00.000Z',
    ],
    [
      'good windows at 10:00 EDT → 12:00',
      {
        market: 'US',
        message: marketing('US', { goodWindows: true }),
        recipient: recipient('US'),
        now: at('2026-07-14T14:00:00Z'),
      },
      'good_window',
      '2026-07-14T16:00:00.000Z',
    ],
    [
      'good windows at 22:00 EDT → 08:00',
      {
        market: 'US',
        message: marketing('US', { goodWindows: true }),
        recipient: recipient('US'),
        now: at('2026-07-15T02:00:00Z'),
      },
      'quiet_hours',
      '2026-07-15T12:00:00.000Z',
    ],
    [
      'settings: 1 per day',
      {
        market: 'GB',
        message: marketing('GB'),
        recipient: recipient('GB', {
          recentSends: { marketing: [T_NOON - 22 * HOUR], oneTimeCodes: [] },
        }),
        now: T_NOON,
        settings: { frequency: { marketing: { max: 1, windowHours: 24, minGapHours: 0 } } },
      },
      'frequency_cap',
      '2026-07-14T18:00:00.000Z',
    ],
    [
      'settings: 1 per day, freeing at 21:00 BST → 08:00',
      {
        market: 'GB',
        message: marketing('GB'),
        recipient: recipient('GB', {
          recentSends: { marketing: [T_NOON - 20 * HOUR], oneTimeCodes: [] },
        }),
        now: T_NOON,
        settings: { frequency: { marketing: { max: 1, windowHours: 24, minGapHours: 0 } } },
      },
      'frequency_cap',
      '2026-07-15T07:00:00.000Z',
    ],
  ])('%s', (_label, row, reason, until) => {
    const decision = decide(
      row.message,
      row.recipient,
      resolvePolicy(row.recipient.country, row.settings),
      row.now,
    );
    expect(summary(decision)).toEqual({ action: 'defer', reason, until });
  });
});

describe('two campaigns decided against the same recent sends', () => {
  it('sends the first and defers the second once the first is recorded', () => {
    const policy = resolvePolicy('US');
    const sends: number[] = [];
    const contact = recipient('US', { recentSends: { marketing: sends, oneTimeCodes: [] } });
    const first = decide(marketing('US', { campaignId: 'a' }), contact, policy, T_NOON);
    expect(first.action).toBe('send');
    sends.push(T_NOON); // the store records (reserves) the first send
    const second = decide(marketing('US', { campaignId: 'b' }), contact, policy, T_NOON + 1000);
    expect(summary(second)).toEqual({
      action: 'defer',
      reason: 'frequency_cap',
      until: '2026-07-15T16:00:00.000Z',
    });
  });
});
