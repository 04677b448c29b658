// Decisions in the words a compliance officer reads, in English and Chinese.
import { describe, expect, it } from 'vitest';
import type { Message, Recipient } from '../../../src/core/policy/decide.js';
import { decide } from '../../../src/core/policy/decide.js';
import type { ExplainLocale } from '../../../src/core/policy/explain.js';
import { describeHours, explainDecision } from '../../../src/core/policy/explain.js';
import { resolvePolicy } from '../../../src/core/policy/resolve.js';
import { at, marketing, recipient, transactional } from './support.js';

const explain = (message: Message, contact: Recipient, now: number, locale: ExplainLocale) =>
  explainDecision(decide(message, contact, resolvePolicy(contact.country), now), locale);

const NY_NIGHT = at('2026-03-09T02:00:00Z'); // Sun 8 Mar 22:00 EDT
const OTP = [1, 2, 3, 4, 5].map((i) => at('2026-07-14T16:00:00Z') - i * 600_000);

describe('explainDecision', () => {
  it.each<[string, Message, Recipient, number, ExplainLocale, string]>([
    [
      'quiet hours (en)',
      marketing('US'),
      recipient('US'),
      NY_NIGHT,
      'en',
      'Deferred until 2026-03-09 08:00 America/New_York: quiet hours (US policy allows marketing 08:00–21:00 recipient local time).',
    ],
    [
      'quiet hours (zh)',
      marketing('US'),
      recipient('US'),
      NY_NIGHT,
      'zh',
      '推迟至 2026-03-09 08:00（America/New_York）：免打扰时段（US 政策仅允许在收件人当地时间 08:00–21:00 发送营销短信）。',
    ],
    [
      'quiet hours, two zones',
      marketing('US'),
      recipient('US', { zones: ['America/Chicago', 'America/Denver'] }),
      at('2026-07-15T13:30:00Z'),
      'en',
      'Deferred until 2026-07-15 09:00 America/Chicago: quiet hours (US policy allows marketing 08:00–21:00 recipient local time in every zone of the number: America/Chicago, America/Denver).',
    ],
    [
      'French Sunday',
      marketing('FR'),
      recipient('FR'),
      at('2026-07-12T08:00:00Z'),
      'en',
      'Deferred until 2026-07-13 08:00 Europe/Paris: quiet hours (FR policy allows marketing Mon–Sat 08:00–20:00 recipient local time).',
    ],
    [
      'French Sunday (zh)',
      marketing('FR'),
      recipient('FR'),
      at('2026-07-12T08:00:00Z'),
      'zh',
      '推迟至 2026-07-13 08:00（Europe/Paris）：免打扰时段（FR 政策仅允许在收件人当地时间 周一至周六 08:00–20:00 发送营销短信）。',
    ],
    [
      'French national day',
      marketing('FR'),
      recipient('FR'),
      at('2026-07-14T08:00:00Z'),
      'en',
      'Deferred until 2026-07-15 08:00 Europe/Paris: public holiday 2026-07-14 Bastille Day (Fête Nationale de la France) (FR policy sends no marketing on public holidays).',
    ],
    [
      'Spring Festival (zh)',
      marketing('CN'),
      recipient('CN'),
      at('2026-02-17T02:00:00Z'),
      'zh',
      '推迟至 2026-02-24 08:00（Asia/Shanghai）：公众假日（2026-02-17 Spring Festival (春节)；CN 政策在公众假日不发送营销短信）。',
    ],
    [
      'frequency cap',
      marketing('US'),
      recipient('US', {
        recentSends: { marketing: [at('2026-07-14T16:00:00Z')], oneTimeCodes: [] },
      }),
      at('2026-07-14T16:00:00Z'),
      'en',
      'Deferred until 2026-07-15 12:00 America/New_York: frequency cap (US policy: marketing at most 2 per 7 days, at least 24 h apart).',
    ],
    [
      'frequency cap (zh)',
      marketing('US'),
      recipient('US', {
        recentSends: { marketing: [at('2026-07-14T16:00:00Z')], oneTimeCodes: [] },
      }),
      at('2026-07-14T16:00:00Z'),
      'zh',
      '推迟至 2026-07-15 12:00（America/New_York）：频次上限（US 政策：营销短信每 7 天最多 2 条，间隔至少 24 小时）。',
    ],
    [
      'OTP flood',
      transactional('US', { isOneTimeCode: true }),
      recipient('US', { recentSends: { marketing: [], oneTimeCodes: OTP } }),
      at('2026-07-14T16:00:00Z'),
      'en',
      'Deferred until 2026-07-14 12:10 America/New_York: one-time code flood limit (at most 5 per hour per number).',
    ],
    [
      'quiet hours, then a cap that frees at 21:00 sharp (the end of the window)',
      marketing('US'),
      recipient('US', {
        recentSends: { marketing: [at('2026-07-14T01:00:00Z')], oneTimeCodes: [] },
      }),
      at('2026-07-14T02:00:00Z'),
      'en',
      'Deferred until 2026-07-15 08:00 America/New_York: quiet hours (US policy allows marketing 08:00–21:00 recipient local time). Also: frequency cap (US policy: marketing at most 2 per 7 days, at least 24 h apart).',
    ],
    [
      'opted out',
      transactional('US'),
      recipient('US', { optedOut: { at: 0, via: 'STOP' } }),
      at('2026-07-14T16:00:00Z'),
      'en',
      'Blocked: the contact opted out (STOP).',
    ],
    [
      'opted out (zh)',
      marketing('CN'),
      recipient('CN', { optedOut: { at: 0, via: 'TD' } }),
      at('2026-07-14T02:00:00Z'),
      'zh',
      '已阻止：联系人已退订（TD）。',
    ],
    [
      'no consent (zh)',
      marketing('CN'),
      recipient('CN', { consent: {} }),
      at('2026-07-14T02:00:00Z'),
      'zh',
      '已阻止：没有营销短信的同意记录。',
    ],
    [
      'insufficient consent',
      marketing('DE'),
      recipient('DE', { consent: { marketing: { granted: true, method: 'web_form', at: 0 } } }),
      at('2026-07-14T10:00:00Z'),
      'en',
      'Blocked: the consent (web_form) is not of a kind the DE policy accepts for marketing.',
    ],
    [
      'content',
      marketing('CN', { body: '春季大促，全场8折' }),
      recipient('CN'),
      at('2026-07-14T02:00:00Z'),
      'en',
      'Blocked: the text breaks the CN content rules (opt_out_missing,signature_missing).',
    ],
    [
      'send',
      marketing('GB'),
      recipient('GB'),
      at('2026-07-14T10:00:00Z'),
      'en',
      'Send now: every check of the GB policy passed.',
    ],
    [
      'send (zh)',
      marketing('CN'),
      recipient('CN'),
      at('2026-07-14T02:00:00Z'),
      'zh',
      '立即发送：CN 政策的各项检查均已通过。',
    ],
  ])('%s', (_label, message, contact, now, locale, expected) => {
    expect(explain(message, contact, now, locale)).toBe(expected);
  });
});

describe('describeHours', () => {
  it.each([
    [resolvePolicy('US').quietHours.marketing, 'en', '08:00–21:00'],
    [resolvePolicy('AU').quietHours.marketing, 'en', 'Mon–Fri 09:00–20:00, Sat 09:00–17:00'],
    [resolvePolicy('AU').quietHours.marketing, 'zh', '周一至周五 09:00–20:00，周六 09:00–17:00'],
    [
      {
        allowed: [
          { start: '08:00', end: '09:00' },
          { start: '12:00', end: '13:30' },
        ],
      },
      'en',
      '08:00–09:00, 12:00–13:30',
    ],
    [{ allowed: [] }, 'en', 'never'],
    [null, 'en', '00:00–24:00'],
  ] as const)('%j in %s', (rule, locale, expected) => {
    expect(describeHours(rule, locale)).toBe(expected);
  });
});
