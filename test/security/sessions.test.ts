/**
 * Sessions and API keys over the API: idle and absolute session expiry, log out everywhere,
 * revocation on role change or disabling, API-key expiry and rotation with a grace period.
 * Sign-in itself (headers, cookies, lock-out, passwords): sign-in.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCleanup } from '../../src/jobs/index.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { findUserByName } from '../../src/store/users.js';
import { createTestUser, openTestApp, type TestApp } from '../helpers/context.js';
import { DIALECTS } from '../helpers/databases.js';

const PASSWORD = 'violet tram at dusk';
const HOUR = 3600_000;

describe.each(DIALECTS)('[%s] sessions and API keys', (dialect) => {
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
    for (const name of ['lin', 'ada', 'kim', 'omar', 'sara', 'wei', 'rosa', 'tom']) {
      await createTestUser(t.ctx, name, 'marketer', PASSWORD);
    }
  });
  afterAll(async () => t.close());

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

  it('lets a person change their own password: current one first, rules, other sessions end', async () => {
    const laptop = await signIn('rosa');
    const phone = await signIn('rosa');
    const change = (
      headers: Record<string, string>,
      payload: Record<string, string>,
      remoteAddress = freshIp(),
    ) =>
      t.app.inject({ method: 'POST', url: '/v1/auth/password', headers, payload, remoteAddress });
    const NEW = 'quiet harbour in rain';

    const wrong = await change(laptop, { currentPassword: 'not it at all', newPassword: NEW });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('CURRENT_PASSWORD_WRONG');
    const weak = await change(laptop, { currentPassword: PASSWORD, newPassword: 'rosa12345678' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.code).toBe('PASSWORD_TOO_WEAK');
    const same = await change(laptop, { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(same.json().error.code).toBe('PASSWORD_TOO_WEAK');
    const noCsrf = await change(
      { cookie: laptop.cookie },
      { currentPassword: PASSWORD, newPassword: NEW },
    );
    expect(noCsrf.statusCode).toBe(403);
    expect((await login('rosa', PASSWORD)).statusCode).toBe(200); // nothing changed yet

    const done = await change(laptop, { currentPassword: PASSWORD, newPassword: NEW });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().otherSessionsEnded).toBe(2); // the phone and the check sign-in above
    expect((await me(laptop)).statusCode).toBe(200);
    expect((await me(phone)).statusCode).toBe(401);
    expect((await login('rosa', PASSWORD)).statusCode).toBe(401);
    expect((await login('rosa', NEW)).statusCode).toBe(200);

    const audit = await queryAuditRows(t.ctx.store.db, {
      action: 'auth.password_changed',
      limit: 5,
    });
    expect(audit[0]).toMatchObject({ actor: 'user:rosa', target: 'user:rosa' });
    expect(JSON.stringify(audit)).not.toContain(NEW);
    const failed = await queryAuditRows(t.ctx.store.db, {
      action: 'auth.password_change_failed',
      limit: 5,
    });
    expect(failed[0]).toMatchObject({ actor: 'user:rosa' });

    // An API key is no person with a password.
    const byKey = await change(admin, { currentPassword: 'x', newPassword: NEW });
    expect(byKey.statusCode).toBe(400);
  });

  it('counts wrong current passwords as failed sign-ins: an open session is no way to guess', async () => {
    const session = await signIn('tom');
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/password',
        headers: session,
        payload: { currentPassword: `guess ${i} of many`, newPassword: 'quiet harbour in rain' },
        remoteAddress: ip,
      });
      expect(res.json().error.code).toBe('CURRENT_PASSWORD_WRONG');
    }
    const locked = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      headers: session,
      payload: { currentPassword: PASSWORD, newPassword: 'quiet harbour in rain' },
      remoteAddress: ip,
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('LOGIN_LOCKED');
    expect((await login('tom', PASSWORD)).statusCode).toBe(429);
  });
});
