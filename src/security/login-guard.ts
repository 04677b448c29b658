/**
 * Throttling and lock-out of sign-ins, kept in the store so that every API process sees the
 * same counts: after `loginLockFailures` failed sign-ins for a name within `loginLockMinutes`,
 * that name is refused (right password or not) until the window has passed; an address with
 * `loginIpFailures` failures in the window is refused for any name. Names are counted whether
 * or not such a user exists, so the lock-out does not reveal which names are real. Every
 * refusal is audited.
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';
import { HeraldError } from '../core/errors.js';
import {
  clearLoginFailures,
  countLoginFailures,
  insertLoginFailure,
} from '../store/login-failures.js';
import type { AuthDeps } from './auth.js';

export interface AuthPolicy {
  readonly sessionIdleMinutes: number;
  readonly loginLockFailures: number;
  readonly loginLockMinutes: number;
  readonly loginIpFailures: number;
}

export function authPolicyOf(config: Config): AuthPolicy {
  return {
    sessionIdleMinutes: config.sessionIdleMinutes,
    loginLockFailures: config.loginLockFailures,
    loginLockMinutes: config.loginLockMinutes,
    loginIpFailures: config.loginIpFailures,
  };
}

/** The stored form of a typed name: keyed, so a phone number typed as a name is not kept. */
function nameHash(deps: AuthDeps, username: string): string {
  return createHmac('sha256', deps.apiKeyPepper).update(`login:${username}`).digest('base64url');
}

/** Forgets a name's failures: after a successful sign-in, or when an admin sets a password. */
export async function resetLoginFailures(deps: AuthDeps, username: string): Promise<void> {
  await clearLoginFailures(deps.db, nameHash(deps, username));
}

function windowStart(policy: AuthPolicy, now: Date): string {
  return new Date(now.getTime() - policy.loginLockMinutes * 60_000).toISOString();
}

/** Throws LOGIN_LOCKED (audited) when this name or address may not try now. */
export async function assertLoginAllowed(
  deps: AuthDeps,
  input: { username: string; ip: string | null; now: Date },
): Promise<void> {
  const since = windowStart(deps.policy, input.now);
  const byIp = input.ip === null ? 0 : await countLoginFailures(deps.db, { ip: input.ip }, since);
  const byName = await countLoginFailures(
    deps.db,
    { nameHash: nameHash(deps, input.username) },
    since,
  );
  const scope =
    byIp >= deps.policy.loginIpFailures
      ? 'ip'
      : byName >= deps.policy.loginLockFailures
        ? 'account'
        : null;
  if (scope === null) return;
  await deps.auditor.record({
    actor: `user:${input.username.slice(0, 64)}`,
    action: 'auth.login_refused',
    target: null,
    details: { reason: scope === 'ip' ? 'address_throttled' : 'account_locked' },
    ip: input.ip,
  });
  throw new HeraldError(
    'LOGIN_LOCKED',
    `Too many failed sign-ins; try again in ${deps.policy.loginLockMinutes} minutes`,
    { retryAfterSeconds: deps.policy.loginLockMinutes * 60 },
  );
}

/** Counts a failed sign-in; audits the moment a name becomes locked. */
export async function recordLoginFailure(
  deps: AuthDeps,
  input: { username: string; ip: string | null; now: Date },
): Promise<void> {
  await insertLoginFailure(deps.db, {
    name_hash: nameHash(deps, input.username),
    ip: input.ip,
    at: input.now.toISOString(),
  });
  const count = await countLoginFailures(
    deps.db,
    { nameHash: nameHash(deps, input.username) },
    windowStart(deps.policy, input.now),
  );
  if (count === deps.policy.loginLockFailures) {
    await deps.auditor.record({
      actor: `user:${input.username.slice(0, 64)}`,
      action: 'auth.account_locked',
      target: null,
      details: { failures: count, minutes: deps.policy.loginLockMinutes },
      ip: input.ip,
    });
  }
}
