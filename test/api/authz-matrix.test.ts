/**
 * The authorisation matrix: every route the application registered (its own route table, so
 * nothing can be missed) is called by every role, a scoped API key, a person's session cookie
 * and a caller without credentials, and the answer is checked against route-expectations.ts:
 * 401 without credentials, 403 without the permission, neither (and no 5xx) with it. No answer
 * to a caller without contacts:reveal carries a clear phone number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../src/api/route-table.js';
import { ROLES, permissionsOf, type Permission } from '../../src/core/roles.js';
import { createApiKey, createSession } from '../../src/security/auth.js';
import { findUserByName } from '../../src/store/users.js';
import { consentingContact } from '../delivery/helpers.js';
import { createTestUser, openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  PUBLIC_ROUTES,
  ROUTE_EXPECTATIONS,
  type Expectation,
  type Need,
  type Probe,
} from './route-expectations.js';

/** The seeded numbers, as digits: none of them may reach a caller without contacts:reveal. */
const CN_NUMBER = '+8613912345678';
const US_NUMBER = '+14155550123';
const CLEAR = ['13912345678', '4155550123', '139 1234 5678', '415 555 0123'];
const SCOPED: Permission[] = ['contacts:lookup', 'contacts:export', 'messages:read'];

interface Caller {
  readonly name: string;
  /** null: no credentials at all. */
  readonly permissions: readonly Permission[] | null;
  headers(): Promise<Record<string, string>>;
}

function probesOf(expectation: Expectation): readonly Probe[] {
  if (Array.isArray(expectation)) return expectation as readonly Probe[];
  if (typeof expectation === 'object' && 'need' in expectation) return [expectation];
  if (typeof expectation === 'object' && 'anyOf' in expectation) return [{ need: expectation }];
  return [{ need: expectation as Need }];
}

function allowed(need: Need, permissions: readonly Permission[]): boolean {
  if (need === 'authenticated') return true;
  if (typeof need === 'object' && 'anyOf' in need)
    return need.anyOf.some((p) => permissions.includes(p));
  const all: readonly Permission[] = typeof need === 'string' ? [need as Permission] : need;
  return all.every((p) => permissions.includes(p));
}

describe.each(DIALECTS)('[%s] authorisation matrix', (dialect) => {
  let t: TestApp;
  let callers: Caller[];
  let ids: { contact: number; message: number };

  const fill = (text: string) =>
    text.replace('{contact}', String(ids.contact)).replace('{message}', String(ids.message));

  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_DEFAULT_COUNTRY: 'CN' });
    const admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: admin,
      payload: { phone: CN_NUMBER },
    });
    expect(created.statusCode).toBe(201);
    await consentingContact(t.ctx, US_NUMBER);
    const sent = await t.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: admin,
      payload: { to: US_NUMBER, body: 'Your order has shipped', purpose: 'transactional' },
    });
    expect(sent.statusCode).toBe(202);
    ids = { contact: created.json().id as number, message: sent.json().message.id as number };

    callers = [{ name: 'no credentials', permissions: null, headers: async () => ({}) }];
    for (const role of ROLES) {
      const key = await t.keyFor(role);
      callers.push({
        name: `${role} key`,
        permissions: permissionsOf(role),
        headers: async () => ({ authorization: `Bearer ${key}` }),
      });
    }
    const scoped = await createApiKey(t.ctx.auth, {
      name: 'scoped',
      scopes: SCOPED,
      createdBy: null,
      granterPermissions: permissionsOf('admin'),
      actor: 'test',
    });
    callers.push({
      name: 'scoped key',
      permissions: SCOPED,
      headers: async () => ({ authorization: `Bearer ${scoped.key}` }),
    });
    // A person signed in with a cookie: a fresh session per request (logout ends one).
    await createTestUser(t.ctx, 'matrix-support', 'support');
    const person = (await findUserByName(t.ctx.store.db, 'matrix-support'))!;
    callers.push({
      name: 'support session',
      permissions: permissionsOf('support'),
      headers: async () => {
        const s = await createSession(t.ctx.auth, person, {
          ttlHours: 1,
          ip: null,
          userAgent: null,
        });
        return { cookie: `herald_session=${s.token}`, 'x-csrf-token': s.csrfToken };
      },
    });
  });
  afterAll(async () => t.close());

  it('has an expectation for every registered route, and no stale one', () => {
    const registered = routeTable(t.app).map((r) => `${r.method} ${r.url}`);
    const expected = [...Object.keys(PUBLIC_ROUTES), ...Object.keys(ROUTE_EXPECTATIONS)];
    expect(
      registered.filter((r) => !expected.includes(r)),
      'routes without expectation',
    ).toEqual([]);
    expect(
      expected.filter((r) => !registered.includes(r)),
      'expectations without route',
    ).toEqual([]);
    expect(registered.length).toBeGreaterThan(60);
  });

  it('opens exactly the reviewed public routes, and nothing else is open', () => {
    const open = routeTable(t.app)
      .filter((r) => r.public || (r.permission === null && !r.url.startsWith('/v1/')))
      .map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual(Object.keys(PUBLIC_ROUTES).sort());
  });

  it('answers every caller on every route as the matrix expects, without a clear number', async () => {
    const failures: string[] = [];
    let calls = 0;
    const call = async (caller: Caller, method: string, url: string, body: unknown) => {
      calls += 1;
      const withBody = method !== 'GET' && method !== 'DELETE';
      return t.app.inject({
        method: method as 'GET',
        url,
        headers: await caller.headers(),
        ...(withBody ? { payload: (body ?? {}) as object } : {}),
      });
    };
    const leaks = (caller: Caller, text: string) =>
      !caller.permissions?.includes('contacts:reveal') && CLEAR.some((c) => text.includes(c));

    for (const route of routeTable(t.app)) {
      const key = `${route.method} ${route.url}`;
      if (key in PUBLIC_ROUTES) {
        const url = route.url.replace('*', 'index.html').replace(/:\w+/g, 'nope');
        for (const caller of callers) {
          const res = await call(caller, route.method, url, {});
          if ([401, 403].includes(res.statusCode) || res.statusCode >= 500)
            failures.push(`${caller.name}: ${key} answered ${res.statusCode}`);
          if (leaks(caller, res.body)) failures.push(`${caller.name}: ${key} shows a number`);
        }
        continue;
      }
      const expectation = ROUTE_EXPECTATIONS[key];
      if (expectation === undefined) continue; // reported by the completeness test
      for (const probe of probesOf(expectation)) {
        const url = fill(probe.url ?? route.url);
        const body = JSON.parse(fill(JSON.stringify(probe.body ?? {})).replace(/"(\d+)"/g, '$1'));
        for (const caller of callers) {
          const res = await call(caller, route.method, url, body);
          const where = `${caller.name}: ${route.method} ${url}`;
          if (caller.permissions === null) {
            if (res.statusCode !== 401 || res.json().error.code !== 'UNAUTHENTICATED')
              failures.push(`${where} answered ${res.statusCode} without credentials`);
          } else if (allowed(probe.need, caller.permissions)) {
            if ([401, 403].includes(res.statusCode) || res.statusCode >= 500)
              failures.push(`${where} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
          } else if (res.statusCode !== 403 || res.json().error.code !== 'FORBIDDEN') {
            failures.push(`${where} answered ${res.statusCode}, not 403 FORBIDDEN`);
          }
          if (leaks(caller, res.body)) failures.push(`${where} shows a clear number`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(routeTable(t.app).length * callers.length);
    // Some 2,000 calls, each a real request through every hook: more than the 30-s default on a
    // loaded two-core machine.
  }, 120_000);

  it('shows the clear number to a caller with contacts:reveal (the probe can see a leak)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/contacts/${ids.contact}/reveal`,
      headers: await callers.find((c) => c.name === 'compliance key')!.headers(),
      payload: { reason: 'support ticket 17' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('13912345678');
  });

  it('refuses every cookie-authenticated write without its CSRF token', async () => {
    const failures: string[] = [];
    const person = (await findUserByName(t.ctx.store.db, 'matrix-support'))!;
    for (const route of routeTable(t.app)) {
      const key = `${route.method} ${route.url}`;
      if (key in PUBLIC_ROUTES || ['GET', 'HEAD', 'OPTIONS'].includes(route.method)) continue;
      const s = await createSession(t.ctx.auth, person, { ttlHours: 1, ip: null, userAgent: null });
      for (const csrf of [undefined, 'forged', s.csrfToken.slice(1)]) {
        const res = await t.app.inject({
          method: route.method as 'POST',
          url: route.url.replace(/:\w+/g, '1'),
          headers: {
            cookie: `herald_session=${s.token}`,
            ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }),
          },
          payload: {},
        });
        if (res.statusCode !== 403 || res.json().error.code !== 'CSRF_TOKEN_INVALID')
          failures.push(`${key} with token ${String(csrf)} answered ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
