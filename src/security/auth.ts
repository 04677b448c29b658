/**
 * People and programs: users with scrypt password hashes, session tokens (only their hash is
 * stored), API keys shown once and stored as a keyed hash. Every change is audited.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { HeraldError } from '../core/errors.js';
import { isPermission, isRole, permissionsOf, type Permission, type Role } from '../core/roles.js';
import type { Db } from '../store/database.js';
import {
  findApiKey,
  insertApiKey,
  revokeApiKey,
  touchApiKey,
  type ApiKeyRow,
} from '../store/api-keys.js';
import { deleteSession, findLiveSession, insertSession } from '../store/sessions.js';
import {
  findUserById,
  findUserByName,
  insertUser,
  touchLogin,
  type UserRow,
} from '../store/users.js';
import type { Auditor } from './audit.js';
import { DUMMY_PASSWORD_HASH, hashPassword, randomPassword, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';

const keyIdAlphabet = customAlphabet(
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  12,
);
const secretAlphabet = customAlphabet(
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  40,
);
const API_KEY_PATTERN = /^hk_([0-9A-Za-z]{12})_([0-9A-Za-z]{40})$/;
const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export interface AuthDeps {
  readonly db: Db;
  readonly auditor: Auditor;
  /** HMAC key for API key secrets. */
  readonly apiKeyPepper: Buffer;
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
  if (input.password !== undefined && input.password.length < 12) {
    throw new HeraldError('VALIDATION_FAILED', 'A password has at least 12 characters', {
      field: 'password',
    });
  }
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

/** Checks a user name and password; audits success and failure alike. */
export async function authenticate(
  deps: AuthDeps,
  input: { username: string; password: string; ip: string | null },
): Promise<UserRow> {
  const username = input.username.trim().toLowerCase();
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
    throw new HeraldError('INVALID_CREDENTIALS');
  }
  const now = new Date().toISOString();
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
  });
  return { token, csrfToken, expiresAt };
}

export async function resolveSession(deps: AuthDeps, token: string): Promise<Principal | null> {
  const session = await findLiveSession(deps.db, sha256(token), new Date().toISOString());
  if (!session) return null;
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

function hashSecret(deps: AuthDeps, secret: string): string {
  return createHmac('sha256', deps.apiKeyPepper).update(secret).digest('base64url');
}

export interface PublicApiKey {
  readonly id: string;
  readonly name: string;
  readonly scopes: Permission[];
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export function publicApiKey(row: ApiKeyRow): PublicApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: (JSON.parse(row.scopes) as string[]).filter(isPermission),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/**
 * Creates an API key. Scopes come from a role or an explicit list; a person can only hand out
 * permissions they hold themselves. The full key is returned once and never again.
 */
export async function createApiKey(
  deps: AuthDeps,
  input: {
    name: string;
    scopes?: readonly string[];
    role?: string;
    createdBy: number | null;
    granterPermissions: readonly Permission[];
    actor: string;
    ip?: string | null;
  },
): Promise<{ key: string; apiKey: PublicApiKey }> {
  let scopes: Permission[];
  if (input.role !== undefined) {
    if (!isRole(input.role))
      throw new HeraldError('VALIDATION_FAILED', `Unknown role ${input.role}`, { field: 'role' });
    scopes = [...permissionsOf(input.role)];
  } else {
    const unknown = (input.scopes ?? []).filter((s) => !isPermission(s));
    if (unknown.length > 0) {
      throw new HeraldError('VALIDATION_FAILED', `Unknown scope ${unknown.join(', ')}`, {
        field: 'scopes',
        unknown,
      });
    }
    scopes = [...new Set(input.scopes as Permission[])];
  }
  if (scopes.length === 0)
    throw new HeraldError('VALIDATION_FAILED', 'An API key needs at least one scope');
  const beyond = scopes.filter((s) => !input.granterPermissions.includes(s));
  if (beyond.length > 0) {
    throw new HeraldError('FORBIDDEN', 'You cannot grant permissions you do not hold', {
      scopes: beyond,
    });
  }
  const id = keyIdAlphabet();
  const secret = secretAlphabet();
  const now = new Date().toISOString();
  const row: ApiKeyRow = {
    id,
    name: input.name,
    secret_hash: hashSecret(deps, secret),
    scopes: JSON.stringify(scopes),
    created_by: input.createdBy,
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  };
  await insertApiKey(deps.db, row);
  await deps.auditor.record({
    actor: input.actor,
    action: 'apikey.create',
    target: `apikey:${id}`,
    details: { name: input.name, scopes },
    ip: input.ip ?? null,
  });
  return { key: `hk_${id}_${secret}`, apiKey: publicApiKey(row) };
}

export async function resolveApiKey(deps: AuthDeps, presented: string): Promise<Principal | null> {
  const match = API_KEY_PATTERN.exec(presented);
  if (!match) return null;
  const row = await findApiKey(deps.db, match[1]!);
  if (!row || row.revoked_at !== null) return null;
  const expected = Buffer.from(row.secret_hash);
  const actual = Buffer.from(hashSecret(deps, match[2]!));
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  const now = new Date();
  // Touch at most once a minute: a busy key should not turn every request into a write.
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000) {
    await touchApiKey(deps.db, row.id, now.toISOString());
  }
  return { kind: 'apikey', keyId: row.id, name: row.name, permissions: publicApiKey(row).scopes };
}

export async function revokeKey(
  deps: AuthDeps,
  input: { id: string; actor: string; ip?: string | null },
): Promise<void> {
  const done = await revokeApiKey(deps.db, input.id, new Date().toISOString());
  if (!done) throw new HeraldError('NOT_FOUND', 'No such active API key');
  await deps.auditor.record({
    actor: input.actor,
    action: 'apikey.revoke',
    target: `apikey:${input.id}`,
    ip: input.ip ?? null,
  });
}
