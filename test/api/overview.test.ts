/**
 * GET /v1/analytics/overview: messages by period and status in a time zone (on a day the clocks
 * change), the rates of the last 7 days, running campaigns, campaigns a guardrail paused, and
 * carrier errors over the last 24 hours; who may read it; nothing personal in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/campaigns/campaigns.js';
import { overview } from '../../src/campaigns/overview.js';
import { recordConsent } from '../../src/contacts/consent.js';
import { insertMessageEvents } from '../../src/store/message-events.js';
import { insertMessage, type NewMessageRow } from '../../src/store/messages.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { consentingContact } from '../delivery/helpers.js';
import { promoCampaign } from '../campaigns/helpers.js';

// Sunday 10 March 2030 in New York: clocks go from 02:00 EST to 03:00 EDT (a 23-hour day).
const NOW = new Date('2030-03-10T15:00:00Z'); // 11:00 EDT
const ZONE = 'America/New_York';
const CLICKER = '+14155550123';
const QUITTER = '+14155550124';
const STRANGER = '+14155550177';

describe.each(DIALECTS)('[%s] analytics overview', (dialect) => {
  let t: TestApp;
  let analyst: Record<string, string>;
  const ids: Record<string, number> = {};

  const seed = async (
    name: string,
    over: Partial<NewMessageRow> & { created_at: string; status: string },
  ) => {
    const to = over.contact_id === ids.clicker ? CLICKER : over.contact_id ? QUITTER : STRANGER;
    const row = await insertMessage(t.ctx.store.db, {
      contact_id: null,
      phone_index: t.ctx.cipher.blindIndex(to),
      phone_enc: t.ctx.cipher.encrypt(to),
      purpose: 'transactional',
      kind: 'api',
      body: 'Your order has shipped',
      segments: 1,
      carrier: null,
      carrier_message_id: null,
      error_code: null,
      not_before: over.created_at,
      lease_until: null,
      campaign_id: null,
      sent_at: null,
      delivered_at: null,
      country: 'US',
      ...over,
    });
    ids[name] = row.id;
    return row.id;
  };

  beforeAll(async () => {
    t = await openTestApp(dialect);
    analyst = { authorization: `Bearer ${await t.keyFor('analyst')}` };
    const db = t.ctx.store.db;
    ids.clicker = await consentingContact(t.ctx, CLICKER);
    ids.quitter = await consentingContact(t.ctx, QUITTER);

    const campaign = async (name: string) =>
      (await createCampaign(t.ctx, promoCampaign({ name }), { actor: 'user:alice' })).id;
    ids.running = await campaign('Spring sale');
    ids.paused = await campaign('Too loud');
    ids.manual = await campaign('Paused by hand');
    ids.draft = await campaign('Still a draft');
    const set = (id: number, patch: Record<string, unknown>) =>
      db.updateTable('campaigns').set(patch).where('id', '=', id).execute();
    await set(ids.running, { status: 'sending', started_at: '2030-03-08T14:00:00.000Z' });
    await set(ids.paused, {
      status: 'paused',
      paused_from: 'sending',
      pause_reason: 'opt_out_rate',
      pause_detail: JSON.stringify({ rate: 0.045, threshold: 0.02, window: 200 }),
      updated_at: '2030-03-10T12:00:00.000Z',
    });
    await set(ids.manual, { status: 'paused', paused_from: 'sending', pause_reason: 'manual' });

    // Today, 01:30 EST: a transactional message, delivered.
    await seed('early', {
      created_at: '2030-03-10T06:30:00.000Z',
      status: 'delivered',
      sent_at: '2030-03-10T06:30:01.000Z',
      carrier: 'simulator',
    });
    // Today, 03:10 EDT (just after the change): a campaign message, clicked and converted.
    await seed('clicked', {
      created_at: '2030-03-10T07:10:00.000Z',
      status: 'delivered',
      sent_at: '2030-03-10T07:10:01.000Z',
      carrier: 'simulator',
      purpose: 'marketing',
      kind: 'campaign',
      campaign_id: ids.running,
      contact_id: ids.clicker,
    });
    // Today, 10:00 EDT: waiting in the outbox.
    await seed('queued', { created_at: '2030-03-10T14:00:00.000Z', status: 'queued' });
    // Saturday 23:59 EST (yesterday): undelivered by the carrier.
    await seed('undelivered', {
      created_at: '2030-03-10T04:59:00.000Z',
      status: 'undelivered',
      sent_at: '2030-03-10T04:59:01.000Z',
      carrier: 'flaky',
      error_code: 'SIM_UNKNOWN_SUBSCRIBER',
    });
    // Friday: a campaign message whose recipient opted out the next day; a link preview only.
    await seed('optedOut', {
      created_at: '2030-03-08T15:00:00.000Z',
      status: 'delivered',
      sent_at: '2030-03-08T15:00:01.000Z',
      carrier: 'simulator',
      purpose: 'marketing',
      kind: 'campaign',
      campaign_id: ids.running,
      contact_id: ids.quitter,
    });
    // Sunday of the week before: blocked, never sent.
    await seed('blocked', {
      created_at: '2030-03-03T12:00:00.000Z',
      status: 'blocked',
      error_code: 'no_consent',
      purpose: 'marketing',
    });
    // Outside the 14 days.
    await seed('old', {
      created_at: '2030-02-20T12:00:00.000Z',
      status: 'delivered',
      sent_at: '2030-02-20T12:00:01.000Z',
    });

    await recordConsent(
      db,
      { id: ids.quitter, phoneIndex: t.ctx.cipher.blindIndex(QUITTER) },
      {
        purpose: 'marketing',
        action: 'revoke',
        method: 'keyword',
        source: 'keyword:STOP',
        at: new Date('2030-03-09T10:00:00Z'),
      },
      'test',
    );
    const link = (code: string, messageId: number, contactId: number) =>
      db
        .insertInto('short_links')
        .values({
          code,
          target: 'https://shop.example.com/sale',
          message_id: messageId,
          contact_id: contactId,
          campaign_id: ids.running,
          variant: 'A',
          created_at: '2030-03-08T14:00:00.000Z',
          expires_at: null,
        })
        .execute();
    await link('clk1', ids.clicked!, ids.clicker);
    await link('prev1', ids.optedOut!, ids.quitter);
    await db
      .insertInto('link_clicks')
      .values([
        { code: 'clk1', at: '2030-03-10T07:20:00.000Z', is_bot: 0, visitor: 'v1' },
        { code: 'prev1', at: '2030-03-08T15:00:05.000Z', is_bot: 1, visitor: 'imessage' },
      ])
      .execute();
    await db
      .insertInto('conversions')
      .values({
        order_id: 'SO-1',
        contact_id: ids.clicker,
        value: 25,
        currency: 'USD',
        occurred_at: '2030-03-10T08:00:00.000Z',
        received_at: '2030-03-10T08:00:01.000Z',
        campaign_id: ids.running,
        message_id: ids.clicked!,
        variant: 'A',
        click_id: null,
        request_hash: 'h',
      })
      .execute();

    await insertMessageEvents(db, [
      // Within the last 24 h: a final failure and a temporary refusal retried.
      {
        message_id: ids.undelivered!,
        at: '2030-03-10T05:10:00.000Z',
        status: 'undelivered',
        detail: 'SIM_UNKNOWN_SUBSCRIBER',
        carrier: 'flaky',
      },
      {
        message_id: ids.queued!,
        at: '2030-03-10T14:00:05.000Z',
        status: 'queued',
        detail: 'SIM_THROTTLED',
        carrier: 'flaky',
      },
      {
        message_id: ids.queued!,
        at: '2030-03-10T14:01:05.000Z',
        status: 'queued',
        detail: 'SIM_THROTTLED',
        carrier: 'flaky',
      },
      // Not carrier errors: a delivery, a decision, and a failure older than 24 h.
      {
        message_id: ids.early!,
        at: '2030-03-10T06:31:00.000Z',
        status: 'delivered',
        detail: null,
        carrier: 'simulator',
      },
      {
        message_id: ids.blocked!,
        at: '2030-03-10T09:00:00.000Z',
        status: 'blocked',
        detail: 'no_consent',
        carrier: null,
      },
      {
        message_id: ids.old!,
        at: '2030-03-09T14:59:59.000Z',
        status: 'failed',
        detail: 'SIM_SYSTEM_BUSY',
        carrier: 'flaky',
      },
    ]);
  });
  afterAll(async () => t.close());

  it('counts messages by status today and this week in the zone asked for', async () => {
    const o = await overview(t.ctx, { timeZone: ZONE, now: NOW });
    expect(o.timeZone).toBe(ZONE);
    expect(o.today).toEqual({
      key: '2030-03-10',
      from: '2030-03-10T05:00:00.000Z',
      to: '2030-03-11T04:00:00.000Z',
      total: 3,
      byStatus: { delivered: 2, queued: 1 },
    });
    // The week began on Monday 4 March; the blocked message of the 3rd is the week before.
    expect(o.week).toMatchObject({
      key: '2030-03-04',
      from: '2030-03-04T05:00:00.000Z',
      total: 5,
      byStatus: { delivered: 3, queued: 1, undelivered: 1 },
    });
    expect(o.daily).toHaveLength(14);
    const day = (key: string) => o.daily.find((d) => d.key === key);
    expect(day('2030-03-09')?.byStatus).toEqual({ undelivered: 1 });
    expect(day('2030-03-08')?.byStatus).toEqual({ delivered: 1 });
    expect(day('2030-03-03')?.byStatus).toEqual({ blocked: 1 });
    expect(o.daily[0]!.key).toBe('2030-02-25');
    expect(o.daily.reduce((s, d) => s + d.total, 0)).toBe(6);
  });

  it('counts today per hour of the local clock: 23 hours on the day clocks go forward', async () => {
    const o = await overview(t.ctx, { timeZone: ZONE, now: NOW });
    expect(o.hourly).toHaveLength(23);
    const busy = o.hourly.filter((h) => h.total > 0).map((h) => [h.key, h.byStatus]);
    expect(busy).toEqual([
      ['2030-03-10T01:00:00-05:00', { delivered: 1 }],
      ['2030-03-10T03:00:00-04:00', { delivered: 1 }],
      ['2030-03-10T10:00:00-04:00', { queued: 1 }],
    ]);
    // In Shanghai (UTC+8) the 23:59 EST failure is already Sunday.
    const cn = await overview(t.ctx, { timeZone: 'Asia/Shanghai', now: NOW });
    expect(cn.today.key).toBe('2030-03-10');
    expect(cn.today.byStatus).toEqual({ delivered: 2, queued: 1, undelivered: 1 });
  });

  it('gives the rates of the last 7 days’ messages', async () => {
    const o = await overview(t.ctx, { timeZone: ZONE, now: NOW });
    expect(o.rates).toEqual({
      key: '2030-03-04',
      from: '2030-03-04T05:00:00.000Z',
      to: '2030-03-11T04:00:00.000Z',
      sent: 4,
      delivered: 3,
      marketingSent: 2,
      clicked: 1, // the link preview is no click
      converted: 1,
      optedOut: 1,
      delivery: 0.75,
      click: 0.5,
      conversion: 0.5,
      optOut: 0.5,
    });
  });

  it('lists running campaigns with their figures, and guardrail pauses with the reason', async () => {
    const o = await overview(t.ctx, { timeZone: ZONE, now: NOW });
    expect(o.runningCampaigns).toEqual([
      {
        id: ids.running,
        name: 'Spring sale',
        purpose: 'marketing',
        startedAt: '2030-03-08T14:00:00.000Z',
        audience: 2,
        sent: 2,
        delivered: 2,
        failed: 0,
      },
    ]);
    expect(o.alerts.paused).toEqual([
      {
        id: ids.paused,
        name: 'Too loud',
        reason: 'opt_out_rate',
        details: { rate: 0.045, threshold: 0.02, window: 200 },
        pausedAt: '2030-03-10T12:00:00.000Z',
      },
    ]);
  });

  it('counts carrier errors of the last 24 hours by carrier and code', async () => {
    const o = await overview(t.ctx, { timeZone: ZONE, now: NOW });
    expect(o.alerts.carrierErrors).toEqual({
      since: '2030-03-09T15:00:00.000Z',
      items: [
        { carrier: 'flaky', errorCode: 'SIM_THROTTLED', failed: 0, retried: 2 },
        { carrier: 'flaky', errorCode: 'SIM_UNKNOWN_SUBSCRIBER', failed: 1, retried: 0 },
      ],
    });
  });

  it('answers over HTTP to reports:read, with the zone declared, and no number in it', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/analytics/overview?timeZone=${encodeURIComponent(ZONE)}`,
      headers: analyst,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.timeZone).toBe(ZONE);
    expect(body.daily).toHaveLength(14);
    expect(body.hourly.length).toBeGreaterThanOrEqual(23);
    expect(body.alerts.paused.map((p: { id: number }) => p.id)).toEqual([ids.paused]);
    for (const phone of [CLICKER, QUITTER, STRANGER]) {
      expect(res.body).not.toContain(phone.slice(2));
      expect(res.body).not.toContain(phone.slice(-4) + '"');
    }

    const utc = await t.app.inject({
      method: 'GET',
      url: '/v1/analytics/overview',
      headers: analyst,
    });
    expect(utc.json().timeZone).toBe('UTC');
  });

  it('refuses an unknown zone, and callers without reports:read', async () => {
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/analytics/overview?timeZone=Mars%2FOlympus',
      headers: analyst,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const support = { authorization: `Bearer ${await t.keyFor('support')}` };
    const denied = await t.app.inject({
      method: 'GET',
      url: '/v1/analytics/overview',
      headers: support,
    });
    expect(denied.statusCode).toBe(403);
  });
});
