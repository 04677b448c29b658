/**
 * API keys for programs: shown once, stored as a keyed hash, with scopes no wider than their
 * granter's, an optional expiry, and rotation (a new secret; the old one keeps working until
 * the end of a grace period, so a deployment can switch without an outage). Audited.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { HeraldError } from '../core/errors.js';
import { isPermission, isRole, permissionsOf, type Permission } from '../core/roles.js';
import {
  findApiKey,
  insertApiKey,
  revokeApiKey,
  rotateApiKeySecret,
  touchApiKey,
  type ApiKeyRow,
} from '../store/api-keys.js';
import type { AuthDeps } from './auth.js';
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
  readonly expiresAt: string | null;
  /** After a rotation: until when the previous secret still works. */
  readonly previousSecretValidUntil: string | null;
}

export function publicApiKey(row: ApiKeyRow): PublicApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: (JSON.parse(row.scopes) as string[]).filter(isPermission),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
    previousSecretValidUntil: row.previous_secret_hash === null ? null : row.previous_secret_until,
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
    /** ISO time after which the key stops working; absent: it works until revoked. */
    expiresAt?: string | null;
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
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && expiresAt <= now) {
    throw new HeraldError('VALIDATION_FAILED', 'An API key must expire in the future', {
      field: 'expiresAt',
    });
  }
  const row: ApiKeyRow = {
    id,
    name: input.name,
    secret_hash: hashSecret(deps, secret),
    scopes: JSON.stringify(scopes),
    created_by: input.createdBy,
    created_at: now,
    last_used_at: null,
    revoked_at: null,
    expires_at: expiresAt,
    previous_secret_hash: null,
    previous_secret_until: null,
  };
  await insertApiKey(deps.db, row);
  await deps.auditor.record({
    actor: input.actor,
    action: 'apikey.create',
    target: `apikey:${id}`,
    details: { name: input.name, scopes, expiresAt },
    ip: input.ip ?? null,
  });
  return { key: `hk_${id}_${secret}`, apiKey: publicApiKey(row) };
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The program behind a Bearer key, or null when the key is unknown, revoked, expired, or
 * presents a secret that is neither the current one nor the previous one within its grace.
 */
export async function resolveApiKey(
  deps: AuthDeps,
  presented: string,
  now: Date = new Date(),
): Promise<Principal | null> {
  const match = API_KEY_PATTERN.exec(presented);
  if (!match) return null;
  const row = await findApiKey(deps.db, match[1]!);
  if (!row || row.revoked_at !== null) return null;
  const at = now.toISOString();
  if (row.expires_at !== null && row.expires_at <= at) return null;
  const actual = hashSecret(deps, match[2]!);
  const current = sameHash(row.secret_hash, actual);
  const previous =
    row.previous_secret_hash !== null &&
    row.previous_secret_until !== null &&
    row.previous_secret_until > at &&
    sameHash(row.previous_secret_hash, actual);
  if (!current && !previous) return null;
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

/**
 * Gives a key a new secret, returned once; the old secret keeps working for `graceHours` (0:
 * not at all). Only someone who could have created the key (holding all its scopes) may rotate
 * it, since the new secret carries its permissions.
 */
export async function rotateKey(
  deps: AuthDeps,
  input: {
    id: string;
    graceHours: number;
    granterPermissions: readonly Permission[];
    actor: string;
    ip?: string | null;
  },
): Promise<{ key: string; apiKey: PublicApiKey }> {
  const existing = await findApiKey(deps.db, input.id);
  const now = new Date();
  if (!existing) throw new HeraldError('APIKEY_NOT_ACTIVE');
  const beyond = publicApiKey(existing).scopes.filter((s) => !input.granterPermissions.includes(s));
  if (beyond.length > 0) {
    throw new HeraldError('FORBIDDEN', 'You cannot rotate a key with permissions you do not hold', {
      scopes: beyond,
    });
  }
  const secret = secretAlphabet();
  const previousUntil =
    input.graceHours > 0
      ? new Date(now.getTime() + input.graceHours * 3600_000).toISOString()
      : null;
  const row = await rotateApiKeySecret(deps.db, {
    id: input.id,
    secretHash: hashSecret(deps, secret),
    previousUntil,
    now: now.toISOString(),
  });
  if (!row) throw new HeraldError('APIKEY_NOT_ACTIVE');
  await deps.auditor.record({
    actor: input.actor,
    action: 'apikey.rotate',
    target: `apikey:${input.id}`,
    details: { previousSecretValidUntil: previousUntil },
    ip: input.ip ?? null,
  });
  return { key: `hk_${input.id}_${secret}`, apiKey: publicApiKey(row) };
}
