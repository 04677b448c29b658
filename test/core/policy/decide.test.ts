// The send decision. Expected instants come from the calendar and the rules (see windows.test.ts
// for the offsets); T_NOON is Tue 14 Jul 2026 12:00 EDT, inside every US window.
import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../../src/core/errors.js';
import type { Decision, Message, Recipient } from '../../../src/core/policy/decide.js';
import { decide } from '../../../src/core/policy/decide.js';
import { resolvePolicy } from '../../../src/core/policy/resolve.js';
import type { Market } from './support.js';
import { at, DAY, HOUR, marketing, recipient, transactional } from './support.js';

const T_NOON = at('2026-07-14T16:00:00Z');
const T_NIGHT_NY = at('2026-07-14T07:00:00Z'); // 03:00 EDT

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

describe('blocks: nothing later makes these lawful', () => {
  const MIN = 60_000;
  it.each<[string, Row, string]>([
    [
      'invalid number',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { numberValid: false }),
        now: T_NOON,
      },
      'invalid_number',
    ],
    [
      'invalid number wins over an opt-out',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { numberValid: false, optedOut: { at: 0 } }),
        now: T_NOON,
      },
      'invalid_number',
    ],
    [
      'destination not allowed by settings',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { country: 'CA' }),
        now: T_NOON,
        settings: { allowedCountries: ['US'] },
      },
      'country_not_allowed',
    ],
    [
      'suppressed (all), marketing',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { suppressed: { scope: 'all', reason: 'hard_bounce' } }),
        now: T_NOON,
      },
      'suppressed',
    ],
    [
      'suppressed (all), transactional',
      {
        market: 'US',
        message: transactional('US'),
        recipient: recipient('US', { suppressed: { scope: 'all', reason: 'erasure' } }),
        now: T_NOON,
      },
      'suppressed',
    ],
    [
      'suppressed (marketing), marketing',
      {
        market: 'FR',
        message: marketing('FR'),
        recipient: recipient('FR', { suppressed: { scope: 'marketing', reason: 'complaint' } }),
        now: T_NOON,
      },
      'suppressed',
    ],
    [
      'US opted out, marketing',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { optedOut: { at: T_NOON - DAY, via: 'STOP' } }),
        now: T_NOON,
      },
      'opted_out',
    ],
    [
      'US opted out, transactional too (STOP ends all traffic)',
      {
        market: 'US',
        message: transactional('US'),
        recipient: recipient('US', { optedOut: { at: T_NOON - DAY, via: 'STOP' } }),
        now: T_NOON,
      },
      'opted_out',
    ],
    [
      'CN opted out, marketing',
      {
        market: 'CN',
        message: marketing('CN'),
        recipient: recipient('CN', { optedOut: { at: 0, via: 'TD' } }),
        now: T_NOON,
      },
      'opted_out',
    ],
    [
      'marketing consent withdrawn',
      {
        market: 'GB',
        message: marketing('GB'),
        recipient: recipient('GB', {
          consent: { marketing: { granted: false, method: 'web_form', at: 0 } },
        }),
        now: T_NOON,
      },
      'opted_out',
    ],
    [
      'no marketing consent',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { consent: {} }),
        now: T_NOON,
      },
      'no_consent',
    ],
    [
      'consent recorded after now',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          consent: { marketing: { granted: true, method: 'web_form', at: T_NOON + MIN } },
        }),
        now: T_NOON,
      },
      'no_consent',
    ],
    [
      'US import without evidence',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          consent: { marketing: { granted: true, method: 'import', at: 0 } },
        }),
        now: T_NOON,
      },
      'consent_method_insufficient',
    ],
    [
      'US soft opt-in is not written consent',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          consent: { marketing: { granted: true, method: 'existing_customer', at: 0 } },
        }),
        now: T_NOON,
      },
      'consent_method_insufficient',
    ],
    [
      'DE web form without double opt-in',
      {
        market: 'DE',
        message: marketing('DE'),
        recipient: recipient('DE', {
          consent: { marketing: { granted: true, method: 'web_form', at: 0 } },
        }),
        now: T_NOON,
      },
      'consent_method_insufficient',
    ],
    [
      'default pack: web form is not verified',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          country: 'BR',
          zones: ['America/Sao_Paulo'],
          consent: { marketing: { granted: true, method: 'web_form', at: 0 } },
        }),
        now: T_NOON,
      },
      'consent_method_insufficient',
    ],
    [
      'IN marketing without a registered template',
      {
        market: 'IN',
        message: marketing('IN'),
        recipient: recipient('IN'),
        now: at('2026-07-14T08:00:00Z'),
      },
      'template_not_registered',
    ],
    [
      'IN transactional with an unregistered template',
      {
        market: 'IN',
        message: transactional('IN', { template: { id: 'T1', registered: false } }),
        recipient: recipient('IN'),
        now: T_NOON,
      },
      'template_not_registered',
    ],
    [
      'US marketing without opt-out text',
      {
        market: 'US',
        message: marketing('US', { body: 'Acme: spring sale today!' }),
        recipient: recipient('US'),
        now: T_NOON,
      },
      'content_noncompliant',
    ],
    [
      'US marketing without the brand',
      {
        market: 'US',
        message: marketing('US', { body: 'Spring sale today! Reply STOP to opt out' }),
        recipient: recipient('US'),
        now: T_NOON,
      },
      'content_noncompliant',
    ],
    [
      'CN marketing without 【签名】',
      {
        market: 'CN',
        message: marketing('CN', { body: '春季大促，全场8折，回复TD退订' }),
        recipient: recipient('CN'),
        now: at('2026-07-14T02:00:00Z'),
      },
      'content_noncompliant',
    ],
    [
      'CN marketing without 退订 text',
      {
        market: 'CN',
        message: marketing('CN', { body: '【好店】春季大促，全场8折' }),
        recipient: recipient('CN'),
        now: at('2026-07-14T02:00:00Z'),
      },
      'content_noncompliant',
    ],
    [
      'empty body',
      {
        market: 'GB',
        message: transactional('GB', { body: ' ' }),
        recipient: recipient('GB'),
        now: T_NOON,
      },
      'content_noncompliant',
    ],
  ])('%s', (_label, row, reason) => {
    const decision = decide(
      row.message,
      row.recipient,
      resolvePolicy(row.recipient.country, row.settings),
      row.now,
    );
    expect(summary(decision)).toEqual({ action: 'block', reason });
    expect(decision.checks.at(-1)).toMatchObject({ reason, passed: false });
    expect(decision.checks.slice(0, -1).every((c) => c.passed)).toBe(true);
  });
});

describe('sends', () => {
  it.each<[string, Row]>([
    [
      'US marketing at noon',
      { market: 'US', message: marketing('US'), recipient: recipient('US'), now: T_NOON },
    ],
    [
      'US import with evidence',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', {
          consent: { marketing: { granted: true, method: 'import', at: 0, evidence: true } },
        }),
        now: T_NOON,
      },
    ],
    [
      'DE double opt-in by link',
      {
        market: 'DE',
        message: marketing('DE'),
        recipient: recipient('DE', {
          consent: { marketing: { granted: true, method: 'double_opt_in_link', at: 0 } },
        }),
        now: T_NOON,
      },
    ],
    [
      'GB soft opt-in (existing customer)',
      {
        market: 'GB',
        message: marketing('GB'),
        recipient: recipient('GB', {
          consent: { marketing: { granted: true, method: 'existing_customer', at: 0 } },
        }),
        now: T_NOON,
      },
    ],
    [
      'FR soft opt-in (existing customer)',
      {
        market: 'FR',
        message: marketing('FR'),
        recipient: recipient('FR', {
          consent: { marketing: { granted: true, method: 'existing_customer', at: 0 } },
        }),
        now: at('2026-07-15T10:00:00Z'),
      },
    ],
    [
      'IN marketing from a registered template',
      {
        market: 'IN',
        message: marketing('IN', { template: { id: 'T1', registered: true } }),
        recipient: recipient('IN'),
        now: at('2026-07-14T08:00:00Z'),
      },
    ],
    [
      'US transactional without any consent record',
      {
        market: 'US',
        message: transactional('US'),
        recipient: recipient('US', { consent: {} }),
        now: T_NOON,
      },
    ],
    [
      'US transactional at 03:00',
      { market: 'US', message: transactional('US'), recipient: recipient('US'), now: T_NIGHT_NY },
    ],
    [
      'CN transactional on Spring Festival night',
      {
        market: 'CN',
        message: transactional('CN'),
        recipient: recipient('CN'),
        now: at('2026-02-17T15:00:00Z'),
      },
    ],
    [
      'FR transactional on 14 July',
      {
        market: 'FR',
        message: transactional('FR'),
        recipient: recipient('FR'),
        now: at('2026-07-14T08:00:00Z'),
      },
    ],
    [
      'FR transactional on a Sunday night',
      {
        market: 'FR',
        message: transactional('FR'),
        recipient: recipient('FR'),
        now: at('2026-07-12T22:00:00Z'),
      },
    ],
    [
      'CN transactional after a 退订 (marketing only)',
      {
        market: 'CN',
        message: transactional('CN'),
        recipient: recipient('CN', { optedOut: { at: 0, via: 'TD' } }),
        now: T_NOON,
      },
    ],
    [
      'FR transactional after STOP (marketing only)',
      {
        market: 'FR',
        message: transactional('FR'),
        recipient: recipient('FR', { optedOut: { at: 0 } }),
        now: T_NOON,
      },
    ],
    [
      'transactional when only marketing is suppressed',
      {
        market: 'US',
        message: transactional('US'),
        recipient: recipient('US', { suppressed: { scope: 'marketing', reason: 'complaint' } }),
        now: T_NIGHT_NY,
      },
    ],
    [
      'transactional ignores the marketing cap',
      {
        market: 'US',
        message: transactional('US'),
        recipient: recipient('US', {
          recentSends: { marketing: [T_NOON - HOUR, T_NOON - 2 * HOUR], oneTimeCodes: [] },
        }),
        now: T_NOON,
      },
    ],
    [
      'OTP with 4 codes in the last hour',
      {
        market: 'US',
        message: transactional('US', { isOneTimeCode: true }),
        recipient: recipient('US', {
          recentSends: {
            marketing: [],
            oneTimeCodes: [1, 2, 3, 4].map((i) => T_NOON - i * 600_000),
          },
        }),
        now: T_NOON,
      },
    ],
    [
      'a non-OTP message after many OTPs',
      {
        market: 'US',
        message: transactional('US'),
        recipient: recipient('US', {
          recentSends: {
            marketing: [],
            oneTimeCodes: [1, 2, 3, 4, 5, 6].map((i) => T_NOON - i * 60_000),
          },
        }),
        now: T_NOON,
      },
    ],
    [
      'Chicago + Denver at 09:30 CDT / 08:30 MDT',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US', { zones: ['America/Chicago', 'America/Denver'] }),
        now: at('2026-07-15T14:30:00Z'),
      },
    ],
    [
      'US (no state) at 20:30 EDT',
      {
        market: 'US',
        message: marketing('US'),
        recipient: recipient('US'),
        now: at('2026-07-15T00:30:00Z'),
      },
    ],
    [
      'CN Children’s Day (no day off)',
      {
        market: 'CN',
        message: marketing('CN'),
        recipient: recipient('CN'),
        now: at('2026-06-01T02:00:00Z'),
      },
    ],
    [
      'good windows at 12:30 EDT',
      {
        market: 'US',
        message: marketing('US', { goodWindows: true }),
        recipient: recipient('US'),
        now: at('2026-07-14T16:30:00Z'),
      },
    ],
    [
      'good windows no zone shares: Shanghai + Urumqi use the allowed hours',
      {
        market: 'CN',
        message: marketing('CN', { goodWindows: true }),
        recipient: recipient('CN', { zones: ['Asia/Shanghai', 'Asia/Urumqi'] }),
        now: at('2026-03-10T03:00:00Z'),
      },
    ],
  ])('%s', (_label, row) => {
    const decision = decide(
      row.message,
      row.recipient,
      resolvePolicy(row.recipient.country, row.settings),
      row.now,
    );
    expect(summary(decision)).toEqual({ action: 'send' });
  });
});

describe('checks', () => {
  it('lists what was checked for a send', () => {
    const decision = decide(marketing('US'), recipient('US'), resolvePolicy('US'), T_NOON);
    expect(decision.checks.map((c) => [c.reason, c.passed])).toEqual([
      ['invalid_number', true],
      ['country_not_allowed', true],
      ['suppressed', true],
      ['opted_out', true],
      ['no_consent', true],
      ['consent_method_insufficient', true],
      ['template_not_registered', true],
      ['content_noncompliant', true],
      ['quiet_hours', true],
      ['frequency_cap', true],
    ]);
  });

  it('names the holiday and every failing timing rule', () => {
    const contact = recipient('FR', {
      recentSends: { marketing: [at('2026-07-14T07:00:00Z')], oneTimeCodes: [] },
    });
    const decision = decide(
      marketing('FR'),
      contact,
      resolvePolicy('FR'),
      at('2026-07-14T08:00:00Z'),
    );
    expect(decision.checks.filter((c) => !c.passed)).toEqual([
      {
        reason: 'holiday',
        passed: false,
        detail: '2026-07-14 Bastille Day (Fête Nationale de la France)',
      },
      { reason: 'frequency_cap', passed: false },
    ]);
  });

  it('refuses a recipient without a zone', () => {
    const call = () =>
      decide(marketing('US'), recipient('US', { zones: [] }), resolvePolicy('US'), T_NOON);
    expect(call).toThrow(HeraldError);
  });
});
