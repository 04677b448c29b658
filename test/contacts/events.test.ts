import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../src/contacts/contacts.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

describe.each(DIALECTS)('[%s] behaviour events API', (dialect) => {
  let t: TestApp;
  let marketer: Record<string, string>;
  let analyst: Record<string, string>;
  let shopper: number;
  let other: number;

  const post = (payload: unknown, headers = marketer) =>
    t.app.inject({ method: 'POST', url: '/v1/events', headers, payload: payload as object });
  const list = (id: number, query = '') =>
    t.app.inject({ method: 'GET', url: `/v1/contacts/${id}/events${query}`, headers: marketer });
  const engagedAt = async (id: number) =>
    (
      await t.ctx.store.db
        .selectFrom('contacts')
        .select('last_engaged_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).last_engaged_at;

  beforeAll(async () => {
    t = await openTestApp(dialect);
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    analyst = { authorization: `Bearer ${await t.keyFor('analyst')}` };
    shopper = (
      await createContact(
        t.ctx,
        { phone: '+86 139 1234 5678', externalId: 'shop-42', source: 'test' },
        'test',
      )
    ).id;
    other = (await createContact(t.ctx, { phone: '+44 7400 123456', source: 'test' }, 'test')).id;
  });
  afterAll(async () => t.close());

  it('stores the good items of a mixed batch and says why each bad one was refused', async () => {
    const at = '2025-03-01T10:00:00.000Z';
    const res = await post({
      events: [
        /* 0 */ {
          type: 'purchase',
          contact: { id: shopper },
          occurredAt: at,
          properties: { amount: 99.99, currency: 'cny', category: 'tea', sku: 'T-1', gift: true },
          idempotencyKey: 'order-1',
        },
        /* 1 */ {
          type: 'app_open',
          contact: { externalId: 'shop-42' },
          occurredAt: '2025-03-02T08:00:00+08:00',
        },
        /* 2 */ {
          type: 'purchase',
          contact: { phone: '139-1234-5678', country: 'CN' },
          occurredAt: '2025-03-03T10:00:00Z',
          properties: { amount: 5, currency: 'USD' },
          idempotencyKey: 'order-2',
        },
        /* 3 */ {
          type: 'page_view',
          contact: { phone: '07400 123456', country: 'GB' },
          occurredAt: at,
        },
        /* 4 */ {
          type: 'purchase',
          contact: { id: shopper },
          occurredAt: at,
          properties: { amount: 5, currency: 'DOGE' },
        },
        /* 5 */ { type: 'purchase', contact: { id: 999_999 }, occurredAt: at },
        /* 6 */ { type: 'purchase', contact: { externalId: 'nobody' }, occurredAt: at },
        /* 7 */ { type: 'purchase', contact: { phone: '+86 110 1234 5678' }, occurredAt: at },
        /* 8 */ { contact: { id: shopper }, occurredAt: at },
        /* 9 */ { type: 'purchase', contact: { id: shopper }, occurredAt: '2999-01-01T00:00:00Z' },
        /* 10 */ {
          type: 'purchase',
          contact: { id: shopper },
          occurredAt: at,
          idempotencyKey: 'order-1',
        },
        /* 11 */ 'not an object',
        /* 12 */ {
          type: 'purchase',
          contact: { id: shopper },
          occurredAt: at,
          properties: { amount: -3, currency: 'EUR' },
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 4, duplicates: 1, rejected: 8 });
    const outcome = body.results.map(
      (r: { outcome: string; reason?: string }) => r.reason ?? r.outcome,
    );
    expect(outcome).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'accepted',
      'bad_currency',
      'unknown_contact',
      'unknown_contact',
      'invalid_number',
      'invalid_event',
      'bad_time',
      'duplicate',
      'invalid_event',
      'bad_amount',
    ]);
    expect(body.results[8].message).toContain('type');
    // Never echo a number back, not even a bad one.
    expect(res.body).not.toContain('1234 5678');
    expect(res.body).not.toContain('12345678');

    const events = (await list(shopper)).json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'purchase',
      'app_open',
      'purchase',
    ]);
    expect(events[2]).toMatchObject({
      type: 'purchase',
      occurredAt: at,
      idempotencyKey: 'order-1',
      properties: { amount: 99.99, currency: 'CNY', category: 'tea', sku: 'T-1', gift: true },
    });
    const row = await t.ctx.store.db
      .selectFrom('events')
      .selectAll()
      .where('idempotency_key', '=', 'order-1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ amount: 99.99, currency: 'CNY', category: 'tea', sku: 'T-1' });
    expect(JSON.parse(row.properties)).toEqual({ gift: true });

    // Engagement is the latest occurrence, not the time of receipt.
    expect(await engagedAt(shopper)).toBe('2025-03-03T10:00:00.000Z');
    expect(await engagedAt(other)).toBe(at);
  });

  it('answers duplicate for a retried batch and never moves engagement back', async () => {
    const batch = {
      events: [
        {
          type: 'purchase',
          contact: { id: shopper },
          occurredAt: '2025-01-01T00:00:00Z',
          idempotencyKey: 'order-1',
        },
        {
          type: 'purchase',
          contact: { id: shopper },
          occurredAt: '2025-01-01T00:00:00Z',
          idempotencyKey: 'order-3',
        },
      ],
    };
    expect((await post(batch)).json()).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    expect((await post(batch)).json()).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    expect(await engagedAt(shopper)).toBe('2025-03-03T10:00:00.000Z');
  });

  it('pages a contact’s events newest first, filters by type, and 404s an unknown contact', async () => {
    const first = (await list(shopper, '?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toMatch(/Z_\d+$/);
    const second = (
      await list(shopper, `?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)
    ).json();
    expect(second.items).toHaveLength(2);
    const ids = [...first.items, ...second.items].map((e: { id: number }) => e.id);
    expect(new Set(ids).size).toBe(4);
    const opens = (await list(shopper, '?type=app_open')).json();
    expect(opens.items).toHaveLength(1);
    expect((await list(999_999)).statusCode).toBe(404);
  });

  it('checks the envelope and the permission', async () => {
    expect((await post({ events: [] })).statusCode).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => ({}));
    expect((await post({ events: tooMany })).statusCode).toBe(400);
    const denied = await post(
      { events: [{ type: 'x', contact: { id: shopper }, occurredAt: '2025-01-01T00:00:00Z' }] },
      analyst,
    );
    expect(denied.statusCode).toBe(403);
  });

  it('accepts a full batch of 1000 in one request', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      type: 'page_view',
      contact: { externalId: 'shop-42' },
      occurredAt: '2025-02-01T00:00:00Z',
      idempotencyKey: `bulk-${i}`,
    }));
    const res = await post({ events });
    expect(res.json()).toMatchObject({ accepted: 1000, duplicates: 0, rejected: 0 });
  });
});
