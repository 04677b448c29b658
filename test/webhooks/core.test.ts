// The pure parts of outbound webhooks (src/core/webhooks.ts), as tables of cases.
import { describe, expect, it } from 'vitest';
import {
  attemptVerdict,
  checkWebhookUrl,
  maskedPhone,
  nextDeliveryStep,
  parseRetryAfter,
  shouldDisableEndpoint,
  webhookRetryDelayMs,
  webhookSignature,
  WEBHOOK_RETRY_POLICY,
  type AttemptResult,
  type AttemptVerdict,
} from '../../src/core/webhooks.js';

describe('checkWebhookUrl', () => {
  it.each([
    ['https://hooks.example.com/herald', { ok: true, url: 'https://hooks.example.com/herald' }],
    ['http://127.0.0.1:8080/in?token=abc', { ok: true, url: 'http://127.0.0.1:8080/in?token=abc' }],
    ['  https://example.com/a#frag  ', { ok: true, url: 'https://example.com/a' }],
    ['HTTPS://EXAMPLE.COM', { ok: true, url: 'https://example.com/' }],
    ['ftp://example.com/x', { ok: false, problem: 'scheme' }],
    ['file:///etc/passwd', { ok: false, problem: 'scheme' }],
    ['javascript:alert(1)', { ok: false, problem: 'scheme' }],
    ['gopher://example.com', { ok: false, problem: 'scheme' }],
    ['https://user:pass@example.com/', { ok: false, problem: 'credentials' }],
    ['https://user@example.com/', { ok: false, problem: 'credentials' }],
    ['example.com/hook', { ok: false, problem: 'not_a_url' }],
    ['', { ok: false, problem: 'not_a_url' }],
    [`https://example.com/${'a'.repeat(2100)}`, { ok: false, problem: 'too_long' }],
  ])('%s', (raw, expected) => {
    expect(checkWebhookUrl(raw)).toEqual(expected);
  });
});

describe('webhookSignature', () => {
  // Vectors from `printf '%s' '1700000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac <secret>`.
  const NEW = 'c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925';
  const OLD = 'ef1b1b7e4b312671a75ef2a03e10529f7834a6528a49db77ad6568c8c8017843';
  it.each([
    [['whsec_test'], 1700000000, `t=1700000000,v1=${NEW}`],
    [['whsec_test'], 1700000000.9, `t=1700000000,v1=${NEW}`],
    [['whsec_test', 'whsec_old'], 1700000000, `t=1700000000,v1=${NEW},v1=${OLD}`],
  ])('%j at %d', (secrets, t, header) => {
    expect(webhookSignature(secrets, t, '{"id":"evt_1"}')).toBe(header);
  });

  it('changes with the body and with the time', () => {
    const a = webhookSignature(['s'], 1, '{}');
    expect(webhookSignature(['s'], 1, '{ }')).not.toBe(a);
    expect(webhookSignature(['s'], 2, '{}').split(',')[1]).not.toBe(a.split(',')[1]);
  });
});

describe('attemptVerdict', () => {
  it.each<[AttemptResult, AttemptVerdict]>([
    [{ kind: 'response', status: 200 }, 'delivered'],
    [{ kind: 'response', status: 204 }, 'delivered'],
    [{ kind: 'response', status: 299 }, 'delivered'],
    [{ kind: 'response', status: 301 }, 'failed'],
    [{ kind: 'response', status: 302 }, 'failed'],
    [{ kind: 'response', status: 400 }, 'failed'],
    [{ kind: 'response', status: 401 }, 'failed'],
    [{ kind: 'response', status: 404 }, 'failed'],
    [{ kind: 'response', status: 408 }, 'retry'],
    [{ kind: 'response', status: 410 }, 'failed'],
    [{ kind: 'response', status: 429 }, 'retry'],
    [{ kind: 'response', status: 500 }, 'retry'],
    [{ kind: 'response', status: 503 }, 'retry'],
    [{ kind: 'timeout' }, 'retry'],
    [{ kind: 'network' }, 'retry'],
    [{ kind: 'refused' }, 'failed'],
  ])('%j → %s', (result, verdict) => {
    expect(attemptVerdict(result)).toBe(verdict);
  });
});

describe('webhookRetryDelayMs', () => {
  it.each([
    [1, 0.5, 30_000],
    [2, 0.5, 120_000],
    [3, 0.5, 480_000],
    [4, 0.5, 1_920_000],
    [5, 0.5, 7_680_000],
    [6, 0.5, 21_600_000],
    [9, 0.5, 21_600_000],
    [1, 0, 24_000],
    [1, 1, 36_000],
    [6, 0, 17_280_000],
  ])('after attempt %d with random %d: %d ms', (attempt, random, ms) => {
    expect(webhookRetryDelayMs(attempt, random)).toBe(ms);
  });

  it('spreads ten attempts over about a day', () => {
    let total = 0;
    for (let a = 1; a < WEBHOOK_RETRY_POLICY.maxAttempts; a++) total += webhookRetryDelayMs(a, 0.5);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(30);
  });
});

describe('nextDeliveryStep', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  it.each([
    [{ attempt: 1, verdict: 'delivered' }, { status: 'delivered' }],
    [
      { attempt: 1, verdict: 'failed' },
      { status: 'failed', reason: 'rejected' },
    ],
    [
      { attempt: 1, verdict: 'retry' },
      { status: 'pending', nextAttemptAt: at(30_000) },
    ],
    [
      { attempt: 3, verdict: 'retry' },
      { status: 'pending', nextAttemptAt: at(480_000) },
    ],
    [
      { attempt: 9, verdict: 'retry' },
      { status: 'pending', nextAttemptAt: at(21_600_000) },
    ],
    [
      { attempt: 10, verdict: 'retry' },
      { status: 'failed', reason: 'exhausted' },
    ],
    [{ attempt: 10, verdict: 'delivered' }, { status: 'delivered' }],
    // Retry-After longer than the back-off wins; shorter does not; never past the cap.
    [
      { attempt: 1, verdict: 'retry', retryAfterSeconds: 120 },
      { status: 'pending', nextAttemptAt: at(120_000) },
    ],
    [
      { attempt: 1, verdict: 'retry', retryAfterSeconds: 5 },
      { status: 'pending', nextAttemptAt: at(30_000) },
    ],
    [
      { attempt: 1, verdict: 'retry', retryAfterSeconds: 999_999 },
      { status: 'pending', nextAttemptAt: at(21_600_000) },
    ],
  ] as const)('%j', (input, step) => {
    expect(nextDeliveryStep({ ...input, now, random: 0.5 })).toEqual(step);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    [' 5 ', 5],
    ['0', 0],
    [undefined, null],
    ['', null],
    ['-1', null],
    ['Wed, 21 Oct 2015 07:28:00 GMT', null],
    ['1e9', null],
  ])('%j → %j', (header, seconds) => {
    expect(parseRetryAfter(header)).toBe(seconds);
  });
});

describe('shouldDisableEndpoint', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it.each([
    [19, '2026-01-01T00:00:00Z', false],
    [20, '2026-01-01T00:00:00Z', true],
    [20, '2026-01-01T11:30:00Z', false], // many failures, but only half an hour of outage
    [20, '2026-01-01T11:00:00Z', true],
    [50, null, false],
    [0, null, false],
  ])('%d failures since %s → %s', (consecutiveFailures, failingSince, expected) => {
    expect(shouldDisableEndpoint({ consecutiveFailures, failingSince, now })).toBe(expected);
  });

  it('follows the policy given', () => {
    const state = { consecutiveFailures: 3, failingSince: now.toISOString(), now };
    expect(shouldDisableEndpoint(state, { afterFailures: 3, afterMs: 0 })).toBe(true);
    expect(shouldDisableEndpoint(state, { afterFailures: 4, afterMs: 0 })).toBe(false);
  });
});

describe('maskedPhone', () => {
  it.each([
    ['+8613800138000', '+86 138****8000'],
    [null, null],
    [undefined, null],
  ])('%s → %s', (e164, masked) => {
    expect(maskedPhone(e164)).toBe(masked);
  });
});
