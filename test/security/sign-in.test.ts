/**
 * Sign-in hardening over the API: security headers, cookie flags, lock-out per account and per
 * address (store-backed, audited), password rules. Sessions and API keys: sessions.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { findUserByName } from '../../src/store/users.js';
import { createTestUser, openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';

const PASSWORD = 'violet tram at dusk';

describe.each(DIALECTS)('[%s] sign-in', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let ipSeq = 0;
  const freshIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

  const login = (username: string, password: string, remoteAddress = freshIp()) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { username, password },
      remoteAddress,
    });
  const me = (headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: '/v1/auth/me', headers });
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  beforeAll(async () => {
    t = await openTestApp(dialect, {
      HERALD_LOGIN_MAX_PER_MINUTE: '10000',
      HERALD_LOGIN_LOCK_FAILURES: '5',
      HERALD_LOGIN_LOCK_MINUTES: '15',
      HERALD_LOGIN_IP_FAILURES: '8',
      HERALD_SESSION_IDLE_MINUTES: '60',
    });
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    for (const name of ['lin', 'ada', 'kim', 'omar', 'sara', 'wei']) {
      await createTestUser(t.ctx, name, 'marketer', PASSWORD);
    }
  });
  afterAll(async () => t.close());

  it('sends CSP and the usual security headers, and no-store on /v1', async () => {
    for (const url of ['/health', '/v1/auth/me', '/s/nope']) {
      const res = await t.app.inject({ method: 'GET', url, headers: admin });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("object-src 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    const v1 = await me(admin);
    expect(v1.headers['cache-control']).toBe('no-store');
    // The Swagger UI sets its own, stricter-for-scripts policy, still self-only.
    const docs = await t.app.inject({ method: 'GET', url: '/docs/static/index.html' });
    expect(String(docs.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, on /, and Secure only behind https', async () => {
    const res = await login('lin', PASSWORD);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const https = await openTestApp(dialect, { HERALD_PUBLIC_URL: 'https://herald.example.com' });
    try {
      await createTestUser(https.ctx, 'lin', 'marketer', PASSWORD);
      const secure = await https.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { username: 'lin', password: PASSWORD },
      });
      expect(String(secure.headers['set-cookie'])).toMatch(/; Secure/);
      const out = await https.app.inject({
        method: 'POST',
        url: '/v1/auth/logout',
        headers: {
          cookie: String(secure.headers['set-cookie']).split(';')[0]!,
          'x-csrf-token': secure.json().csrfToken,
        },
      });
      expect(String(out.headers['set-cookie'])).toMatch(/herald_session=;.*Secure/);
    } finally {
      await https.close();
    }
  });

  it('locks an account after 5 failures from anywhere, right password or not, and audits it', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await login('ada', `wrong guess ${i}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401]);
    const locked = await login('ada', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error).toMatchObject({
      code: 'LOGIN_LOCKED',
      details: { retryAfterSeconds: 900 },
    });
    // An unknown name answers exactly the same: the lock-out does not reveal who exists.
    for (let i = 0; i < 5; i++) await login('nobody-here', `wrong guess ${i}`);
    const ghost = await login('nobody-here', PASSWORD);
    expect(ghost.statusCode).toBe(429);
    expect(ghost.json().error.message).toBe(locked.json().error.message);

    const lockedRows = await queryAuditRows(t.ctx.store.db, {
      action: 'auth.account_locked',
      limit: 10,
    });
    expect(lockedRows.map((r) => r.actor)).toContain('user:ada');
    const refused = await queryAuditRows(t.ctx.store.db, {
      action: 'auth.login_refused',
      limit: 10,
    });
    expect(refused.find((r) => r.actor === 'user:ada')!.details).toContain('account_locked');
    // Nothing stores the typed name in clear: only a keyed hash.
    const stored = await t.ctx.store.db.selectFrom('login_failures').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('nobody-here');

    // Once the window has passed (the failures are 16 minutes old), the right password works
    // and clears the count.
    await t.ctx.store.db
      .updateTable('login_failures')
      .set({ at: ago(16 * 60_000) })
      .execute();
    expect((await login('ada', PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) await login('ada', `wrong again ${i}`);
    expect((await login('ada', PASSWORD)).statusCode).toBe(200);
  });

  it('lets an admin lift a lock-out by setting a new password', async () => {
    for (let i = 0; i < 5; i++) await login('kim', `wrong guess ${i}`);
    expect((await login('kim', PASSWORD)).statusCode).toBe(429);
    const kim = (await findUserByName(t.ctx.store.db, 'kim'))!;
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/users/${kim.id}`,
      headers: admin,
      payload: { password: 'amber lantern on the quay' },
    });
    expect(patched.statusCode).toBe(200);
    expect((await login('kim', 'amber lantern on the quay')).statusCode).toBe(200);
  });

  it('throttles an address that fails too often, for every name, but not other addresses', async () => {
    const ip = '192.0.2.44';
    const names = ['omar', 'sara', 'wei', 'x1', 'x2', 'x3', 'x4', 'x5'];
    for (const name of names) expect((await login(name, 'not it at all', ip)).statusCode).toBe(401);
    const blocked = await login('omar', PASSWORD, ip);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('LOGIN_LOCKED');
    expect((await login('omar', PASSWORD, '192.0.2.45')).statusCode).toBe(200);
    const refused = await queryAuditRows(t.ctx.store.db, {
      action: 'auth.login_refused',
      limit: 5,
    });
    expect(refused[0]).toMatchObject({ ip });
    expect(refused[0]!.details).toContain('address_throttled');
  });

  it('applies the password rules when an admin creates or changes a user', async () => {
    const cases: [object, string][] = [
      [{ username: 'zoe', role: 'analyst', password: 'Password1234!' }, 'common'],
      [{ username: 'zoe', role: 'analyst', password: 'zoe is the best' }, 'contains_username'],
      [
        { username: 'zoe@example.com', role: 'analyst', password: 'ZOE@example.com1' },
        'contains_username',
      ],
      [{ username: 'zoe', role: 'analyst', password: '1234567890123' }, 'repetitive'],
    ];
    for (const [payload, rule] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/users', headers: admin, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'PASSWORD_TOO_WEAK',
        details: { field: 'password', rule, zh: expect.any(String) },
      });
    }
    const lin = (await findUserByName(t.ctx.store.db, 'lin'))!;
    const weak = await t.app.inject({
      method: 'PATCH',
      url: `/v1/users/${lin.id}`,
      headers: admin,
      payload: { password: 'qwertyuiop123' },
    });
    expect(weak.json().error.code).toBe('PASSWORD_TOO_WEAK');
    expect((await login('lin', PASSWORD)).statusCode).toBe(200);
    const users = await t.app.inject({ method: 'GET', url: '/v1/users', headers: admin });
    expect(users.json().items.map((u: { username: string }) => u.username)).not.toContain('zoe');
  });
});
