/**
 * People and programs: users with scrypt password hashes, session tokens (only their hash is
 * stored), API keys shown once and stored as a keyed hash. Every change is audited.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HeraldError } from '../core/errors.js';
import { passwordProblem, PASSWORD_PROBLEM_TEXT } from '../core/password-policy.js';
import { isRole, permissionsOf, type Role } from '../core/roles.js';
import type { Db } from '../store/database.js';
import {
  deleteAllSessionsOfUser,
  deleteOtherSessionsOfUser,
  deleteSession,
  findLiveSession,
  insertSession,
  touchSession,
} from '../store/sessions.js';
import {
  findUserById,
  findUserByName,
  insertUser,
  touchLogin,
  updateUser,
  type UserRow,
} from '../store/users.js';
import type { Auditor } from './audit.js';
import { DUMMY_PASSWORD_HASH, hashPassword, randomPassword, verifyPassword } from './passwords.js';
import {
  assertLoginAllowed,
  recordLoginFailure,
  resetLoginFailures,
  type AuthPolicy,
} from './login-guard.js';
import type { Principal } from './principal.js';

export {
  createApiKey,
  publicApiKey,
  resolveApiKey,
  revokeKey,
  rotateKey,
  type PublicApiKey,
} from './api-keys.js';

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export interface AuthDeps {
  readonly db: Db;
  readonly auditor: Auditor;
  /** HMAC key for API key secrets (and the stored form of names that failed to sign in). */
  readonly apiKeyPepper: Buffer;
  readonly policy: AuthPolicy;
}

/** Throws PASSWORD_TOO_WEAK naming the rule (in English and Chinese) when a password breaks one. */
export function assertPasswordAcceptable(password: string, username: string): void {
  const rule = passwordProblem(password, { username });
  if (rule === null) return;
  const text = PASSWORD_PROBLEM_TEXT[rule];
  throw new HeraldError('PASSWORD_TOO_WEAK', text.en, { field: 'password', rule, zh: text.zh });
}

export interface PublicUser {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

export function publicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export async function createUser(
  deps: AuthDeps,
  input: {
    username: string;
    role: string;
    password?: string;
    displayName?: string;
    actor: string;
    ip?: string | null;
  },
): Promise<{ user: PublicUser; password: string }> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      'A user name is 2-64 characters: a-z, 0-9, . _ @ -',
      {
        field: 'username',
      },
    );
  }
  if (!isRole(input.role)) {
    throw new HeraldError('VALIDATION_FAILED', `Unknown role ${input.role}`, { field: 'role' });
  }
  if (input.password !== undefined) assertPasswordAcceptable(input.password, username);
  if (await findUserByName(deps.db, username)) throw new HeraldError('USER_EXISTS');
  const password = input.password ?? randomPassword();
  const row = await insertUser(deps.db, {
    username,
    displayName: input.displayName ?? username,
    passwordHash: await hashPassword(password),
    role: input.role,
    now: new Date().toISOString(),
  });
  await deps.auditor.record({
    actor: input.actor,
    action: 'user.create',
    target: `user:${username}`,
    details: { role: input.role },
    ip: input.ip ?? null,
  });
  return { user: publicUser(row), password };
}

/**
 * Checks a user name and password; audits success and failure alike. A name or address with
 * too many recent failures is refused before the password is looked at (LOGIN_LOCKED).
 */
export async function authenticate(
  deps: AuthDeps,
  input: { username: string; password: string; ip: string | null; now?: Date },
): Promise<UserRow> {
  const username = input.username.trim().toLowerCase();
  const attemptAt = input.now ?? new Date();
  await assertLoginAllowed(deps, { username, ip: input.ip, now: attemptAt });
  const user = await findUserByName(deps.db, username);
  // Hash even for an unknown user, so response time does not reveal which names exist.
  const ok = await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!user || !ok || user.disabled === 1) {
    await deps.auditor.record({
      actor: `user:${username.slice(0, 64)}`,
      action: 'auth.login_failed',
      target: null,
      details: {
        reason: !user ? 'unknown_user' : user.disabled === 1 ? 'disabled' : 'bad_password',
      },
      ip: input.ip,
    });
    await recordLoginFailure(deps, { username, ip: input.ip, now: attemptAt });
    throw new HeraldError('INVALID_CREDENTIALS');
  }
  await resetLoginFailures(deps, username);
  const now = attemptAt.toISOString();
  await touchLogin(deps.db, user.id, now);
  await deps.auditor.record({ actor: `user:${user.username}`, action: 'auth.login', ip: input.ip });
  return user;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

export interface NewSession {
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

export async function createSession(
  deps: AuthDeps,
  user: UserRow,
  opts: { ttlHours: number; ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + opts.ttlHours * 3600_000).toISOString();
  await insertSession(deps.db, {
    id: sha256(token),
    user_id: user.id,
    csrf_token: csrfToken,
    created_at: now.toISOString(),
    expires_at: expiresAt,
    ip: opts.ip,
    user_agent: opts.userAgent?.slice(0, 512) ?? null,
    last_seen_at: now.toISOString(),
  });
  return { token, csrfToken, expiresAt };
}

/**
 * The person behind a session cookie, or null when the session does not exist, has passed its
 * absolute expiry, or has not been used for `sessionIdleMinutes` (then it is deleted).
 */
export async function resolveSession(
  deps: AuthDeps,
  token: string,
  now: Date = new Date(),
): Promise<Principal | null> {
  const session = await findLiveSession(deps.db, sha256(token), now.toISOString());
  if (!session) return null;
  const lastSeen = Date.parse(session.last_seen_at ?? session.created_at);
  if (now.getTime() - lastSeen > deps.policy.sessionIdleMinutes * 60_000) {
    await deleteSession(deps.db, session.id);
    return null;
  }
  // Touch at most once a minute: reading pages should not turn into a write per request.
  if (now.getTime() - lastSeen > 60_000) await touchSession(deps.db, session.id, now.toISOString());
  const user = await findUserById(deps.db, session.user_id);
  if (!user || user.disabled === 1 || !isRole(user.role)) return null;
  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    role: user.role,
    permissions: permissionsOf(user.role),
    sessionId: session.id,
    csrfToken: session.csrf_token,
  };
}

export async function endSession(deps: AuthDeps, sessionId: string): Promise<void> {
  await deleteSession(deps.db, sessionId);
}

/** Ends every session of a user ("log out everywhere", or an admin's revocation); audited. */
export async function endAllSessions(
  deps: AuthDeps,
  input: { userId: number; username: string; actor: string; ip: string | null },
): Promise<number> {
  const ended = await deleteAllSessionsOfUser(deps.db, input.userId);
  await deps.auditor.record({
    actor: input.actor,
    action: 'auth.sessions_revoked',
    target: `user:${input.username}`,
    details: { sessions: ended },
    ip: input.ip,
  });
  return ended;
}

/**
 * A person changes their own password. The current password comes first, under the sign-in
 * lock-out (a wrong one counts as a failed sign-in, so a session left open is no way to guess
 * it); then the password rules; then every other session of theirs ends, this one stays. Audited.
 */
export async function changeOwnPassword(
  deps: AuthDeps,
  input: {
    userId: number;
    sessionId: string;
    currentPassword: string;
    newPassword: string;
    ip: string | null;
    now?: Date;
  },
): Promise<{ otherSessionsEnded: number }> {
  const user = await findUserById(deps.db, input.userId);
  if (!user || user.disabled === 1) throw new HeraldError('UNAUTHENTICATED');
  const now = input.now ?? new Date();
  await assertLoginAllowed(deps, { username: user.username, ip: input.ip, now });
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
    await deps.auditor.record({
      actor: `user:${user.username}`,
      action: 'auth.password_change_failed',
      target: `user:${user.username}`,
      details: { reason: 'bad_current_password' },
      ip: input.ip,
    });
    await recordLoginFailure(deps, { username: user.username, ip: input.ip, now });
    throw new HeraldError('CURRENT_PASSWORD_WRONG', undefined, { field: 'currentPassword' });
  }
  if (input.newPassword === input.currentPassword) {
    throw new HeraldError(
      'PASSWORD_TOO_WEAK',
      'The new password must differ from the current one',
      {
        field: 'newPassword',
        rule: 'unchanged',
        zh: '新密码不能与当前密码相同',
      },
    );
  }
  assertPasswordAcceptable(input.newPassword, user.username);
  await updateUser(deps.db, user.id, {
    passwordHash: await hashPassword(input.newPassword),
    now: now.toISOString(),
  });
  const otherSessionsEnded = await deleteOtherSessionsOfUser(deps.db, user.id, input.sessionId);
  await resetLoginFailures(deps, user.username);
  await deps.auditor.record({
    actor: `user:${user.username}`,
    action: 'auth.password_changed',
    target: `user:${user.username}`,
    details: { otherSessionsEnded },
    ip: input.ip,
  });
  return { otherSessionsEnded };
}
