/**
 * Sign-in and session hardening over the API: security headers, cookie flags, lock-out per
 * account and per address (store-backed, audited), password rules, idle and absolute session
 * expiry, log out everywhere, revocation on role change or disabling, API-key expiry and
 * rotation with a grace period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCleanup } from '../../src/jobs/index.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { findUserByName } from '../../src/store/users.js';
import { createTestUser, openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';

const PASSWORD = 'violet tram at dusk';
const HOUR = 3600_000;

describe.each(DIALECTS)('[%s] sessions, sign-in and API keys', (dialect) => {
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
  const signIn = async (username: string) => {
    const res = await login(username, PASSWORD);
    expect(res.statusCode, res.body).toBe(200);
    return {
      cookie: String(res.headers['set-cookie']).split(';')[0]!,
      'x-csrf-token': res.json().csrfToken as string,
    };
  };
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

  it('ends a session left idle, keeps one in use, and ends any at its absolute expiry', async () => {
    const idle = await signIn('lin');
    const busy = await signIn('lin');
    const old = await signIn('lin');
    const rows = await t.ctx.store.db.selectFrom('sessions').selectAll().execute();
    const [idleRow, busyRow, oldRow] = rows.slice(-3);
    await t.ctx.store.db
      .updateTable('sessions')
      .set({ last_seen_at: ago(61 * 60_000) })
      .where('id', '=', idleRow!.id)
      .execute();
    await t.ctx.store.db
      .updateTable('sessions')
      .set({ last_seen_at: ago(59 * 60_000) })
      .where('id', '=', busyRow!.id)
      .execute();
    await t.ctx.store.db
      .updateTable('sessions')
      .set({ expires_at: ago(1000) })
      .where('id', '=', oldRow!.id)
      .execute();
    expect((await me(idle)).statusCode).toBe(401);
    expect((await me(busy)).statusCode).toBe(200);
    expect((await me(old)).statusCode).toBe(401);
    // Using the busy one moved its idle clock forward.
    const touched = await t.ctx.store.db
      .selectFrom('sessions')
      .select('last_seen_at')
      .where('id', '=', busyRow!.id)
      .executeTakeFirstOrThrow();
    expect(Date.now() - Date.parse(touched.last_seen_at!)).toBeLessThan(59 * 60_000);
    expect(
      await t.ctx.store.db
        .selectFrom('sessions')
        .select('id')
        .where('id', '=', idleRow!.id)
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('has the cleanup job remove idle sessions', async () => {
    const s = await signIn('wei');
    await t.ctx.store.db
      .updateTable('sessions')
      .set({ last_seen_at: ago(2 * HOUR) })
      .execute();
    const result = (await sessionCleanup.run(t.ctx, new Date())) as { idleSessions: number };
    expect(result.idleSessions).toBeGreaterThanOrEqual(1);
    expect((await me(s)).statusCode).toBe(401);
  });

  it('logs a person out everywhere', async () => {
    const laptop = await signIn('sara');
    const phone = await signIn('sara');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout-all',
      headers: laptop,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().revoked).toBe(2);
    expect((await me(laptop)).statusCode).toBe(401);
    expect((await me(phone)).statusCode).toBe(401);
    const byKey = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout-all',
      headers: admin,
    });
    expect(byKey.statusCode).toBe(400);
    const audited = await queryAuditRows(t.ctx.store.db, {
      action: 'auth.sessions_revoked',
      limit: 1,
    });
    expect(audited[0]).toMatchObject({ actor: 'user:sara', target: 'user:sara' });
  });

  it('revokes sessions when a role changes, a user is disabled, or an admin says so', async () => {
    const omar = (await findUserByName(t.ctx.store.db, 'omar'))!;
    const patch = (payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/v1/users/${omar.id}`, headers: admin, payload });

    let session = await signIn('omar');
    expect((await patch({ role: 'analyst' })).statusCode).toBe(200);
    expect((await me(session)).statusCode).toBe(401);

    session = await signIn('omar');
    expect((await me(session)).json().role).toBe('analyst');
    expect((await patch({ disabled: true })).statusCode).toBe(200);
    expect((await me(session)).statusCode).toBe(401);
    expect((await login('omar', PASSWORD)).statusCode).toBe(401);
    expect((await patch({ disabled: false })).statusCode).toBe(200);

    session = await signIn('omar');
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/users/${omar.id}/sessions`,
      headers: admin,
    });
    expect(revoke.json()).toEqual({ revoked: 1 });
    expect((await me(session)).statusCode).toBe(401);
  });

  it('expires API keys', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: admin,
      payload: { name: 'nightly export', role: 'analyst', expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json();
    expect(Date.parse(apiKey.expiresAt) - Date.now()).toBeGreaterThan(29 * 24 * HOUR);
    const bearer = { authorization: `Bearer ${key}` };
    expect((await me(bearer)).statusCode).toBe(200);
    await t.ctx.store.db
      .updateTable('api_keys')
      .set({ expires_at: ago(1000) })
      .where('id', '=', apiKey.id)
      .execute();
    expect((await me(bearer)).statusCode).toBe(401);
    const rotate = await t.app.inject({
      method: 'POST',
      url: `/v1/api-keys/${apiKey.id}/rotate`,
      headers: admin,
      payload: {},
    });
    expect(rotate.json().error.code).toBe('APIKEY_NOT_ACTIVE');
  });

  it('rotates an API key: the old secret works for the grace period, then stops', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: admin,
      payload: { name: 'shop backend', scopes: ['messages:send', 'messages:read'] },
    });
    const oldKey = created.json().key as string;
    const id = created.json().apiKey.id as string;
    const rotate = (graceHours?: number, headers = admin) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/api-keys/${id}/rotate`,
        headers,
        payload: graceHours === undefined ? {} : { graceHours },
      });

    const first = await rotate();
    expect(first.statusCode).toBe(200);
    const newKey = first.json().key as string;
    expect(newKey).toMatch(new RegExp(`^hk_${id}_[0-9A-Za-z]{40}$`));
    expect(newKey).not.toBe(oldKey);
    const until = Date.parse(first.json().apiKey.previousSecretValidUntil);
    expect(until - Date.now()).toBeGreaterThan(23 * HOUR);
    expect((await me({ authorization: `Bearer ${oldKey}` })).statusCode).toBe(200);
    expect((await me({ authorization: `Bearer ${newKey}` })).statusCode).toBe(200);

    await t.ctx.store.db
      .updateTable('api_keys')
      .set({ previous_secret_until: ago(1000) })
      .where('id', '=', id)
      .execute();
    expect((await me({ authorization: `Bearer ${oldKey}` })).statusCode).toBe(401);
    expect((await me({ authorization: `Bearer ${newKey}` })).statusCode).toBe(200);

    // Without grace the previous secret stops at once; only the newest works.
    const second = await rotate(0);
    const newest = second.json().key as string;
    expect(second.json().apiKey.previousSecretValidUntil).toBeNull();
    expect((await me({ authorization: `Bearer ${newKey}` })).statusCode).toBe(401);
    expect((await me({ authorization: `Bearer ${newest}` })).statusCode).toBe(200);

    const audited = await queryAuditRows(t.ctx.store.db, { action: 'apikey.rotate', limit: 5 });
    expect(audited.filter((r) => r.target === `apikey:${id}`)).toHaveLength(2);
    const listed = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: admin });
    expect(listed.body).not.toContain(newest.split('_')[2]);
  });

  it('does not let a narrower key rotate a wider one, nor rotate a revoked key', async () => {
    const narrow = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: admin,
      payload: { name: 'key admin', scopes: ['apikeys:manage'] },
    });
    const adminKeyId = admin.authorization!.split('_')[1]!;
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/api-keys/${adminKeyId}/rotate`,
      headers: { authorization: `Bearer ${narrow.json().key}` },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect((await me(admin)).statusCode).toBe(200);

    const victim = await t.keyFor('support');
    const victimId = victim.split('_')[1]!;
    await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${victimId}`, headers: admin });
    const revoked = await t.app.inject({
      method: 'POST',
      url: `/v1/api-keys/${victimId}/rotate`,
      headers: admin,
      payload: {},
    });
    expect(revoked.statusCode).toBe(404);
    expect(revoked.json().error.code).toBe('APIKEY_NOT_ACTIVE');
  });
});
