import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCarrierRegistry } from '../../src/carriers/carrier.js';
import { createSimulator } from '../../src/carriers/simulator.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { createRateLimiter, TokenBucket } from '../../src/delivery/rate-limit.js';
import { createRouter } from '../../src/delivery/routing.js';
import { createLogger } from '../../src/logger.js';
import { listMessageEvents } from '../../src/store/message-events.js';
import { currentConsents } from '../../src/store/consents.js';
import { findMessage } from '../../src/store/messages.js';
import { findSuppressions } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import { consentingContact, NOON_LA, openDelivery, PROMO, type DeliveryTest } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'herald-routing-'));
const silent = createLogger({ level: 'silent' });

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ HERALD_DATA_DIR: dir, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('routing configuration', () => {
  it('is empty by default: the simulator takes everything', () => {
    const config = loadConfig({ HERALD_DATA_DIR: dir });
    expect(config.routing).toEqual({ routes: [], carrierRates: {}, senderRates: {} });
    const registry = createCarrierRegistry([createSimulator()]);
    const router = createRouter(config.routing, registry, silent);
    expect(router.routeFor('marketing', 'CN')).toMatchObject({ sender: undefined });
    expect(router.routeFor('transactional', null).carriers.map((c) => c.name)).toEqual([
      'simulator',
    ]);
  });

  it('reads routes and rates from the config file or the environment, validated once', () => {
    const routing = {
      routes: [
        { purpose: 'marketing', countries: ['CN'], carriers: ['b', 'a'], sender: 'MKT' },
        { purpose: 'marketing', carriers: ['a'], sender: 'MKT' },
        { purpose: 'transactional', carriers: ['a', 'b'], sender: 'TX' },
      ],
      rates: { carriers: { a: 50 }, senders: { MKT: { perSecond: 2.5, burst: 10 } } },
    };
    const file = path.join(dir, 'herald.config.json');
    writeFileSync(file, JSON.stringify({ HERALD_ROUTING: routing }));
    const fromFile = loadConfig({ HERALD_DATA_DIR: dir, HERALD_CONFIG: file });
    const fromEnv = loadConfig({ HERALD_DATA_DIR: dir, HERALD_ROUTING: JSON.stringify(routing) });
    expect(fromEnv.routing).toEqual(fromFile.routing);
    expect(fromFile.routing.carrierRates).toEqual({ a: { perSecond: 50, burst: 50 } });
    expect(fromFile.routing.senderRates).toEqual({ MKT: { perSecond: 2.5, burst: 10 } });

    const registry = createCarrierRegistry([
      createSimulator({ name: 'a' }),
      createSimulator({ name: 'b' }),
    ]);
    const router = createRouter(fromFile.routing, registry, silent);
    const names = (purpose: 'marketing' | 'transactional', country: string | null) =>
      router.routeFor(purpose, country).carriers.map((c) => c.name);
    expect(names('marketing', 'CN')).toEqual(['b', 'a']);
    expect(names('marketing', 'US')).toEqual(['a']);
    expect(names('transactional', 'CN')).toEqual(['a', 'b']);
    expect(router.routeFor('marketing', 'US').sender).toBe('MKT');
    expect(router.routeFor('transactional', 'US').sender).toBe('TX');
    // A pinned carrier replaces the route (no fail-over); an unknown pin has no carrier at all.
    expect(router.routeFor('transactional', 'US', 'b').carriers.map((c) => c.name)).toEqual(['b']);
    expect(router.routeFor('transactional', 'US', 'zz').carriers).toEqual([]);
  });

  it.each([
    [{ HERALD_ROUTING: '{nope' }, /^config: HERALD_ROUTING is not valid JSON$/],
    [
      { HERALD_ROUTING: '{"routes":[{"carriers":[]}]}' },
      /^config: HERALD_ROUTING\/routes\/0\/carriers /,
    ],
    [
      { HERALD_ROUTING: '{"routes":[{"carriers":["a"],"purpose":"promo"}]}' },
      /HERALD_ROUTING\/routes\/0\/purpose/,
    ],
    [{ HERALD_ROUTING: '{"rates":{"carriers":{"a":0}}}' }, /HERALD_ROUTING\/rates\/carriers\/a/],
    [{ HERALD_ROUTING: '{"routs":[]}' }, /HERALD_ROUTING/],
  ])('refuses %o with one line', (env, message) => {
    const error = configError(env);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a route through a carrier that is not configured, naming it', () => {
    const config = loadConfig({
      HERALD_DATA_DIR: dir,
      HERALD_ROUTING: JSON.stringify({ routes: [{ carriers: ['simulator', 'smpp'] }] }),
    });
    const registry = createCarrierRegistry([createSimulator()]);
    expect(() => createRouter(config.routing, registry, silent)).toThrow(
      /^config: HERALD_ROUTING\/routes\/0\/carriers names the carrier "smpp", which is not configured/,
    );
  });
});

describe('token buckets', () => {
  it('lets a burst through, then one token per 1/rate seconds', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    for (let i = 0; i < 3; i++) {
      expect(bucket.waitMs(0)).toBe(0);
      bucket.take(0);
    }
    expect(bucket.waitMs(0)).toBe(100);
    expect(bucket.waitMs(50)).toBe(50);
    expect(bucket.waitMs(100)).toBe(0);
    // Refilled at most to the burst after a quiet spell.
    bucket.take(100);
    expect(bucket.waitMs(10_000)).toBe(0);
    for (let i = 0; i < 3; i++) bucket.take(10_000);
    expect(bucket.waitMs(10_000)).toBeGreaterThan(0);
  });

  it('paces by the carrier and the sender together, and logs the throttling', async () => {
    let now = 0;
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(line) } as never,
    });
    const limiter = createRateLimiter({
      carriers: { a: { perSecond: 10, burst: 5 } },
      senders: { S: { perSecond: 4, burst: 2 } },
      logger,
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    for (let i = 0; i < 20; i++) await limiter.acquire('a', undefined);
    // 5 at once, then 15 at 10 per second.
    expect(now).toBeGreaterThanOrEqual(1400);
    expect(now).toBeLessThanOrEqual(1600);
    const before = now;
    for (let i = 0; i < 6; i++) await limiter.acquire('a', 'S');
    // The sender's 4 per second (burst 2) is the tighter one: 4 more tokens take a second.
    expect(now - before).toBeGreaterThanOrEqual(900);
    for (let i = 0; i < 3; i++) await limiter.acquire('b', 'T'); // not limited
    expect(limiter.stats()).toMatchObject({
      'carrier:a': { taken: 26 },
      'sender:S': { taken: 6 },
    });
    expect(limiter.stats()['carrier:a']!.throttled).toBeGreaterThan(0);
    expect(lines.join('')).toContain('throttled by rate limit');
  });
});

describe.each(DIALECTS)('[%s] routing at dispatch', (dialect) => {
  let t: DeliveryTest;
  const US = '+14155550123';
  let contactId: number;

  beforeAll(async () => {
    t = await openDelivery(dialect, {
      simulators: [
        // The first carrier refuses everything for now (its rule matches every number).
        { name: 'sim-a', failures: [{ suffix: '', errorCode: 'SIM_THROTTLED', permanent: false }] },
        { name: 'sim-b', failures: [] },
      ],
      routing: {
        routes: [
          { purpose: 'marketing', carriers: ['sim-a', 'sim-b'], sender: 'ACME-MKT' },
          { purpose: 'transactional', carriers: ['sim-a', 'sim-b'], sender: 'ACME-TX' },
        ],
        rates: { carriers: { 'sim-b': { perSecond: 20, burst: 5 } } },
      },
    });
    contactId = await consentingContact(t.ctx, US);
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await t.ctx.store.db.deleteFrom('messages').execute();
    t.sims['sim-a']!.clear();
    t.sims['sim-b']!.clear();
    t.sims['sim-a']!.setFailures([{ suffix: '', errorCode: 'SIM_THROTTLED', permanent: false }]);
  });

  const queue = (purpose: 'marketing' | 'transactional', body = PROMO) =>
    enqueueMessage(t.ctx, {
      to: US,
      purpose,
      kind: purpose === 'marketing' ? 'campaign' : 'api',
      body,
      brand: 'Acme',
      contactId,
      now: NOON_LA,
    });

  it('fails over to the next carrier on a temporary failure, with separate senders per purpose', async () => {
    const promo = await queue('marketing');
    const notice = await queue('transactional', 'Your order has shipped');
    expect(await dispatchDue(t.ctx, { now: NOON_LA })).toMatchObject({ sent: 2 });
    expect(t.sims['sim-a']!.sent().map((m) => m.status)).toEqual(['failed', 'failed']);
    expect(t.sims['sim-b']!.sent()).toMatchObject([
      { messageId: promo.id, sender: 'ACME-MKT' },
      { messageId: notice.id, sender: 'ACME-TX' },
    ]);
    expect(await findMessage(t.ctx.store.db, promo.id)).toMatchObject({
      status: 'sent',
      carrier: 'sim-b',
      sender: 'ACME-MKT',
    });
    const history = await listMessageEvents(t.ctx.store.db, { messageId: promo.id });
    expect(history.map((e) => [e.status, e.carrier, e.detail])).toEqual([
      ['queued', null, null],
      ['sending', null, null],
      ['submitted', 'sim-a', null],
      ['submitted', 'sim-b', 'SIM_THROTTLED'],
      ['sent', 'sim-b', null],
    ]);
  });

  it('does not fail over a permanent failure', async () => {
    t.sims['sim-a']!.setFailures([{ suffix: '', errorCode: 'invalid_number', permanent: true }]);
    const notice = await queue('transactional', 'Your order has shipped');
    expect(await dispatchDue(t.ctx, { now: NOON_LA })).toMatchObject({ failed: 1 });
    expect(t.sims['sim-b']!.sent()).toEqual([]);
    expect(await findMessage(t.ctx.store.db, notice.id)).toMatchObject({
      status: 'failed',
      carrier: 'sim-a',
      error_code: 'invalid_number',
    });
    // The number cannot get SMS: one hard bounce for the hygiene job.
    const contact = await t.ctx.store.db
      .selectFrom('contacts')
      .select('hard_bounces')
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(contact.hard_bounces).toBe(1);
  });

  it('never fails marketing over after no answer (it may have gone), but does transactional', async () => {
    t.sims['sim-a']!.setFailures([{ suffix: '', errorCode: 'CARRIER_TIMEOUT', permanent: false }]);
    const promo = await queue('marketing');
    const notice = await queue('transactional', 'Your order has shipped');
    expect(await dispatchDue(t.ctx, { now: NOON_LA })).toMatchObject({ unknown: 1, sent: 1 });
    expect(await findMessage(t.ctx.store.db, promo.id)).toMatchObject({
      status: 'unknown',
      error_code: 'CARRIER_TIMEOUT',
    });
    expect(t.sims['sim-b']!.sent().map((m) => m.messageId)).toEqual([notice.id]);
    // An unknown marketing message is never claimed again.
    expect(
      (await dispatchDue(t.ctx, { now: new Date(NOON_LA.getTime() + 3_600_000) })).claimed,
    ).toBe(0);
  });

  it('retries with back-off when every carrier of the route fails temporarily', async () => {
    t.sims['sim-b']!.setFailures([{ suffix: '', errorCode: 'SIM_SYSTEM_BUSY', permanent: false }]);
    const notice = await queue('transactional', 'Your order has shipped');
    expect(await dispatchDue(t.ctx, { now: NOON_LA })).toMatchObject({ retried: 1 });
    expect(await findMessage(t.ctx.store.db, notice.id)).toMatchObject({
      status: 'queued',
      error_code: 'SIM_SYSTEM_BUSY',
    });
    t.sims['sim-b']!.setFailures([]);
  });

  it('paces a carrier by its token bucket (loose: counts, and a lower bound on time)', async () => {
    t.sims['sim-a']!.setFailures([{ suffix: '', errorCode: 'SIM_THROTTLED', permanent: false }]);
    const before = t.ctx.router.limiter.stats()['carrier:sim-b']?.taken ?? 0;
    for (let i = 0; i < 15; i++) await queue('transactional', `Notice ${i}`);
    const started = Date.now();
    expect(await dispatchDue(t.ctx, { now: NOON_LA })).toMatchObject({ sent: 15 });
    // 5 at once, then 20 per second: at least half a second for the other 10.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const stats = t.ctx.router.limiter.stats()['carrier:sim-b']!;
    expect(stats.taken - before).toBe(15);
    expect(stats.throttled).toBeGreaterThan(0);
    expect(t.logs()).toContain('throttled by rate limit');
  });
  it('records an opt-out the carrier holds for a number as the person’s own', async () => {
    const other = await consentingContact(t.ctx, '+14155550160');
    t.sims['sim-a']!.setFailures([{ suffix: '', errorCode: 'opted_out', permanent: true }]);
    const offer = await enqueueMessage(t.ctx, {
      to: '+14155550160',
      purpose: 'marketing',
      kind: 'campaign',
      body: PROMO,
      brand: 'Acme',
      contactId: other,
      now: NOON_LA,
    });
    expect(await dispatchDue(t.ctx, { now: NOON_LA })).toMatchObject({ failed: 1 });
    expect(await findMessage(t.ctx.store.db, offer.id)).toMatchObject({
      status: 'failed',
      error_code: 'opted_out',
    });
    const consent = (await currentConsents(t.ctx.store.db, other)).find(
      (c) => c.purpose === 'marketing',
    );
    expect(consent).toMatchObject({ granted: 0, source: 'carrier:sim-a' });
    expect(
      await findSuppressions(t.ctx.store.db, t.ctx.cipher.blindIndex('+14155550160')),
    ).toMatchObject([{ scope: 'marketing', reason: 'opt_out' }]);
  });
});
