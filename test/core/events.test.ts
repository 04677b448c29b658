import { describe, expect, it } from 'vitest';
import { checkEventFacts, type EventFacts } from '../../src/core/events.js';

const now = new Date('2025-06-01T12:00:00Z');
const currencies = new Set(['CNY', 'USD', 'EUR', 'JPY']);

describe('checkEventFacts', () => {
  // prettier-ignore
  it.each<[string, EventFacts, string]>([
    ['a purchase with amount and currency', { type: 'purchase', occurredAt: '2025-05-01T10:00:00Z', amount: 99.5, currency: 'CNY' }, 'ok'],
    ['a lower-case currency', { type: 'purchase', occurredAt: '2025-05-01T10:00:00+08:00', amount: 1, currency: 'usd' }, 'ok'],
    ['a custom event without properties', { type: 'app_open', occurredAt: '2025-06-01T11:59:00Z' }, 'ok'],
    ['a custom negative amount (refund)', { type: 'refund', occurredAt: '2025-05-01T10:00:00Z', amount: -5, currency: 'EUR' }, 'ok'],
    ['a few minutes of clock drift', { type: 'view', occurredAt: '2025-06-01T12:05:00Z' }, 'ok'],
    ['a zero purchase', { type: 'purchase', occurredAt: '2025-05-01T10:00:00Z', amount: 0, currency: 'JPY' }, 'ok'],
    ['an amount without currency', { type: 'purchase', occurredAt: '2025-05-01T10:00:00Z', amount: 3 }, 'bad_currency'],
    ['an unknown currency', { type: 'purchase', occurredAt: '2025-05-01T10:00:00Z', amount: 3, currency: 'XYZ' }, 'bad_currency'],
    ['a currency symbol', { type: 'purchase', occurredAt: '2025-05-01T10:00:00Z', amount: 3, currency: '¥' }, 'bad_currency'],
    ['a negative purchase', { type: 'purchase', occurredAt: '2025-05-01T10:00:00Z', amount: -1, currency: 'USD' }, 'bad_amount'],
    ['an infinite amount', { type: 'purchase', occurredAt: '2025-05-01T10:00:00Z', amount: Infinity, currency: 'USD' }, 'bad_amount'],
    ['a time in the future', { type: 'purchase', occurredAt: '2025-06-02T12:00:00Z' }, 'bad_time'],
    ['not a time', { type: 'purchase', occurredAt: 'yesterday' }, 'bad_time'],
  ])('%s', (_name, facts, expected) => {
    const result = checkEventFacts(facts, { now, currencies });
    expect(result.ok ? 'ok' : result.reason).toBe(expected);
  });

  it('normalises the time to UTC and the currency to upper case', () => {
    expect(
      checkEventFacts(
        { type: 'purchase', occurredAt: '2025-05-01T10:00:00+08:00', amount: 1, currency: 'cny' },
        { now, currencies },
      ),
    ).toEqual({ ok: true, occurredAt: '2025-05-01T02:00:00.000Z', currency: 'CNY' });
  });
});
