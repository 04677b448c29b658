/**
 * The webhook delivery job: claims due deliveries under a lease, POSTs each signed event to its
 * endpoint (through ./outbound-http.ts, the one door for such calls), and records the attempt:
 * 2xx ends it delivered; network errors, timeouts, 408, 429 and 5xx retry with exponential
 * back-off and jitter (about a day in all); other answers end it failed at once. An endpoint that
 * keeps failing is switched off (audited) until an admin turns it on again; its deliveries wait.
 *
 * Delivery is at least once: a worker that dies after sending but before recording leaves the
 * claim to run out, and the event goes again with the same `Herald-Delivery` id. Order between
 * events is not kept; receivers order by `createdAt`.
 */
import type { AppContext } from '../app-context.js';
import {
  attemptVerdict,
  nextDeliveryStep,
  parseRetryAfter,
  shouldDisableEndpoint,
  webhookSignature,
  WEBHOOK_AUTO_DISABLE,
  WEBHOOK_RETRY_POLICY,
  type AutoDisablePolicy,
  type RetryPolicy,
} from '../core/webhooks.js';
import type { Job } from '../jobs/scheduler.js';
import {
  claimDueWebhookDeliveries,
  disableWebhookEndpoint,
  finishWebhookDelivery,
  findWebhookEndpoint,
  insertWebhookAttempt,
  pruneWebhookDeliveries,
  recordEndpointOutcome,
  type NewWebhookAttemptRow,
  type WebhookDeliveryPatch,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '../store/webhooks.js';
import { signingSecrets } from './endpoints.js';
import {
  OUTBOUND_DEFAULTS,
  postJson,
  type OutboundLimits,
  type OutboundResult,
} from './outbound-http.js';

export interface WebhookDeliveryOptions {
  /** The instant the batch runs at (tests pass one; default: the clock). */
  readonly now?: Date;
  readonly batchSize?: number;
  readonly maxBatches?: number;
  /** How long a claim holds; longer than the request deadline, so a live worker keeps it. */
  readonly leaseMs?: number;
  readonly limits?: OutboundLimits;
  readonly retry?: RetryPolicy;
  readonly autoDisable?: AutoDisablePolicy;
  /** Ended deliveries are deleted after this many days. */
  readonly keepDays?: number;
  readonly random?: () => number;
}

export const WEBHOOK_DELIVERY_DEFAULTS = {
  batchSize: 25,
  maxBatches: 20,
  leaseMs: 60_000,
  keepDays: 30,
} as const;

export interface WebhookDeliveryCounts {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
  /** Outcomes not recorded because another worker took the claim over meanwhile. */
  lost: number;
  /** Endpoints switched off in this run after failing too long. */
  disabled: number;
  pruned: number;
}

const emptyCounts = (): WebhookDeliveryCounts => ({
  claimed: 0,
  delivered: 0,
  retried: 0,
  failed: 0,
  lost: 0,
  disabled: 0,
  pruned: 0,
});

const ACTOR = 'system:webhooks';

function summary(result: OutboundResult): { statusCode: number | null; error: string | null } {
  if (result.kind === 'response') {
    const ok = result.status >= 200 && result.status < 300;
    return { statusCode: result.status, error: ok ? null : `HTTP ${result.status}` };
  }
  return { statusCode: null, error: `${result.kind}: ${result.error}` };
}

async function send(
  ctx: AppContext,
  row: WebhookDeliveryRow,
  endpoint: WebhookEndpointRow,
  now: Date,
  limits: OutboundLimits,
): Promise<OutboundResult> {
  const body = row.body ?? '';
  // Signed at the moment it leaves (not the batch instant): receivers compare it with their clock.
  const signature = webhookSignature(signingSecrets(ctx, endpoint, now), Date.now() / 1000, body);
  return postJson(
    ctx.outbound,
    endpoint.url,
    body,
    { 'herald-event': row.event_type, 'herald-delivery': row.id, 'herald-signature': signature },
    limits,
  );
}

type Outcome = 'delivered' | 'retried' | 'failed' | 'lost';

interface AttemptSettings {
  readonly now: Date;
  readonly leaseUntil: string;
  readonly limits: OutboundLimits;
  readonly retry: RetryPolicy;
  readonly autoDisable: AutoDisablePolicy;
  readonly random: () => number;
}

/**
 * Records an attempt in one transaction, if the claim still holds: the delivery's new state, the
 * attempt log, the endpoint's failure streak, and switching the endpoint off when it is time.
 */
async function recordAttempt(
  ctx: AppContext,
  o: AttemptSettings,
  a: {
    readonly row: WebhookDeliveryRow;
    readonly endpointId: number;
    readonly patch: WebhookDeliveryPatch;
    readonly attempt: NewWebhookAttemptRow;
  },
): Promise<{ disabled: boolean; failures: number } | null> {
  return ctx.store.db.transaction().execute(async (tx) => {
    const held = await finishWebhookDelivery(tx, {
      id: a.row.id,
      leaseUntil: o.leaseUntil,
      patch: a.patch,
    });
    if (!held) return null;
    await insertWebhookAttempt(tx, a.attempt);
    const ok = a.attempt.verdict === 'delivered';
    const streak = await recordEndpointOutcome(tx, { id: a.endpointId, ok, at: a.attempt.at });
    if (ok || !streak) return { disabled: false, failures: 0 };
    const due = shouldDisableEndpoint(
      {
        consecutiveFailures: streak.consecutive_failures,
        failingSince: streak.failing_since,
        now: o.now,
      },
      o.autoDisable,
    );
    const disabled =
      due &&
      (await disableWebhookEndpoint(tx, { id: a.endpointId, reason: 'failing', at: a.attempt.at }));
    return { disabled, failures: streak.consecutive_failures };
  });
}

async function attemptOne(
  ctx: AppContext,
  row: WebhookDeliveryRow,
  endpoint: WebhookEndpointRow,
  o: AttemptSettings,
): Promise<{ outcome: Outcome; disabled: boolean }> {
  const result = await send(ctx, row, endpoint, o.now, o.limits);
  const verdict = attemptVerdict(result);
  const step = nextDeliveryStep(
    {
      attempt: row.attempts,
      verdict,
      now: o.now,
      random: o.random(),
      retryAfterSeconds: result.kind === 'response' ? parseRetryAfter(result.retryAfter) : null,
    },
    o.retry,
  );
  const at = o.now.toISOString();
  const { statusCode, error } = summary(result);
  const patch: WebhookDeliveryPatch = {
    status: step.status,
    last_status_code: statusCode,
    last_error: error,
    ...(step.status === 'pending'
      ? { next_attempt_at: step.nextAttemptAt.toISOString() }
      : // Ended: the event's content is not kept longer than it is needed.
        { finished_at: at, body: null }),
  };
  const recorded = await recordAttempt(ctx, o, {
    row,
    endpointId: endpoint.id,
    patch,
    attempt: {
      delivery_id: row.id,
      attempt: row.attempts,
      at,
      status_code: statusCode,
      duration_ms: result.durationMs,
      error,
      verdict,
      response_excerpt: result.kind === 'response' && result.excerpt ? result.excerpt : null,
    },
  });
  if (!recorded) return { outcome: 'lost', disabled: false };
  if (step.status === 'failed') {
    ctx.logger.warn(
      {
        webhookId: endpoint.id,
        deliveryId: row.id,
        attempts: row.attempts,
        statusCode,
        error,
        reason: step.reason,
      },
      'webhook delivery failed',
    );
  }
  if (recorded.disabled) {
    ctx.logger.warn(
      { webhookId: endpoint.id, failures: recorded.failures },
      'webhook endpoint switched off after failing too long',
    );
    await ctx.auditor.record({
      actor: ACTOR,
      action: 'webhook.disable',
      target: `webhook:${endpoint.id}`,
      details: { reason: 'failing', consecutiveFailures: recorded.failures },
    });
  }
  const outcome: Outcome = step.status === 'pending' ? 'retried' : step.status;
  return { outcome, disabled: recorded.disabled };
}

/** One batch: claim what is due, send it all at once, record each attempt. */
export async function deliverWebhookBatch(
  ctx: AppContext,
  opts: WebhookDeliveryOptions = {},
): Promise<WebhookDeliveryCounts> {
  const now = opts.now ?? new Date();
  const leaseUntil = new Date(
    now.getTime() + (opts.leaseMs ?? WEBHOOK_DELIVERY_DEFAULTS.leaseMs),
  ).toISOString();
  const counts = emptyCounts();
  const rows = await claimDueWebhookDeliveries(ctx.store.db, {
    now: now.toISOString(),
    leaseUntil,
    limit: opts.batchSize ?? WEBHOOK_DELIVERY_DEFAULTS.batchSize,
  });
  counts.claimed = rows.length;
  const endpoints = new Map<number, WebhookEndpointRow | undefined>();
  for (const id of new Set(rows.map((r) => r.endpoint_id))) {
    endpoints.set(id, await findWebhookEndpoint(ctx.store.db, id));
  }
  const o: AttemptSettings = {
    now,
    leaseUntil,
    limits: opts.limits ?? OUTBOUND_DEFAULTS,
    retry: opts.retry ?? WEBHOOK_RETRY_POLICY,
    autoDisable: opts.autoDisable ?? WEBHOOK_AUTO_DISABLE,
    random: opts.random ?? Math.random,
  };
  const outcomes = await Promise.all(
    rows.map(async (row) => {
      const endpoint = endpoints.get(row.endpoint_id);
      // Deleted since the claim: its deliveries went with it.
      if (!endpoint) return { outcome: 'lost' as const, disabled: false };
      return attemptOne(ctx, row, endpoint, o);
    }),
  );
  for (const { outcome, disabled } of outcomes) {
    counts[outcome] += 1;
    if (disabled) counts.disabled += 1;
  }
  return counts;
}

/** Batches until nothing is due or `maxBatches` ran, then deletes long-ended deliveries. */
export async function deliverDueWebhooks(
  ctx: AppContext,
  opts: WebhookDeliveryOptions = {},
): Promise<WebhookDeliveryCounts> {
  const total = emptyCounts();
  const batchSize = opts.batchSize ?? WEBHOOK_DELIVERY_DEFAULTS.batchSize;
  for (let batch = 0; batch < (opts.maxBatches ?? WEBHOOK_DELIVERY_DEFAULTS.maxBatches); batch++) {
    const counts = await deliverWebhookBatch(ctx, {
      ...opts,
      batchSize,
      now: opts.now ?? new Date(),
    });
    for (const key of Object.keys(total) as (keyof WebhookDeliveryCounts)[])
      total[key] += counts[key];
    if (counts.claimed < batchSize) break;
  }
  const now = opts.now ?? new Date();
  const keepDays = opts.keepDays ?? WEBHOOK_DELIVERY_DEFAULTS.keepDays;
  total.pruned = await pruneWebhookDeliveries(ctx.store.db, {
    before: new Date(now.getTime() - keepDays * 86_400_000).toISOString(),
    limit: 1000,
  });
  return total;
}

/** The worker's webhook loop: every two seconds, send whatever is due. */
export const webhookDeliveryJob: Job = {
  name: 'webhooks.deliver',
  everyMs: 2_000,
  run: async (ctx) => ({ ...(await deliverDueWebhooks(ctx)) }),
};
