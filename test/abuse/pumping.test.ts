// The SMS pumping defence end to end (issue 8): the acceptance simulation, the admin's view and
// settings, metrics, and limits that hold across processes sharing one store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pumpingPruneJob } from '../../src/abuse/pumping-guard.js';
import { openContext } from '../../src/app-context.js';
import { isSimulator, type SimulatorCarrier } from '../../src/carriers/simulator.js';
import { subscribe } from '../../src/contacts/double-opt-in.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { createLogger } from '../../src/logger.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import {
  consecutiveNumbers,
  formatFigures,
  premiumNumbers,
  runPumpingSimulation,
  samePrefixNumbers,
  spreadNumbers,
} from './pumping-simulation.js';

const LIMITS = {
  perNumber: { max: 3, windowSeconds: 86_400 },
  perIp: { max: 5, windowSeconds: 3_600 },
  perPrefix: { max: 10, windowSeconds: 3_600 },
  burst: { windowSeconds: 600, blockDigits: 2, consecutiveRun: 3, blockMax: 5 },
  dailySpendCap: 3,
  prices: { default: 0.05, countries: { CN: 0.5 } },
};

/** The longest run of consecutive numbers among these. */
function longestRun(numbers: readonly string[]): number {
  const values = [...new Set(numbers.map((n) => Number(n.slice(1))))].sort((a, b) => a - b);
  let best = values.length > 0 ? 1 : 0;
  let run = 1;
  for (let i = 1; i < values.length; i++) {
    run = values[i] === values[i - 1]! + 1 ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}

describe.each(DIALECTS)('[%s] SMS pumping defence', (dialect) => {
  let t: TestApp;
  let sim: SimulatorCarrier;
  let admin: Record<string, string>;

  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_PUMPING: JSON.stringify(LIMITS) });
    const carrier = t.ctx.carriers.default();
    if (!isSimulator(carrier)) throw new Error('the simulator is the default carrier');
    sim = carrier;
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    const text = await t.app.inject({
      method: 'POST',
      url: '/v1/consent-texts',
      headers: admin,
      payload: {
        key: 'news',
        purpose: 'marketing',
        locale: 'en',
        body: 'Yes, Flora may text me offers. Reply STOP to opt out.',
      },
    });
    const form = await t.app.inject({
      method: 'POST',
      url: '/v1/forms',
      headers: admin,
      payload: { key: 'join-us', name: 'Join', consentTextId: text.json().id, brand: 'Flora' },
    });
    expect(form.statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  it('holds against a pumping run: nothing to the disallowed country, bursts cut at the limits', async () => {
    const premium = premiumNumbers(150);
    const figures = await runPumpingSimulation(t.app, 'join-us', {
      'premium SL numbers': { numbers: premium },
      'consecutive US': { numbers: consecutiveNumbers(100, 40) },
      'same-prefix US': { numbers: samePrefixNumbers(30) },
      'one greedy IP': { numbers: spreadNumbers(10), ip: '198.51.100.77' },
    });
    await dispatchDue(t.ctx);
    const sent = sim.sent().map((m) => m.to);
    console.log(
      `SMS pumping simulation [${dialect}] (limits ${JSON.stringify(LIMITS)})\n${formatFigures(figures)}\n` +
        `SMS sent: ${sent.length}; to +232 (disallowed): ${sent.filter((n) => n.startsWith('+232')).length}`,
    );
    const w = figures.waves;

    // No SMS at all to the disallowed country, every attempt refused for that reason.
    expect(w['premium SL numbers']).toMatchObject({
      fired: 150,
      accepted: 0,
      refused: { country_not_allowed: 150 },
    });
    expect(sent.filter((n) => n.startsWith('+232'))).toEqual([]);

    // Consecutive numbers: never three in a row, at most blockMax of one block of 100.
    const consecutive = w['consecutive US']!;
    expect(longestRun(consecutive.acceptedNumbers)).toBeLessThan(LIMITS.burst.consecutiveRun);
    expect(consecutive.acceptedNumbers.length).toBeLessThanOrEqual(LIMITS.burst.blockMax);
    expect(consecutive.refused.consecutive_burst).toBeGreaterThan(0);
    expect(consecutive.refused.prefix_burst).toBeGreaterThan(0);

    // The whole +1 415 555 prefix: at most perPrefix sends in its window, over both waves.
    const prefixAccepted = [
      ...consecutive.acceptedNumbers,
      ...w['same-prefix US']!.acceptedNumbers,
    ];
    expect(prefixAccepted).toHaveLength(LIMITS.perPrefix.max);
    expect(w['same-prefix US']!.refused.prefix_limit).toBeGreaterThan(0);

    // One IP: cut at perIp.
    expect(w['one greedy IP']).toMatchObject({ accepted: LIMITS.perIp.max });
    expect(w['one greedy IP']!.refused).toEqual({ ip_limit: 10 - LIMITS.perIp.max });

    // What was accepted is exactly what was sent.
    const accepted = Object.values(w).flatMap((f) => f.acceptedNumbers);
    expect([...sent].sort()).toEqual([...accepted].sort());
  });

  it('stops this traffic at the daily spend cap', async () => {
    // CN at 0.5 per segment; the cap (3) is reached within a few sign-ups, wherever they come from.
    const numbers = Array.from(
      { length: 12 },
      (_, i) =>
        `+86139${String(10 + i * 7).padStart(2, '0')}${String(100_000 + i * 7919).slice(-6)}`,
    );
    const figures = await runPumpingSimulation(t.app, 'join-us', { 'CN sign-ups': { numbers } });
    console.log(formatFigures(figures));
    const cn = figures.waves['CN sign-ups']!;
    expect(cn.accepted).toBeGreaterThan(0);
    expect(cn.refused.spend_cap).toBe(12 - cn.accepted);
    const spent = await t.ctx.store.db
      .selectFrom('pumping_attempts')
      .select((eb) => eb.fn.sum<number>('cost').as('s'))
      .executeTakeFirstOrThrow();
    expect(Number(spent.s)).toBeLessThanOrEqual(LIMITS.dailySpendCap + 1e-9);
  });

  it('shows admins the blocked attempts with masked numbers, and counts them in the metrics', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/abuse/blocked?limit=500',
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { phone: string; reason: string; country: string }[];
    expect(items.filter((i) => i.reason === 'country_not_allowed')).toHaveLength(150);
    expect(items[0]).toMatchObject({ kind: 'double_opt_in' });
    for (const item of items) expect(item.phone).toMatch(/^\+\d{1,3} \d*\*+\d+$/);
    expect(res.body).not.toContain('23276100000');
    const filtered = await t.app.inject({
      method: 'GET',
      url: '/v1/abuse/blocked?reason=ip_limit',
      headers: admin,
    });
    expect(filtered.json().items).toHaveLength(5);
    const marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/abuse/blocked', headers: marketer }))
        .statusCode,
    ).toBe(403);

    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(
      'herald_sms_pumping_blocked_total{kind="double_opt_in",reason="country_not_allowed"} 150',
    );
    expect(metrics).toContain(
      'herald_sms_pumping_blocked_total{kind="double_opt_in",reason="ip_limit"} 5',
    );
    // No number in clear in the ledger.
    const rows = await t.ctx.store.db.selectFrom('pumping_attempts').selectAll().execute();
    expect(JSON.stringify(rows)).not.toMatch(/23276100000|1415555010\d|\+1415555/);
  });

  it('lets an admin change the allowed countries per kind (audited), and back to the default', async () => {
    const geo = (method: 'GET' | 'PUT' | 'DELETE', kind = '', payload?: object) =>
      t.app.inject({
        method,
        url: `/v1/abuse/geo-permissions${kind ? `/${kind}` : ''}`,
        headers: admin,
        ...(payload ? { payload } : {}),
      });
    const before = (await geo('GET')).json().items;
    expect(before).toHaveLength(2);
    expect(before[0]).toMatchObject({ kind: 'double_opt_in', source: 'default' });
    expect(before[0].countries).toEqual(expect.arrayContaining(['CN', 'US', 'GB', 'DE']));
    expect(before[0].countries).not.toContain('SL');

    const sl = '+23278123456';
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/subscribe',
      remoteAddress: '192.0.2.50',
      payload: { formKey: 'join-us', phone: sl },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'DESTINATION_NOT_ALLOWED',
      details: { reason: 'country_not_allowed' },
    });

    const changed = await geo('PUT', 'double_opt_in', { countries: ['US', 'SL'] });
    expect(changed.json()).toEqual({
      kind: 'double_opt_in',
      countries: ['SL', 'US'],
      source: 'custom',
    });
    expect((await geo('PUT', 'double_opt_in', { countries: ['XX'] })).statusCode).toBe(400);
    expect((await geo('PUT', 'otp', { countries: ['US'] })).statusCode).toBe(400);
    const allowed = await t.app.inject({
      method: 'POST',
      url: '/v1/subscribe',
      remoteAddress: '192.0.2.51',
      payload: { formKey: 'join-us', phone: sl },
    });
    // The spend cap of the earlier case still holds for today; the country no longer refuses.
    expect(allowed.json().error?.details?.reason).not.toBe('country_not_allowed');
    const reset = await geo('DELETE', 'double_opt_in');
    expect(reset.json()).toMatchObject({ source: 'default' });
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit?action=pumping.geo_permissions',
      headers: admin,
    });
    expect(audit.json().items).toHaveLength(2);
  });

  it('counts in the store, so a second process sharing it sees the same limits', async () => {
    const other = await openContext(
      t.database.config,
      createLogger({ level: 'silent' }),
      t.database.schema ? { storeOptions: { searchPath: t.database.schema } } : {},
    );
    try {
      // The greedy IP used up its allowance through the first process.
      const refused = await subscribe(other, {
        formKey: 'join-us',
        phone: '+12125557777',
        ip: '198.51.100.77',
      }).catch((e: { code: string; details: unknown }) => e);
      expect(refused).toMatchObject({
        code: 'SEND_LIMIT_REACHED',
        details: { reason: 'ip_limit' },
      });
    } finally {
      await other.close();
    }
  });

  it('forgets attempts once no limit counts them and the month admins look back over has passed', async () => {
    const count = async () =>
      Number(
        (
          await t.ctx.store.db
            .selectFrom('pumping_attempts')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const held = await count();
    expect(held).toBeGreaterThan(0);
    expect(await pumpingPruneJob.run(t.ctx, new Date())).toEqual({ prunedPumpingAttempts: 0 });
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await pumpingPruneJob.run(t.ctx, later)).toEqual({ prunedPumpingAttempts: held });
    expect(await count()).toBe(0);
  });
});
