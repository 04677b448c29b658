import { describe, expect, it } from 'vitest';
import { policyResolver } from '../../../src/compliance/policies.js';
import {
  judgeMessage,
  latencySummary,
  type SentMarketingFact,
} from '../../../src/core/reports/compliance.js';

const policyFor = policyResolver(new Map());
const GRANT = { eventId: 7, action: 'grant', method: 'web_form', at: '2029-06-01T00:00:00Z' };
const LA: SentMarketingFact = {
  sentAt: Date.parse('2030-01-08T20:00:00Z'), // 12:00 in Los Angeles
  country: 'US',
  zones: ['America/Los_Angeles'],
  consent: GRANT,
  suppressedAt: null,
  erased: false,
};

describe('judging a sent marketing message', () => {
  it.each<[string, Partial<SentMarketingFact>, string[]]>([
    ['lawful: consent, noon, no suppression', {}, []],
    ['no consent on record', { consent: null }, ['no_consent']],
    [
      'the latest event was a withdrawal',
      { consent: { ...GRANT, eventId: 9, action: 'revoke' } },
      ['no_consent'],
    ],
    ['a suppressed number', { suppressedAt: '2029-12-01T00:00:00Z' }, ['suppressed']],
    [
      '22:30 in Los Angeles (TCPA 8–21)',
      { sentAt: Date.parse('2030-01-09T06:30:00Z') },
      ['quiet_hours'],
    ],
    ['07:59 in Los Angeles', { sentAt: Date.parse('2030-01-08T15:59:00Z') }, ['quiet_hours']],
    [
      '20:30 in Florida: state law ends at 20:00',
      { sentAt: Date.parse('2030-01-09T01:30:00Z'), zones: ['America/New_York'], region: 'FL' },
      ['quiet_hours'],
    ],
    [
      '20:30 in New York: inside TCPA hours',
      { sentAt: Date.parse('2030-01-09T01:30:00Z'), zones: ['America/New_York'] },
      [],
    ],
    [
      'a number in two zones, night in one of them',
      {
        zones: ['America/Los_Angeles', 'Asia/Shanghai'],
        sentAt: Date.parse('2030-01-08T20:00:00Z'),
      },
      ['quiet_hours'],
    ],
    [
      'China, National Day at 10:00',
      { country: 'CN', zones: ['Asia/Shanghai'], sentAt: Date.parse('2026-10-01T02:00:00Z') },
      ['holiday'],
    ],
    [
      'China, an ordinary Thursday at 10:00',
      { country: 'CN', zones: ['Asia/Shanghai'], sentAt: Date.parse('2026-10-15T02:00:00Z') },
      [],
    ],
    [
      'every problem at once',
      {
        consent: null,
        suppressedAt: '2029-01-01T00:00:00Z',
        sentAt: Date.parse('2030-01-09T06:30:00Z'),
      },
      ['no_consent', 'suppressed', 'quiet_hours'],
    ],
    ['a contact erased since', { erased: true, consent: null, zones: [] }, ['unverifiable']],
  ])('%s', (_name, over, problems) => {
    expect(judgeMessage({ ...LA, ...over }, policyFor).map((f) => f.problem)).toEqual(problems);
  });

  it('names the holiday and the consent event in its details', () => {
    const [holiday] = judgeMessage(
      {
        ...LA,
        country: 'CN',
        zones: ['Asia/Shanghai'],
        sentAt: Date.parse('2026-10-01T02:00:00Z'),
      },
      policyFor,
    );
    expect(holiday!.detail).toMatch(/^2026-10-01 /);
    expect(
      judgeMessage({ ...LA, consent: { ...GRANT, eventId: 9, action: 'revoke' } }, policyFor)[0]!
        .detail,
    ).toBe('latest event 9 is a revoke');
  });
});

describe('opt-out latency', () => {
  it.each<[number[], ReturnType<typeof latencySummary>]>([
    [[], { count: 0, p50Seconds: null, p99Seconds: null, maxSeconds: null }],
    [[5], { count: 1, p50Seconds: 5, p99Seconds: 5, maxSeconds: 5 }],
    [[4, 1, 3, 2], { count: 4, p50Seconds: 2.5, p99Seconds: 3.97, maxSeconds: 4 }],
    [
      Array.from({ length: 100 }, (_, i) => i + 1),
      { count: 100, p50Seconds: 50.5, p99Seconds: 99.01, maxSeconds: 100 },
    ],
  ])('%j', (values, summary) => {
    const got = latencySummary(values);
    expect(got.count).toBe(summary.count);
    for (const k of ['p50Seconds', 'p99Seconds', 'maxSeconds'] as const) {
      if (summary[k] === null) expect(got[k]).toBeNull();
      else expect(got[k]).toBeCloseTo(summary[k]!, 9);
    }
  });
});
