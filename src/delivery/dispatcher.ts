/**
 * The dispatcher: claims due messages from the outbox under a lease, decides them again at the
 * moment they leave (decide-batch.ts: the full decide() on fresh data, caps counted under the
 * numbers' locks), hands them to their routes (fence.ts, submit.ts: the opt-out fence,
 * fail-over, token buckets) and records what the carriers said (record-outcome.ts). Runs in the
 * worker as a short-interval job (`dispatchJob`); any number of workers on PostgreSQL share the
 * outbox.
 *
 * Everything happens per batch, in a few statements each: one transaction claims the batch, one
 * decides it, one fences and hands over its marketing; then every submission of the batch is in
 * flight at once, so a carrier's window stays full, and the outcomes are recorded as the answers
 * come, a few transactions for the batch (outcome-writer.ts: a crash must leave few unwritten;
 * a receipt that came before its id is held and applied in the same write). Within a batch,
 * messages to one number are decided and handed over in claim order; `drainOutbox` runs two
 * batches side by side so that the database works on one while the carrier answers the other.
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
import type { Carrier, OutgoingSms } from '../carriers/carrier.js';
import { loadPolicyOverrides, policyResolver } from '../compliance/policies.js';
import { parsePhone } from '../core/phone.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { Job } from '../jobs/scheduler.js';
import type { MessageRow } from '../store/messages.js';
import { ensureCarrierEvents } from './carrier-events.js';
import { claimBatch, giveBack } from './claims.js';
import { decideBatch } from './decide-batch.js';
import { fencedHandOff, fencedHandOffs } from './fence.js';
import { outcomeWriter } from './outcome-writer.js';
import { retryDelayMs } from './record-outcome.js';
import type { PolicyFor } from './recipients.js';
import { decideAndReserve, type Verdict } from './reserve.js';
import type { Route } from './routing.js';
import { sendSafely, submitThroughRoute, type SubmitOutcome } from './submit.js';

export { claimBatch, retryDelayMs };

export interface DispatchOptions {
  /** The instant the batch decides at (tests pass one; default: the clock). */
  readonly now?: Date;
  readonly limit?: number;
  /** How long a claim holds before another worker may take the message over. */
  readonly leaseMs?: number;
  /** Attempts (claims) after which a temporary failure becomes final. */
  readonly maxAttempts?: number;
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
  limit: 500,
  leaseMs: 60_000,
  maxAttempts: 5,
  /** Batches in flight at once in drainOutbox. */
  lanes: 2,
  /** How long one dispatch run drains before it lets the scheduler breathe. */
  maxRunMs: 10_000,
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

/** A claimed message with its route, paced and ready to be decided. */
interface Planned {
  readonly row: MessageRow;
  readonly route: Route;
  readonly sender: string | undefined;
  readonly first: Carrier | undefined;
}

function plan(ctx: AppContext, row: MessageRow): Planned {
  const route = ctx.router.routeFor(
    row.purpose as Purpose,
    countryOf(ctx, row),
    row.pinned_carrier,
  );
  return { row, route, sender: row.sender ?? route.sender, first: route.carriers[0] };
}

/**
 * Takes the first carrier's token for each message, in claim order, before the decision (so
 * that the decision and the hand-off follow each other at once). What the pacing pushes too
 * close to the end of the lease goes back to the outbox untouched.
 */
async function pace(
  ctx: AppContext,
  planned: readonly Planned[],
  batch: Batch,
): Promise<Planned[]> {
  const ready: Planned[] = [];
  for (const p of planned) {
    if (p.first && Date.now() < batch.giveBackAt) {
      await ctx.router.limiter.acquire(p.first.name, p.sender);
    }
    if (Date.now() >= batch.giveBackAt) {
      if (await giveBack(ctx, p.row, batch, {})) batch.counts.released += 1;
      continue;
    }
    ready.push(p);
  }
  return ready;
}

/** The decision of one message that made the batch's decision fail: decided alone. */
async function decideAlone(ctx: AppContext, p: Planned, batch: Batch): Promise<Verdict | null> {
  try {
    return await decideAndReserve(ctx, p.row, {
      now: batch.now,
      leaseUntil: batch.leaseUntil,
      policyFor: batch.policyFor,
      carrier: p.first?.name ?? null,
      sender: p.sender,
    });
  } catch (err) {
    ctx.logger.error({ messageId: p.row.id, err }, 'send decision failed');
    const retryAt = new Date(batch.now.getTime() + retryDelayMs(p.row.attempts)).toISOString();
    await giveBack(ctx, p.row, batch, { not_before: retryAt, error_code: 'DECISION_ERROR' });
    batch.counts.errors += 1;
    return null;
  }
}

async function decideAll(
  ctx: AppContext,
  planned: readonly Planned[],
  batch: Batch,
): Promise<Map<number, Verdict>> {
  const byId = new Map(planned.map((p) => [p.row.id, p]));
  try {
    return await decideBatch(
      ctx,
      planned.map((p) => p.row),
      {
        now: batch.now,
        leaseUntil: batch.leaseUntil,
        policyFor: batch.policyFor,
        routeOf: (row) => {
          const p = byId.get(row.id)!;
          return { carrier: p.first?.name ?? null, sender: p.sender };
        },
      },
    );
  } catch (err) {
    // One message's decision threw and took the batch's transaction with it: each alone, so
    // that only that one is given back with its error.
    ctx.logger.warn({ err, size: planned.length }, 'batch decision failed: deciding one by one');
    const verdicts = new Map<number, Verdict>();
    for (const p of planned) {
      const verdict = await decideAlone(ctx, p, batch);
      if (verdict) verdicts.set(p.row.id, verdict);
    }
    return verdicts;
  }
}

/**
 * Hands every message decided `send` to the first carrier of its route, at once and in claim
 * order: marketing to a contact behind the batch's opt-out fence (fence.ts), the rest directly.
 * Fail-over to the next carriers happens per message in submitThroughRoute. Each message's
 * outcome goes to `answered` as soon as it is known.
 */
async function handOver(
  ctx: AppContext,
  sending: readonly { p: Planned; e164: string }[],
  batch: Batch,
  answered: (p: Planned, outcome: SubmitOutcome) => void,
): Promise<void> {
  const items = sending.map(({ p, e164 }) => ({ p, sms: outgoing(p.row, e164, p.sender) }));
  const isFenced = (row: MessageRow) => row.purpose === 'marketing' && row.contact_id !== null;
  const fenced = await fencedHandOffs(
    ctx,
    items
      .filter(({ p }) => isFenced(p.row) && p.first)
      .map(({ p, sms }) => ({ row: p.row, carrier: p.first!, sms })),
    batch,
  );
  const started = items.map(({ p, sms }) => ({
    p,
    sms,
    first: !p.first ? undefined : isFenced(p.row) ? fenced.get(p.row.id) : sendSafely(p.first, sms),
  }));
  // Every first hand-off is under way; fail-overs follow claim order within each number.
  const byNumber = new Map<string, typeof started>();
  for (const item of started) {
    const group = byNumber.get(item.p.row.phone_index);
    if (group) group.push(item);
    else byNumber.set(item.p.row.phone_index, [item]);
  }
  await Promise.all(
    [...byNumber.values()].map(async (group) => {
      for (const { p, sms, first } of group) {
        const outcome = await submitThroughRoute(ctx, p.route, sms, {
          firstPaced: p.first !== undefined,
          ...(first ? { first } : {}),
          ...(isFenced(p.row) ? { handOff: fencedHandOff(ctx, p.row, batch) } : {}),
        });
        answered(p, outcome);
      }
    }),
  );
}

/** One batch: claim what is due, decide it all, hand it over, record every outcome. */
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
  const ready = await pace(
    ctx,
    rows.map((row) => plan(ctx, row)),
    batch,
  );
  const verdicts = await decideAll(ctx, ready, batch);
  const sending: { p: Planned; e164: string }[] = [];
  for (const p of ready) {
    const verdict = verdicts.get(p.row.id);
    if (!verdict) continue;
    switch (verdict.action) {
      case 'lost':
        counts.lost += 1;
        break;
      case 'defer':
        counts.deferred += 1;
        break;
      case 'block':
        counts.blocked += 1;
        ctx.logger.info(
          { messageId: p.row.id, kind: p.row.kind, reason: verdict.reason, detail: verdict.detail },
          'message blocked at send time',
        );
        break;
      case 'send':
        sending.push({ p, e164: verdict.e164 });
    }
  }
  const writer = outcomeWriter(ctx, { leaseUntil, now, maxAttempts: batch.maxAttempts });
  try {
    await handOver(ctx, sending, batch, (p, outcome) => {
      if (outcome.stopped) counts[outcome.stopped === 'lost' ? 'lost' : 'blocked'] += 1;
      else writer.add(p.row, outcome);
    });
  } catch (err) {
    // What the carriers already answered is written before the hand-over's error goes up.
    await writer.done().catch(() => undefined);
    throw err;
  }
  const kinds = await writer.done();
  for (const kind of kinds.values()) {
    if (kind === null) counts.lost += 1;
    else counts[kind] += 1;
  }
  return counts;
}

/**
 * Batches until nothing is due, `maxBatches` ran or `maxMs` passed (so a stop request is not
 * held up long), with `lanes` batches in flight at once.
 */
export async function drainOutbox(
  ctx: AppContext,
  opts: Omit<DispatchOptions, 'now'> & { maxBatches?: number; maxMs?: number; lanes?: number } = {},
): Promise<DispatchCounts> {
  const total = emptyCounts();
  const limit = opts.limit ?? DISPATCH_DEFAULTS.limit;
  const maxBatches = opts.maxBatches ?? 1_000;
  const until = Date.now() + (opts.maxMs ?? DISPATCH_DEFAULTS.maxRunMs);
  let batches = 0;
  let empty = false;
  const lane = async () => {
    while (!empty && batches < maxBatches && Date.now() < until) {
      batches += 1;
      const counts = await dispatchDue(ctx, { ...opts, limit, now: new Date() });
      for (const key of Object.keys(total) as (keyof DispatchCounts)[]) total[key] += counts[key];
      if (counts.claimed < limit) empty = true;
    }
  };
  await Promise.all(Array.from({ length: opts.lanes ?? DISPATCH_DEFAULTS.lanes }, lane));
  return total;
}

/**
 * The worker's delivery loop: several times a second, send whatever is due. Its first run also
 * connects the carriers' receipts and inbound messages to Herald (carrier-events.ts).
 */
export const dispatchJob: Job = {
  name: 'delivery.dispatch',
  everyMs: 200,
  run: async (ctx) => {
    ensureCarrierEvents(ctx);
    return { ...(await drainOutbox(ctx, { leaseMs: ctx.config.dispatchLeaseMs })) };
  },
};
