import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { DIALECTS } from '../helpers/databases.js';
import { createTestUser, openTestApp, type TestApp } from '../helpers/context.js';

describe.each(DIALECTS)('[%s] API authentication and permissions', (dialect) => {
  let t: TestApp;
  const routes: { method: string; url: string }[] = [];
  const publicRoutes: { method: string; url: string }[] = [];

  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_LOGIN_MAX_PER_MINUTE: '5' });
    // Every /v1 route is in the OpenAPI document (none is hidden), so it lists what to probe.
    // Public routes say so with an empty `security` list; they are collected apart.
    const doc = (await t.app.inject('/docs/json')).json() as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    for (const [url, ops] of Object.entries(doc.paths)) {
      if (!url.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const route = { method: method.toUpperCase(), url: url.replace(/\{(\w+)\}/g, ':$1') };
        (Array.isArray(op.security) && op.security.length === 0 ? publicRoutes : routes).push(
          route,
        );
      }
    }
  });
  afterAll(async () => t.close());

  it('knows the /v1 routes it is testing', () => {
    expect(routes.length).toBeGreaterThanOrEqual(11);
    expect(routes).toContainEqual({ method: 'GET', url: '/v1/users' });
  });

  it('has exactly the public routes it means to have', () => {
    expect(publicRoutes).toEqual([
      { method: 'POST', url: '/v1/auth/login' },
      { method: 'GET', url: '/v1/auth/session' },
      { method: 'POST', url: '/v1/subscribe' },
    ]);
  });

  it('answers 401 on every other /v1 route without credentials', async () => {
    for (const route of routes) {
      const url = route.url.replace(/:id/g, route.url.includes('api-keys') ? 'AAAAAAAAAAAA' : '1');
      const res = await t.app.inject({
        method: route.method as 'GET',
        url,
        payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, `${route.method} ${url}`).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
    }
  });

  it('refuses a malformed or unknown API key with 401', async () => {
    for (const auth of ['Bearer nope', 'Bearer hk_AAAAAAAAAAAA_' + 'a'.repeat(40), 'Basic abc']) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/users',
        headers: { authorization: auth },
      });
      expect(res.statusCode).toBe(401);
    }
  });

  it("answers 403 to a marketer's key on an admin route and audits the denial", async () => {
    const key = await t.keyFor('marketer');
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/users',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({
      code: 'FORBIDDEN',
      details: { permission: 'users:manage' },
    });
    const denials = await queryAuditRows(t.ctx.store.db, {
      action: 'permission.denied',
      limit: 10,
    });
    expect(denials[0]).toMatchObject({
      actor: expect.stringMatching(/^apikey:/),
      target: 'GET /v1/users',
    });
    expect(JSON.parse(denials[0]!.details)).toEqual({ permission: 'users:manage' });
  });

  it("lets an admin's key manage users, and validates bodies with a 400", async () => {
    const key = await t.keyFor('admin');
    const headers = { authorization: `Bearer ${key}` };
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers,
      payload: { username: 'x', role: 'king' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect(bad.json().error.details.length).toBeGreaterThan(0);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers,
      payload: { username: 'mei', role: 'compliance' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().password).toMatch(/^\S{20,}$/);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers,
      payload: { username: 'mei', role: 'analyst' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('USER_EXISTS');
    const list = await t.app.inject({ method: 'GET', url: '/v1/users', headers });
    expect(list.json().items.map((u: { username: string }) => u.username)).toContain('mei');
    expect(JSON.stringify(list.json())).not.toContain('scrypt');
  });

  it('does not let a key grant permissions its holder lacks', async () => {
    const key = await t.keyFor('compliance');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { authorization: `Bearer ${key}` },
      payload: { name: 'x', role: 'admin' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('signs a person in with an HttpOnly SameSite cookie and demands the CSRF token on writes', async () => {
    await createTestUser(t.ctx, 'ada', 'admin', 'a long enough password');
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { username: 'ada', password: 'a long enough password' },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/herald_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    const csrf = login.json().csrfToken as string;

    const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } });
    // `actor` is how the person is named as a campaign's author or approver and in the audit log.
    expect(me.json()).toMatchObject({
      kind: 'user',
      actor: 'user:ada',
      role: 'admin',
      csrfToken: csrf,
    });

    // The console's question on load: 200 whether signed in or not, the person only with a session.
    const session = await t.app.inject({
      method: 'GET',
      url: '/v1/auth/session',
      headers: { cookie },
    });
    expect(session.json()).toMatchObject({
      signedIn: true,
      me: { actor: 'user:ada', csrfToken: csrf },
    });
    const stranger = await t.app.inject({ method: 'GET', url: '/v1/auth/session' });
    expect(stranger.statusCode).toBe(200);
    expect(stranger.json()).toEqual({ signedIn: false });
    const forged = await t.app.inject({
      method: 'GET',
      url: '/v1/auth/session',
      headers: { cookie: 'herald_session=forged' },
    });
    expect(forged.json()).toEqual({ signedIn: false });

    const payload = { name: 'shop', role: 'marketer' };
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie },
      payload,
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('CSRF_TOKEN_INVALID');
    const withToken = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie, 'x-csrf-token': csrf },
      payload,
    });
    expect(withToken.statusCode).toBe(201);
    const key = withToken.json().key as string;
    expect(key).toMatch(/^hk_[0-9A-Za-z]{12}_[0-9A-Za-z]{40}$/);
    const listed = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { cookie } });
    expect(JSON.stringify(listed.json())).not.toContain(key.split('_')[2]);

    const logout = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(logout.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('audits failed logins and rate-limits them per IP', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { username: 'ada', password: `wrong ${i}` },
        remoteAddress: '10.9.8.7',
      });
      codes.push(res.statusCode);
    }
    expect(codes.slice(0, 4).every((c) => c === 401)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    const failed = await queryAuditRows(t.ctx.store.db, { action: 'auth.login_failed', limit: 50 });
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(failed[0]!.ip).toBe('10.9.8.7');
  });

  it('revoked keys stop working', async () => {
    const admin = await t.keyFor('admin');
    const victim = await t.keyFor('analyst');
    const id = victim.split('_')[1]!;
    const before = await t.app.inject({
      method: 'GET',
      url: '/v1/auth/me',
      headers: { authorization: `Bearer ${victim}` },
    });
    expect(before.json()).toMatchObject({ kind: 'apikey', actor: `apikey:${id}` });
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${id}`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(del.statusCode).toBe(204);
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/auth/me',
      headers: { authorization: `Bearer ${victim}` },
    });
    expect(res.statusCode).toBe(401);
  });
});
