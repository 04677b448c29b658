/**
 * The acceptance test of campaigns, end to end on the embedded default (SQLite) with the
 * simulator: a segment by country, age band and purchase behaviour → a campaign with two
 * variants and an A/B test → approved by a second person → sent → simulated receipts, clicks
 * (made to favour B clearly) and opt-outs → the winner B sent to the rest → analytics and the
 * compliance report agree with the messages table.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordConversion } from '../../src/campaigns/conversions.js';
import { runCampaigns } from '../../src/campaigns/lifecycle-job.js';
import { followShortLink } from '../../src/campaigns/short-links.js';
import { isSimulator, type SimulatorCarrier } from '../../src/carriers/simulator.js';
import { createContact } from '../../src/contacts/contacts.js';
import { recordEvents } from '../../src/contacts/events.js';
import { wireCarrierEvents, type CarrierEvents } from '../../src/delivery/carrier-events.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';
import { consentingContact, NOON_LA } from '../delivery/helpers.js';

const HOUR = 3_600_000;
const at = (hours: number) => new Date(NOON_LA.getTime() + hours * HOUR);
const HUMAN = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1';
const BODY_A =
  'Acme: spring sale, 20% off at https://shop.acme.example/sale today. Reply STOP to opt out';
const BODY_B =
  'Acme: 20% off everything, today only: https://shop.acme.example/sale Reply STOP to opt out';
const AUDIENCE = 300;

// The acceptance runs on the embedded default; the same story on PostgreSQL checks its SQL.
describe.each(DIALECTS)('[%s] campaign analytics end to end', (dialect) => {
  let t: TestApp;
  let sim: SimulatorCarrier;
  let events: CarrierEvents;
  let marketer: Record<string, string>;
  let compliance: Record<string, string>;
  let analyst: Record<string, string>;
  const phoneOf = new Map<number, string>();
  let campaignId: number;
  let noConsent: number;

  const call = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  /** Hands every due message to the simulator and waits for its receipts. */
  async function sendDue(now: Date): Promise<number> {
    let sent = 0;
    for (;;) {
      const n = (await dispatchDue(t.ctx, { now })).sent;
      if (n === 0) break;
      sent += n;
    }
    await vi.waitFor(async () => {
      const open = await t.ctx.store.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('campaign_id', '=', campaignId)
        .where('status', 'in', ['submitted', 'sent', 'sending'])
        .executeTakeFirstOrThrow();
      expect(Number(open.n)).toBe(0);
    });
    await events.idle();
    return sent;
  }

  beforeAll(async () => {
    t = await openTestApp(dialect, {
      HERALD_LINK_DOMAINS: 'acme.example',
      HERALD_SMS_PRICES: '{"default":0.05}',
    });
    const carrier = t.ctx.carriers.get('simulator');
    if (!isSimulator(carrier)) throw new Error('the embedded default sends through the simulator');
    sim = carrier;
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    compliance = { authorization: `Bearer ${await t.keyFor('compliance')}` };
    analyst = { authorization: `Bearer ${await t.keyFor('analyst')}` };
    const purchases: object[] = [];
    const buy = (id: number, occurredAt: string) =>
      purchases.push({
        type: 'purchase',
        contact: { id },
        occurredAt,
        properties: { amount: 30, currency: 'USD' },
      });
    for (let i = 0; i < AUDIENCE; i++) {
      const phone = `+1415555${String(1000 + i)}`;
      const id = await consentingContact(t.ctx, phone);
      phoneOf.set(id, phone);
      await t.ctx.store.db
        .updateTable('contacts')
        .set({ age_band: '25-34' })
        .where('id', '=', id)
        .execute();
      buy(id, '2030-01-02T10:00:00Z');
    }
    // In the segment without marketing consent: blocked, with its reason.
    noConsent = (
      await createContact(
        t.ctx,
        { phone: '+14155559000', source: 'test', attributes: { age_band: '25-34' } },
        'test',
      )
    ).id;
    buy(noConsent, '2030-01-03T10:00:00Z');
    // Outside: a wrong age band, an old purchase.
    const young = await consentingContact(t.ctx, '+14155559001');
    await t.ctx.store.db
      .updateTable('contacts')
      .set({ age_band: '18-24' })
      .where('id', '=', young)
      .execute();
    buy(young, '2030-01-02T10:00:00Z');
    const lapsed = await consentingContact(t.ctx, '+14155559002');
    await t.ctx.store.db
      .updateTable('contacts')
      .set({ age_band: '25-34' })
      .where('id', '=', lapsed)
      .execute();
    buy(lapsed, '2029-09-01T10:00:00Z');
    expect((await recordEvents(t.ctx, purchases, { now: NOON_LA })).accepted).toBe(
      purchases.length,
    );
    events = wireCarrierEvents(t.ctx);
  });
  afterAll(async () => {
    events.stop();
    await t.close();
  });

  it('tests two variants, sends the clear winner to the rest, and reports what happened', async () => {
    // A segment by country, age band and purchase behaviour, saved by a marketer.
    const segment = await call('POST', '/v1/segments', marketer, {
      name: 'recent US buyers 25-34',
      filter: {
        and: [
          { kind: 'country', in: ['US'] },
          { kind: 'age_band', in: ['25-34'] },
          { kind: 'purchase', withinDays: 30, count: { min: 1 } },
        ],
      },
    });
    expect(segment.statusCode).toBe(201);

    // A campaign with two variants and an A/B test; approved by a second person.
    const created = await call('POST', '/v1/campaigns', marketer, {
      name: '=HYPERLINK("http://evil.example","Spring")',
      purpose: 'marketing',
      audience: { segmentId: segment.json().id },
      variants: [
        { key: 'A', body: BODY_A },
        { key: 'B', body: BODY_B },
      ],
      experiment: {
        testFraction: 0.5,
        metric: 'click_rate',
        durationHours: 2,
        defaultVariant: 'A',
      },
      schedule: { kind: 'now' },
      guardrails: { optOutRate: 0.2 },
      brand: 'Acme',
    });
    expect(created.statusCode).toBe(201);
    campaignId = created.json().id;
    expect(
      (await call('POST', `/v1/campaigns/${campaignId}/submit`, marketer, {})).statusCode,
    ).toBe(200);
    expect(
      (await call('POST', `/v1/campaigns/${campaignId}/approve`, marketer, {})).statusCode,
    ).toBe(403);
    expect(
      (await call('POST', `/v1/campaigns/${campaignId}/approve`, compliance, {})).statusCode,
    ).toBe(200);
    expect(
      (await call('POST', `/v1/campaigns/${campaignId}/schedule`, marketer, {})).statusCode,
    ).toBe(200);

    // The test phase: half the audience, split between A and B; sent and delivered.
    await runCampaigns(t.ctx, { now: NOON_LA });
    const testSent = await sendDue(NOON_LA);
    expect(testSent).toBeGreaterThan(100);

    // Recipients act: B's link is clicked by 3 in 5, A's by 1 in 10 (and a link preview on
    // every A message, which is not a person); 3 of A's recipients reply STOP; two B
    // clickers buy.
    const links = await t.ctx.store.db
      .selectFrom('short_links')
      .select(['code', 'contact_id', 'variant'])
      .where('campaign_id', '=', campaignId)
      .orderBy('contact_id')
      .execute();
    expect(links).toHaveLength(testSent);
    const clickers = { A: new Set<number>(), B: new Set<number>() };
    let clicks = 0;
    for (const [i, link] of links.entries()) {
      const v = link.variant as 'A' | 'B';
      if (v === 'A') {
        await followShortLink(
          t.ctx,
          link.code,
          { ip: '198.51.100.1', userAgent: 'facebookexternalhit/1.1' },
          at(0.5),
        );
      }
      if (v === 'B' ? i % 5 < 3 : i % 10 === 0) {
        await followShortLink(t.ctx, link.code, { ip: '203.0.113.9', userAgent: HUMAN }, at(0.5));
        await followShortLink(t.ctx, link.code, { ip: '203.0.113.9', userAgent: HUMAN }, at(0.75));
        clickers[v].add(link.contact_id!);
        clicks += 2;
      }
    }
    const stoppers = links
      .filter((l) => l.variant === 'A')
      .slice(0, 3)
      .map((l) => l.contact_id!);
    for (const id of stoppers) sim.pushInbound(phoneOf.get(id)!, 'STOP', at(1));
    await vi.waitFor(async () => {
      const revoked = await t.ctx.store.db
        .selectFrom('contact_consents')
        .select('contact_id')
        .where('purpose', '=', 'marketing')
        .where('granted', '=', 0)
        .execute();
      expect(revoked.map((r) => r.contact_id).sort()).toEqual([...stoppers].sort());
    });
    const buyers = [...clickers.B].slice(0, 2);
    for (const [i, id] of buyers.entries()) {
      const made = await recordConversion(
        t.ctx,
        {
          contact: { id },
          orderId: `order-${i}`,
          value: 40 + i,
          currency: 'USD',
          occurredAt: at(1.5).toISOString(),
        },
        { now: at(1.5) },
      );
      expect(made.conversion.attribution).toMatchObject({ campaignId, variant: 'B' });
    }

    // Before the test has run two hours, nothing more; then B wins and goes to the rest.
    expect(await runCampaigns(t.ctx, { now: at(1) })).toMatchObject({ winners: 0 });
    const running = (await call('GET', `/v1/analytics/campaigns/${campaignId}`, analyst)).json();
    expect(running.experiment).toMatchObject({
      decision: null,
      current: { outcome: 'winner', winner: 'B' },
    });
    expect(await runCampaigns(t.ctx, { now: at(3) })).toMatchObject({ winners: 1 });
    const restSent = await sendDue(at(3));
    expect(await runCampaigns(t.ctx, { now: at(3) })).toMatchObject({ completed: 1 });

    const db = t.ctx.store.db;
    const messages = await db
      .selectFrom('messages')
      .select(['id', 'contact_id', 'variant', 'status', 'error_code', 'segments', 'sent_at'])
      .where('campaign_id', '=', campaignId)
      .execute();
    // Everyone in the segment got exactly one message; the rest got B.
    expect(messages).toHaveLength(AUDIENCE + 1);
    expect(new Set(messages.map((m) => m.contact_id)).size).toBe(AUDIENCE + 1);
    const testIds = new Set(links.map((l) => l.contact_id));
    const rest = messages.filter((m) => !testIds.has(m.contact_id) && m.status !== 'blocked');
    // (The dispatcher also sent the opt-out confirmations.)
    expect(restSent).toBeGreaterThanOrEqual(rest.length);
    expect(rest.length).toBeGreaterThan(100);
    expect(rest.every((m) => m.sent_at === at(3).toISOString())).toBe(true);
    expect(rest.every((m) => m.variant === 'B')).toBe(true);

    // Analytics agree with the messages table.
    const view = (await call('GET', `/v1/analytics/campaigns/${campaignId}`, analyst)).json();
    expect(view.campaign).toMatchObject({
      status: 'completed',
      winner: 'B',
      winnerReason: 'significant',
    });
    const count = (f: (m: (typeof messages)[number]) => boolean) => messages.filter(f).length;
    for (const v of ['A', 'B'] as const) {
      const mine = (m: (typeof messages)[number]) => m.variant === v;
      const figures = view.variants.find((x: { variant: string }) => x.variant === v);
      const segs = messages.filter((m) => mine(m) && m.sent_at).reduce((s, m) => s + m.segments, 0);
      expect(figures).toMatchObject({
        audience: count(mine),
        sent: count((m) => mine(m) && m.sent_at !== null),
        delivered: count((m) => mine(m) && m.status === 'delivered'),
        failed: 0,
        clicks: { unique: clickers[v].size, total: [...clickers[v]].length * 2 },
        optOuts: v === 'A' ? 3 : 0,
        conversions: v === 'B' ? 2 : 0,
        revenue: v === 'B' ? { USD: 81 } : {},
        segmentsBilled: segs,
      });
      expect(figures.cost).toBeCloseTo(segs * 0.05, 6);
    }
    expect(view.total).toMatchObject({
      audience: AUDIENCE + 1,
      blocked: 1,
      blockedByReason: { no_consent: 1 },
      sent: count((m) => m.sent_at !== null),
      delivered: count((m) => m.status === 'delivered'),
      clicks: { unique: clickers.A.size + clickers.B.size, total: clicks },
      optOuts: 3,
    });
    expect(messages.find((m) => m.contact_id === noConsent)).toMatchObject({
      status: 'blocked',
      error_code: 'no_consent',
    });
    // The decision, with the intervals it rested on.
    const decision = view.experiment.decision;
    expect(decision).toMatchObject({ variant: 'B', reason: 'significant' });
    expect(decision.test.outcome).toBe('winner');
    const b = decision.test.variants.find((x: { key: string }) => x.key === 'B');
    expect(b.interval.low).toBeGreaterThan(
      decision.test.variants.find((x: { key: string }) => x.key === 'A').interval.high,
    );
    expect(decision.test.comparisons[0]).toMatchObject({ against: 'A', significant: true });

    // The hourly series adds up to the same totals.
    const hourly = (
      await call('GET', `/v1/analytics/campaigns/${campaignId}/hourly`, analyst)
    ).json().points as {
      sent: number;
      clicks: number;
      optOuts: number;
    }[];
    expect(hourly.reduce((s, p) => s + p.sent, 0)).toBe(view.total.sent);
    expect(hourly.reduce((s, p) => s + p.clicks, 0)).toBe(clicks);
    expect(hourly.reduce((s, p) => s + p.optOuts, 0)).toBe(3);

    // The dashboard and the CSV export; a formula in the campaign's name stays text.
    const dash = (await call('GET', '/v1/analytics/dashboard', analyst)).json();
    expect(dash).toMatchObject({
      campaigns: 1,
      byStatus: { completed: 1 },
      total: { sent: view.total.sent },
    });
    const csv = await call('GET', `/v1/analytics/campaigns/${campaignId}?format=csv`, analyst);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines).toHaveLength(4); // header, A, B, all
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"",""Spring"")"`);
    expect(csv.body).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(JSON.stringify(view) + csv.body).not.toMatch(/555\d{4}/);
  });

  it('finds the campaign lawful in the compliance report, in agreement with the messages table', async () => {
    // A member of staff reveals a number: the report names them.
    const someone = [...phoneOf.keys()][0]!;
    const reveal = await call('POST', `/v1/contacts/${someone}/reveal`, compliance, {
      reason: 'customer called',
    });
    expect(reveal.statusCode).toBe(200);
    // From the reveal (today) to after the campaign (in 2030).
    const period = `from=${new Date(Date.now() - HOUR).toISOString()}&to=2030-02-01T00:00:00Z`;
    const report = await call('GET', `/v1/reports/compliance?${period}`, analyst);
    expect(report.statusCode).toBe(200);
    const sent = await t.ctx.store.db
      .selectFrom('messages')
      .select(['id', 'sent_at'])
      .where('purpose', '=', 'marketing')
      .where('sent_at', 'is not', null)
      .execute();
    expect(report.json()).toMatchObject({
      marketing: { checked: sent.length, compliant: sent.length, problems: {}, findings: [] },
      optOuts: {
        replies: 3,
        honoured: 3,
        notHonoured: 0,
        latency: { count: 3 },
        revokesByMethod: { keyword: 3 },
      },
    });
    expect(report.json().optOuts.latency.p99Seconds).toBeLessThan(60);
    expect(report.json().staffNumberAccess).toEqual([
      expect.objectContaining({ action: 'contact.reveal', n: 1 }),
    ]);
    // The CSV lists every sent marketing message with the consent event it relied on.
    const csv = await call('GET', `/v1/reports/compliance?${period}&format=csv`, analyst);
    const rows = csv.body.trim().split('\n').slice(1);
    expect(rows).toHaveLength(sent.length);
    const grants = await t.ctx.store.db
      .selectFrom('consent_events')
      .select(['id', 'contact_id'])
      .where('purpose', '=', 'marketing')
      .where('action', '=', 'grant')
      .execute();
    const grantOf = new Map(grants.map((g) => [g.contact_id, g.id]));
    const messageContact = new Map(
      (
        await t.ctx.store.db
          .selectFrom('messages')
          .select(['id', 'contact_id'])
          .where('campaign_id', '=', campaignId)
          .execute()
      ).map((m) => [m.id, m.contact_id]),
    );
    for (const row of rows) {
      const cells = row.split(',');
      expect(cells[5]).toBe(String(grantOf.get(messageContact.get(Number(cells[0]))!)));
      expect(cells[9]).toBe('yes');
    }
    const html = await call('GET', `/v1/reports/compliance?${period}&format=html`, analyst);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('Every marketing message was lawful');
    expect(html.body).toContain('合规报告');
    expect(html.body).not.toMatch(/555\d{4}/);
    const bad = await call(
      'GET',
      '/v1/reports/compliance?from=2030-02-01T00:00:00Z&to=2030-01-01T00:00:00Z',
      analyst,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('REPORT_PERIOD_INVALID');
    const support = { authorization: `Bearer ${await t.keyFor('support')}` };
    expect((await call('GET', `/v1/reports/compliance?${period}`, support)).statusCode).toBe(403);
  });
});
