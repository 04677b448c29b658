/**
 * The pumping guard: every path that makes Herald send to a number a stranger typed (the
 * double opt-in of public sign-up forms, one-time codes) calls `guardStrangerSend` inside the
 * transaction that queues the message. It takes the guard row (so concurrent checks in every
 * process see each other's sends), counts the sliding windows in the store, asks the pure
 * decision (src/core/pumping.ts) and records the attempt, allowed or blocked. A blocked attempt
 * is kept with its masked number and reason for admins (GET /v1/abuse/blocked) and counted in
 * the metrics; the caller throws `pumpingRefusal(decision)` after the transaction committed.
 */
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import { maskPhone } from '../core/phone.js';
import {
  decidePumping,
  pumpingKeys,
  type PumpingDecision,
  type StrangerSendKind,
} from '../core/pumping.js';
import type { Job } from '../jobs/scheduler.js';
import type { DbOrTx } from '../store/database.js';
import {
  countAllowedAttempts,
  insertPumpingAttempt,
  prunePumpingAttempts,
  recentBlockTails,
  spentSince,
  takePumpingGuard,
} from '../store/pumping.js';
import { geoPermission } from './geo-permissions.js';

export interface StrangerSend {
  readonly kind: StrangerSendKind;
  readonly e164: string;
  /** ISO alpha-2; null for numbers of no country (global services): never allowed. */
  readonly country: string | null;
  readonly ip: string | null;
  /** Segments of the message that would go out. */
  readonly segments: number;
  /** False when the attempt goes ahead without an SMS (a suppressed number): it costs nothing. */
  readonly billable?: boolean;
  readonly now: Date;
}

const since = (now: Date, seconds: number) =>
  new Date(now.getTime() - seconds * 1000).toISOString();

/** Checks and records one attempt; call inside the transaction that queues the message. */
export async function guardStrangerSend(
  ctx: AppContext,
  tx: DbOrTx,
  send: StrangerSend,
): Promise<PumpingDecision> {
  await takePumpingGuard(tx);
  const limits = ctx.config.pumping;
  const { now, e164 } = send;
  const country = send.country ?? 'ZZ';
  const keys = pumpingKeys(e164, limits);
  const phoneIndex = ctx.cipher.blindIndex(e164);
  // The prefix and block as keyed hashes: even their digits stay out of the database.
  const prefixIndex = ctx.cipher.blindIndex(`prefix:${keys.prefix}`);
  const blockIndex = ctx.cipher.blindIndex(`block:${keys.block}`);
  const allowed = await geoPermission(tx, send.kind);
  const count = (
    column: 'phone_index' | 'ip' | 'prefix_index' | 'country',
    value: string,
    s: number,
  ) => countAllowedAttempts(tx, { column, value, since: since(now, s) });
  const dayStart = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()),
  ).toISOString();
  const history = {
    number: await count('phone_index', phoneIndex, limits.perNumber.windowSeconds),
    ip: send.ip ? await count('ip', send.ip, limits.perIp.windowSeconds) : 0,
    prefix: await count('prefix_index', prefixIndex, limits.perPrefix.windowSeconds),
    country: await count('country', country, limits.perCountry.windowSeconds),
    blockTails: await recentBlockTails(tx, {
      blockIndex,
      exceptPhoneIndex: phoneIndex,
      since: since(now, limits.burst.windowSeconds),
    }),
    spentToday: await spentSince(tx, dayStart),
  };
  const decision = decidePumping(
    { kind: send.kind, e164, country, segments: send.segments },
    history,
    { allowedCountries: allowed.countries, limits, now },
  );
  await insertPumpingAttempt(tx, {
    at: now.toISOString(),
    kind: send.kind,
    outcome: decision.allowed ? 'allowed' : 'blocked',
    reason: decision.allowed ? null : decision.reason,
    ip: send.ip,
    phone_index: phoneIndex,
    prefix_index: prefixIndex,
    block_index: blockIndex,
    tail: keys.tail,
    country,
    masked_phone: maskPhone(e164),
    cost: decision.allowed && send.billable !== false ? decision.cost : 0,
  });
  if (!decision.allowed) {
    ctx.logger.warn(
      { kind: send.kind, reason: decision.reason, country },
      'sms pumping defence refused a send',
    );
  }
  return decision;
}

/** The error a refused attempt answers with: 403 for a country, 429 for a limit. */
export function pumpingRefusal(
  decision: Extract<PumpingDecision, { allowed: false }>,
): HeraldError {
  const details = { reason: decision.reason, retryAfterSeconds: decision.retryAfterSeconds };
  return decision.reason === 'country_not_allowed'
    ? new HeraldError('DESTINATION_NOT_ALLOWED', undefined, details)
    : new HeraldError('SEND_LIMIT_REACHED', undefined, details);
}

/** How long attempts are kept: longer than any window, long enough for admins to look back. */
export const PUMPING_LEDGER_DAYS = 30;

/** Deletes ledger rows no limit counts any more and admins no longer need. */
export const pumpingPruneJob: Job = {
  name: 'pumping.prune',
  everyMs: 60 * 60_000,
  run: async (ctx, now) => {
    const windows = [
      ctx.config.pumping.perNumber,
      ctx.config.pumping.perIp,
      ctx.config.pumping.perPrefix,
      ctx.config.pumping.perCountry,
    ].map((w) => w.windowSeconds * 1000);
    const keepMs = Math.max(PUMPING_LEDGER_DAYS * 86_400_000, ...windows);
    const before = new Date(now.getTime() - keepMs).toISOString();
    return { prunedPumpingAttempts: await prunePumpingAttempts(ctx.store.db, before) };
  },
};
