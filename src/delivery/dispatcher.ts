/**
 * The dispatcher: claims due messages from the outbox under a lease, checks each again at the
 * moment it leaves (an opt-out after queueing blocks it), hands it to its carrier and records
 * what the carrier said. Runs in the worker process as a short-interval job (`dispatchJob`).
 *
 * Crash semantics. A worker that dies between its claim and recording the result leaves the row
 * in `sending` with a lease. When the lease runs out:
 *   - a transactional message (confirmation, reply) is claimed again and sent: at-least-once,
 *     so after a crash in that narrow window the person may get a confirmation twice;
 *   - a marketing message ends as `unknown` and is never retried: the carrier may already have
 *     it, and marketing must never reach anyone twice (it may be lost instead; issue 5 narrows
 *     the window with carrier idempotency keys and receipts).
 */
import type { AppContext } from '../app-context.js';
import type { Carrier, SendResult } from '../carriers/carrier.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { Job } from '../jobs/scheduler.js';
import { currentConsents } from '../store/consents.js';
import {
  abandonExpiredMarketing,
  claimDueMessages,
  finishClaim,
  type MessagePatch,
  type MessageRow,
} from '../store/messages.js';
import { findSuppressions } from '../store/suppressions.js';
import { recheckAtSend } from './recheck.js';
import { bodyAfterSend } from './replies.js';

export interface DispatchOptions {
  /** The instant the batch runs at (tests pass one; default: the clock). */
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
  blocked: number;
  /** Marketing messages whose lease ran out: ended `unknown`. */
  abandoned: number;
  /** Outcomes not recorded because another worker took the claim over meanwhile. */
  lost: number;
}

export const DISPATCH_DEFAULTS = { limit: 50, leaseMs: 60_000, maxAttempts: 5 } as const;

const emptyCounts = (): DispatchCounts => ({
  claimed: 0,
  sent: 0,
  failed: 0,
  retried: 0,
  blocked: 0,
  abandoned: 0,
  lost: 0,
});

/** Back-off for temporary failures: 30 s, 1 min, 2 min, ... at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

type Outcome = 'sent' | 'failed' | 'retried' | 'blocked';

async function marketingConsentOf(ctx: AppContext, row: MessageRow): Promise<boolean | null> {
  if (row.purpose !== 'marketing' || row.contact_id === null) return null;
  const consents = await currentConsents(ctx.store.db, row.contact_id);
  const marketing = consents.find((c) => c.purpose === 'marketing');
  return marketing ? marketing.granted === 1 : null;
}

async function submit(carrier: Carrier, row: MessageRow, to: string): Promise<SendResult> {
  try {
    return await carrier.send({
      messageId: row.id,
      to,
      body: row.body ?? '',
      purpose: row.purpose as Purpose,
      segments: row.segments,
    });
  } catch (err) {
    // A carrier that throws has not told us it refused the message: treat it as temporary.
    return {
      status: 'failed',
      errorCode: 'CARRIER_ERROR',
      permanent: false,
      detail: (err as Error).message,
    };
  }
}

async function deliverOne(
  ctx: AppContext,
  row: MessageRow,
  now: Date,
  maxAttempts: number,
): Promise<{ outcome: Outcome; patch: MessagePatch }> {
  const check = recheckAtSend({
    purpose: row.purpose as Purpose,
    hasNumber: row.phone_enc !== null,
    suppressions: await findSuppressions(ctx.store.db, row.phone_index),
    marketingConsent: await marketingConsentOf(ctx, row),
  });
  if (check.action === 'block') {
    ctx.logger.info(
      { messageId: row.id, kind: row.kind, reason: check.reason, detail: check.detail },
      'message blocked at send time',
    );
    return { outcome: 'blocked', patch: { status: 'blocked', error_code: check.reason } };
  }
  const carrier = row.carrier ? ctx.carriers.get(row.carrier) : ctx.carriers.default();
  if (!carrier) {
    return { outcome: 'failed', patch: { status: 'failed', error_code: 'CARRIER_UNKNOWN' } };
  }
  const result = await submit(carrier, row, ctx.cipher.decrypt(row.phone_enc!));
  if (result.status === 'accepted') {
    return {
      outcome: 'sent',
      patch: {
        status: 'sent',
        carrier: carrier.name,
        carrier_message_id: result.carrierMessageId,
        error_code: null,
        sent_at: now.toISOString(),
      },
    };
  }
  ctx.logger.warn(
    { messageId: row.id, carrier: carrier.name, code: result.errorCode, attempt: row.attempts },
    'carrier refused a message',
  );
  if (result.permanent || row.attempts >= maxAttempts) {
    return {
      outcome: 'failed',
      patch: { status: 'failed', carrier: carrier.name, error_code: result.errorCode },
    };
  }
  return {
    outcome: 'retried',
    patch: {
      status: 'queued',
      error_code: result.errorCode,
      not_before: new Date(now.getTime() + retryDelayMs(row.attempts)).toISOString(),
    },
  };
}

/** One batch: claim what is due, send it, record each outcome. */
export async function dispatchDue(
  ctx: AppContext,
  opts: DispatchOptions = {},
): Promise<DispatchCounts> {
  const now = opts.now ?? new Date();
  const leaseUntil = new Date(
    now.getTime() + (opts.leaseMs ?? DISPATCH_DEFAULTS.leaseMs),
  ).toISOString();
  const db = ctx.store.db;
  const counts = emptyCounts();
  counts.abandoned = await abandonExpiredMarketing(db, { now: now.toISOString() });
  const rows = await claimDueMessages(db, {
    now: now.toISOString(),
    leaseUntil,
    limit: opts.limit ?? DISPATCH_DEFAULTS.limit,
  });
  counts.claimed = rows.length;
  for (const row of rows) {
    const { outcome, patch } = await deliverOne(
      ctx,
      row,
      now,
      opts.maxAttempts ?? DISPATCH_DEFAULTS.maxAttempts,
    );
    // A secret in the body (a confirmation link) is kept only until the message has left.
    if (outcome !== 'retried') patch.body = bodyAfterSend(row.kind, row.body);
    if (await finishClaim(db, { id: row.id, leaseUntil, patch })) counts[outcome] += 1;
    else counts.lost += 1;
  }
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

/** The worker's delivery loop: every second, send whatever is due. */
export const dispatchJob: Job = {
  name: 'delivery.dispatch',
  everyMs: 1_000,
  run: async (ctx) => ({ ...(await drainOutbox(ctx)) }),
};
