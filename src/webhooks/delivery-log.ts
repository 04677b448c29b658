/**
 * What admins see of an endpoint's deliveries: status, attempts with status code, duration and
 * error, and the start of each answer. Never the event's content or the signing secret.
 */
import type { AppContext } from '../app-context.js';
import type { AttemptVerdict, WebhookDeliveryStatus, WebhookEventType } from '../core/webhooks.js';
import { listWebhookAttempts, listWebhookDeliveries } from '../store/webhooks.js';
import { getWebhook } from './endpoints.js';

export interface WebhookAttemptView {
  readonly attempt: number;
  readonly at: string;
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly verdict: AttemptVerdict;
  readonly response: string | null;
}

export interface WebhookDeliveryView {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: WebhookEventType;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly createdAt: string;
  /** When the next attempt is due (pending deliveries only). */
  readonly nextAttemptAt: string | null;
  readonly finishedAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly history: WebhookAttemptView[];
}

/** The newest deliveries of an endpoint, each with its attempts in order. */
export async function webhookDeliveries(
  ctx: AppContext,
  endpointId: number,
  opts: { readonly limit: number; readonly status?: WebhookDeliveryStatus },
): Promise<WebhookDeliveryView[]> {
  await getWebhook(ctx, endpointId);
  const db = ctx.store.db;
  const rows = await listWebhookDeliveries(db, { endpointId, ...opts });
  const attempts = await listWebhookAttempts(db, { deliveryIds: rows.map((r) => r.id) });
  return rows.map((row) => ({
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type as WebhookEventType,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
    finishedAt: row.finished_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    history: attempts
      .filter((a) => a.delivery_id === row.id)
      .map((a) => ({
        attempt: a.attempt,
        at: a.at,
        statusCode: a.status_code,
        durationMs: a.duration_ms,
        error: a.error,
        verdict: a.verdict as AttemptVerdict,
        response: a.response_excerpt,
      })),
  }));
}
