/**
 * The inbox (GET /v1/inbound: sender masked, intent, what Herald did, paging, the filter by
 * intent, erasure) and the message log's filters (campaign, carrier, reason, time range).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMessage, type NewMessageRow } from '../../src/store/messages.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { consentingContact } from '../delivery/helpers.js';

const CUSTOMER = '+14155550123';
const STRANGER = '+14155550177';
const OTHER = '+14155550188';

describe.each(DIALECTS)('[%s] inbox and message log API', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let support: Record<string, string>;
  let analyst: Record<string, string>;
  let customerId: number;
  const inboundIds: Record<string, number> = {};

  const get = (url: string, headers = support) => t.app.inject({ method: 'GET', url, headers });
  const reply = async (from: string, text: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/simulator/inbound',
      headers: admin,
      payload: { from, text },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { inboundId: number; action: string; intent: string };
  };

  beforeAll(async () => {
    t = await openTestApp(dialect);
    const bearer = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });
    admin = await bearer('admin');
    support = await bearer('support');
    analyst = await bearer('analyst');
    customerId = await consentingContact(t.ctx, CUSTOMER);
    inboundIds.stop = (await reply(CUSTOMER, 'STOP')).inboundId;
    inboundIds.help = (await reply(STRANGER, 'help')).inboundId;
    inboundIds.other = (
      await reply(OTHER, 'When does the sale end? Call me on 415 555 0199')
    ).inboundId;
  });
  afterAll(async () => t.close());

  it('lists inbound messages newest first: masked sender, text, intent and what was done', async () => {
    const res = await get('/v1/inbound');
    expect(res.statusCode).toBe(200);
    const { items, nextBefore } = res.json();
    expect(nextBefore).toBeNull();
    expect(items).toMatchObject([
      {
        id: inboundIds.other,
        from: '+1 415***0188',
        contactId: null,
        intent: 'other',
        action: 'stored',
        carrier: 'simulator',
      },
      { id: inboundIds.help, from: '+1 415***0177', intent: 'help', action: 'help_sent' },
      {
        id: inboundIds.stop,
        from: '+1 415***0123',
        contactId: customerId,
        intent: 'opt_out',
        action: 'opted_out',
        body: 'STOP',
      },
    ]);
    // A number the person typed is masked too.
    expect(items[0].body).toMatch(/^When does the sale end\? Call me on /);
    expect(items[0].body).not.toContain('0199');
    for (const phone of [CUSTOMER, STRANGER, OTHER]) expect(res.body).not.toContain(phone);
  });

  it('filters by intent and pages with `before`', async () => {
    const optOuts = (await get('/v1/inbound?intent=opt_out')).json();
    expect(optOuts.items.map((i: { id: number }) => i.id)).toEqual([inboundIds.stop]);
    expect((await get('/v1/inbound?intent=confirm')).json().items).toEqual([]);

    const first = (await get('/v1/inbound?limit=2')).json();
    expect(first.items.map((i: { id: number }) => i.id)).toEqual([
      inboundIds.other,
      inboundIds.help,
    ]);
    expect(first.nextBefore).toBe(inboundIds.help);
    const second = (await get(`/v1/inbound?limit=2&before=${first.nextBefore}`)).json();
    expect(second.items.map((i: { id: number }) => i.id)).toEqual([inboundIds.stop]);
    expect(second.nextBefore).toBeNull();

    const received = (await get('/v1/inbound')).json().items[0].receivedAt as string;
    const until = (await get(`/v1/inbound?until=${encodeURIComponent(received)}`)).json();
    expect(until.items.map((i: { id: number }) => i.id)).not.toContain(inboundIds.other);
  });

  it('is for messages:read, and refuses a filter it does not know', async () => {
    expect((await get('/v1/inbound', analyst)).statusCode).toBe(403);
    const bad = await get('/v1/inbound?intent=complaint');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('filters the message log by campaign, carrier, reason and time range', async () => {
    const db = t.ctx.store.db;
    const seed = (over: Partial<NewMessageRow> & { created_at: string }) =>
      insertMessage(db, {
        contact_id: null,
        phone_index: t.ctx.cipher.blindIndex(STRANGER),
        phone_enc: t.ctx.cipher.encrypt(STRANGER),
        purpose: 'transactional',
        kind: 'api',
        body: 'Your order has shipped',
        segments: 1,
        status: 'sent',
        carrier: 'simulator',
        carrier_message_id: null,
        error_code: null,
        not_before: over.created_at,
        lease_until: null,
        campaign_id: null,
        sent_at: over.created_at,
        delivered_at: null,
        country: 'US',
        ...over,
      });
    const early = await seed({ created_at: '2030-01-01T10:00:00.000Z', campaign_id: 77 });
    const failed = await seed({
      created_at: '2030-01-02T10:00:00.000Z',
      status: 'undelivered',
      carrier: 'flaky',
      error_code: 'SIM_ABSENT_SUBSCRIBER',
    });
    const blocked = await seed({
      created_at: '2030-01-03T10:00:00.000Z',
      status: 'blocked',
      carrier: null,
      sent_at: null,
      error_code: 'no_consent',
      purpose: 'marketing',
    });
    const ids = async (query: string) =>
      ((await get(`/v1/messages?${query}`)).json().items as { id: number }[]).map((m) => m.id);
    expect(await ids('campaignId=77')).toEqual([early.id]);
    expect(await ids('carrier=flaky')).toEqual([failed.id]);
    expect(await ids('reason=no_consent')).toEqual([blocked.id]);
    expect(await ids('reason=no_consent&status=blocked&purpose=marketing')).toEqual([blocked.id]);
    expect(
      await ids('since=2030-01-01T12:00:00Z&until=2030-01-03T10:00:00Z&carrier=flaky'),
    ).toEqual([failed.id]);
    expect(await ids('since=2030-01-01T00:00:00Z&until=2030-01-03T10:00:00Z')).toEqual([
      failed.id,
      early.id,
    ]);
    expect((await get('/v1/messages?until=yesterday')).statusCode).toBe(400);
  });

  it('forgets the sender and the text of an erased contact', async () => {
    const erased = await t.app.inject({
      method: 'DELETE',
      url: `/v1/contacts/${customerId}?reason=closing%20account`,
      headers: admin,
    });
    expect(erased.statusCode).toBe(200);
    const stop = (await get('/v1/inbound?intent=opt_out')).json().items[0];
    expect(stop).toMatchObject({
      id: inboundIds.stop,
      from: null,
      contactId: null,
      body: null,
      action: 'opted_out',
    });
  });
});
