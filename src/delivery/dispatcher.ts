/**
 * The dispatcher: claims due messages from the outbox under a lease, decides each again at the
 * moment it leaves (reserve.ts: the full decide() on fresh data, caps counted under the number's
 * lock), hands it to its route (submit.ts: fail-over, token buckets) and records what the
 * carrier said (record-outcome.ts). Runs in the worker as a short-interval job (`dispatchJob`);
 * any number of workers on PostgreSQL share the outbox.
 *
 * Messages to one number are handled one after the other in a batch, different numbers
 * side by side (`concurrency`).
 *
 * Crash semantics. A worker that dies leaves its claims with a lease. When the lease runs out:
 *   - `sending` (claimed, not yet decided): no carrier has seen it, so it is claimed again,
 *     whatever its purpose;
 *   - `submitted` (handed to a carrier, no answer recorded): a marketing message ends `unknown`
 *     and is never sent again (the carrier may have it; marketing must never reach anyone twice);
 *     a transactional one is claimed again and re-sent with the same message id as the
 *     carrier's idempotency reference: at-least-once, deduplicated where the carrier can.
 */
import type { AppContext } from '../app-context.js';
import type { OutgoingSms } from '../carriers/carrier.js';
import { loadPolicyOverrides, policyResolver } from '../compliance/policies.js';
import { parsePhone } from '../core/phone.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { Job } from '../jobs/scheduler.js';
import type { MessageRow } from '../store/messages.js';
import { ensureCarrierEvents } from './carrier-events.js';
import { claimBatch, giveBack } from './claims.js';
import { fencedHandOff } from './fence.js';
import { recordOutcome, retryDelayMs } from './record-outcome.js';
import type { PolicyFor } from './recipients.js';
import { decideAndReserve, type Verdict } from './reserve.js';
import { submitThroughRoute } from './submit.js';

export { claimBatch, retryDelayMs };

export interface DispatchOptions {
  /** The instant the batch decides at (tests pass one; default: the clock). */
  readonly now?: Date;
  readonly limit?: number;
  /** How long a claim holds before another worker may take the message over. */
  readonly leaseMs?: number;
  /** Attempts (claims) after which a temporary failure becomes final. */
  readonly maxAttempts?: number;
  /** Numbers handled side by side. */
  readonly concurrency?: number;
}

export interface DispatchCounts {
  claimed: number;
  sent: number;
  failed: number;
  retried: number;
  deferred: number;
  blocked: number;
  /** Marketing messages ended `unknown`: no answer from the carrier. */
  unknown: number;
  /** Marketing messages whose worker lost its lease after handing them over: ended `unknown`. */
  abandoned: number;
  /** Outcomes not recorded because another worker took the claim over meanwhile. */
  lost: number;
  /** Claims given back unsent because the batch ran too close to the end of its lease. */
  released: number;
  /** Decisions that failed unexpectedly (queued again with back-off). */
  errors: number;
}

export const DISPATCH_DEFAULTS = {
  limit: 50,
  leaseMs: 60_000,
  maxAttempts: 5,
  concurrency: 8,
} as const;

const emptyCounts = (): DispatchCounts => ({
  claimed: 0,
  sent: 0,
  failed: 0,
  retried: 0,
  deferred: 0,
  blocked: 0,
  unknown: 0,
  abandoned: 0,
  lost: 0,
  released: 0,
  errors: 0,
});

interface Batch {
  readonly now: Date;
  readonly leaseUntil: string;
  readonly maxAttempts: number;
  readonly policyFor: PolicyFor;
  /** Real time after which claims still untouched are given back. */
  readonly giveBackAt: number;
  readonly counts: DispatchCounts;
}

function outgoing(row: MessageRow, e164: string, sender: string | undefined): OutgoingSms {
  const template = row.template ? (JSON.parse(row.template) as OutgoingSms['template']) : null;
  return {
    messageId: row.id,
    to: e164,
    body: row.body ?? '',
    purpose: row.purpose as Purpose,
    segments: row.segments,
    ...(sender ? { sender } : {}),
    ...(template ? { template } : {}),
  };
}

/** The destination country: recorded at enqueue (older rows: from the number). */
function countryOf(ctx: AppContext, row: MessageRow): string | null {
  if (row.country !== null || row.phone_enc === null) return row.country;
  const parsed = parsePhone(ctx.cipher.decrypt(row.phone_enc));
  return parsed.ok ? parsed.country : null;
}

async function deliverOne(ctx: AppContext, row: MessageRow, batch: Batch): Promise<void> {
  const { counts } = batch;
  const route = ctx.router.routeFor(
    row.purpose as Purpose,
    countryOf(ctx, row),
    row.pinned_carrier,
  );
  const sender = row.sender ?? route.sender;
  const first = route.carriers[0];
  // Paced before the decision, so that the decision and the hand-off follow each other at once.
  if (first && Date.now() < batch.giveBackAt) await ctx.router.limiter.acquire(first.name, sender);
  // Too close to the end of the lease (or paced past it): back to the outbox, untouched.
  if (Date.now() >= batch.giveBackAt) {
    if (await giveBack(ctx, row, batch, {})) counts.released += 1;
    return;
  }
  let verdict: Verdict;
  try {
    verdict = await decideAndReserve(ctx, row, {
      now: batch.now,
      leaseUntil: batch.leaseUntil,
      policyFor: batch.policyFor,
      carrier: first?.name ?? null,
      sender,
    });
  } catch (err) {
    ctx.logger.error({ messageId: row.id, err }, 'send decision failed');
    const retryAt = new Date(batch.now.getTime() + retryDelayMs(row.attempts)).toISOString();
    await giveBack(ctx, row, batch, { not_before: retryAt, error_code: 'DECISION_ERROR' });
    counts.errors += 1;
    return;
  }
  switch (verdict.action) {
    case 'lost':
      counts.lost += 1;
      return;
    case 'defer':
      counts.deferred += 1;
      return;
    case 'block':
      counts.blocked += 1;
      ctx.logger.info(
        { messageId: row.id, kind: row.kind, reason: verdict.reason, detail: verdict.detail },
        'message blocked at send time',
      );
      return;
  }
  // Marketing to a contact is handed over behind the opt-out fence (fence.ts).
  const fenced = row.purpose === 'marketing' && row.contact_id !== null;
  const outcome = await submitThroughRoute(ctx, route, outgoing(row, verdict.e164, sender), {
    firstPaced: first !== undefined,
    ...(fenced ? { handOff: fencedHandOff(ctx, row, batch) } : {}),
  });
  if (outcome.stopped) {
    counts[outcome.stopped === 'lost' ? 'lost' : 'blocked'] += 1;
    return;
  }
  const kind = await recordOutcome(ctx, row, outcome, {
    leaseUntil: batch.leaseUntil,
    now: batch.now,
    maxAttempts: batch.maxAttempts,
  });
  if (kind === null) counts.lost += 1;
  else counts[kind] += 1;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** One batch: claim what is due, decide, send, record each outcome. */
export async function dispatchDue(
  ctx: AppContext,
  opts: DispatchOptions = {},
): Promise<DispatchCounts> {
  const now = opts.now ?? new Date();
  const leaseMs = opts.leaseMs ?? DISPATCH_DEFAULTS.leaseMs;
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  const started = Date.now();
  const counts = emptyCounts();
  const { rows, abandoned } = await claimBatch(ctx, {
    now,
    leaseUntil,
    limit: opts.limit ?? DISPATCH_DEFAULTS.limit,
  });
  counts.abandoned = abandoned;
  counts.claimed = rows.length;
  if (rows.length === 0) return counts;
  const batch: Batch = {
    now,
    leaseUntil,
    maxAttempts: opts.maxAttempts ?? DISPATCH_DEFAULTS.maxAttempts,
    policyFor: policyResolver(await loadPolicyOverrides(ctx)),
    // A fifth of the lease is kept for the last hand-offs to be recorded in time.
    giveBackAt: started + leaseMs * 0.8,
    counts,
  };
  const byNumber = new Map<string, MessageRow[]>();
  for (const row of rows) {
    const group = byNumber.get(row.phone_index);
    if (group) group.push(row);
    else byNumber.set(row.phone_index, [row]);
  }
  await inPool(
    [...byNumber.values()],
    opts.concurrency ?? DISPATCH_DEFAULTS.concurrency,
    async (group) => {
      for (const row of group) await deliverOne(ctx, row, batch);
    },
  );
  return counts;
}

/** Batches until nothing is due or `maxBatches` ran (so a stop request is not held up long). */
export async function drainOutbox(
  ctx: AppContext,
  opts: Omit<DispatchOptions, 'now'> & { maxBatches?: number } = {},
): Promise<DispatchCounts> {
  const total = emptyCounts();
  const limit = opts.limit ?? DISPATCH_DEFAULTS.limit;
  for (let batch = 0; batch < (opts.maxBatches ?? 20); batch++) {
    const counts = await dispatchDue(ctx, { ...opts, limit, now: new Date() });
    for (const key of Object.keys(total) as (keyof DispatchCounts)[]) total[key] += counts[key];
    if (counts.claimed < limit) break;
  }
  return total;
}

/**
 * The worker's delivery loop: every second, send whatever is due. Its first run also connects
 * the carriers' receipts and inbound messages to Herald (carrier-events.ts).
 */
export const dispatchJob: Job = {
  name: 'delivery.dispatch',
  everyMs: 1_000,
  run: async (ctx) => {
    ensureCarrierEvents(ctx);
    return { ...(await drainOutbox(ctx, { leaseMs: ctx.config.dispatchLeaseMs })) };
  },
};
