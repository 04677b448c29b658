/**
 * Webhook endpoints: where the customer's systems want events. The signing secret is made here,
 * shown once (on creation and on each rotation) and kept only encrypted; every change is audited.
 * After a rotation the previous secret keeps signing for a while (a second `v1=` in the header),
 * so a receiver can switch secrets without dropping events.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import { checkOutboundUrl } from '../core/outbound-address.js';
import {
  checkWebhookUrl,
  WEBHOOK_EVENT_TYPES,
  type WebhookDisabledReason,
  type WebhookEventType,
} from '../core/webhooks.js';
import {
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpoints,
  updateWebhookEndpoint,
  type WebhookEndpointPatch,
  type WebhookEndpointRecord,
  type WebhookEndpointRow,
} from '../store/webhooks.js';

export interface WebhookInput {
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly description?: string | null;
}

export interface WebhookChange {
  readonly url?: string;
  readonly events?: readonly WebhookEventType[];
  readonly description?: string | null;
  /** True turns an endpoint on again (and forgets its failure streak); false turns it off. */
  readonly enabled?: boolean;
}

export interface WebhookView {
  readonly id: number;
  readonly url: string;
  readonly description: string | null;
  readonly events: WebhookEventType[];
  readonly enabled: boolean;
  readonly disabledReason: WebhookDisabledReason | null;
  readonly disabledAt: string | null;
  readonly consecutiveFailures: number;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WebhookSecret {
  readonly id: number;
  /** Shown this once; Herald keeps it encrypted and never returns it again. */
  readonly secret: string;
  readonly previousSecretValidUntil: string | null;
}

/** How long the previous secret still signs after a rotation, unless the caller says otherwise. */
export const PREVIOUS_SECRET_HOURS = 24;

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** Events in the order of the closed list, each once. */
function canonicalEvents(events: readonly string[]): WebhookEventType[] {
  return WEBHOOK_EVENT_TYPES.filter((t) => events.includes(t));
}

function checkedUrl(ctx: AppContext, raw: string): string {
  const checked = checkWebhookUrl(raw);
  if (!checked.ok) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      'The webhook URL must be an absolute http(s) URL without user name or password',
      { field: 'url', problem: checked.problem },
    );
  }
  // The SSRF rules, as far as they can be checked without a look-up (address literals, metadata
  // names, localhost); names are resolved and checked again at every send.
  const safe = checkOutboundUrl(checked.url, ctx.config.outboundAllowHosts);
  if (!safe.ok) {
    throw new HeraldError('OUTBOUND_ADDRESS_REFUSED', undefined, {
      field: 'url',
      problem: safe.problem,
      range: safe.range,
    });
  }
  return checked.url;
}

function checkedEvents(events: readonly string[]): WebhookEventType[] {
  const known = canonicalEvents(events);
  if (known.length === 0 || known.length !== new Set(events).size) {
    throw new HeraldError('VALIDATION_FAILED', 'Name one or more known event types', {
      field: 'events',
      known: WEBHOOK_EVENT_TYPES,
    });
  }
  return known;
}

/** The URL as the audit trail keeps it: no query string (it may carry a receiver's token). */
function urlForAudit(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export function webhookView(row: WebhookEndpointRecord): WebhookView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: canonicalEvents(row.events),
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason as WebhookDisabledReason | null,
    disabledAt: row.disabled_at,
    consecutiveFailures: row.consecutive_failures,
    lastSuccessAt: row.last_success_at,
    lastFailureAt: row.last_failure_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The secrets that sign a request to this endpoint now: the current one, and the previous while it lasts. */
export function signingSecrets(ctx: AppContext, row: WebhookEndpointRow, now: Date): string[] {
  const secrets = [ctx.cipher.decrypt(row.secret_enc)];
  if (
    row.previous_secret_enc &&
    row.previous_secret_until &&
    row.previous_secret_until > now.toISOString()
  ) {
    secrets.push(ctx.cipher.decrypt(row.previous_secret_enc));
  }
  return secrets;
}

export async function getWebhook(ctx: AppContext, id: number): Promise<WebhookEndpointRecord> {
  const row = await findWebhookEndpoint(ctx.store.db, id);
  if (!row) throw new HeraldError('NOT_FOUND', `No webhook endpoint ${id}`);
  return row;
}

export async function listWebhooks(ctx: AppContext): Promise<WebhookView[]> {
  return (await listWebhookEndpoints(ctx.store.db)).map(webhookView);
}

export async function createWebhook(
  ctx: AppContext,
  input: WebhookInput,
  actor: string,
): Promise<{ view: WebhookView; secret: string }> {
  const url = checkedUrl(ctx, input.url);
  const events = checkedEvents(input.events);
  const secret = newSecret();
  const now = new Date().toISOString();
  const row = await ctx.store.db.transaction().execute((tx) =>
    insertWebhookEndpoint(tx, {
      row: {
        url,
        description: input.description ?? null,
        secret_enc: ctx.cipher.encrypt(secret),
        previous_secret_enc: null,
        previous_secret_until: null,
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
        consecutive_failures: 0,
        failing_since: null,
        last_success_at: null,
        last_failure_at: null,
        created_by: actor,
        created_at: now,
        updated_at: now,
      },
      events,
    }),
  );
  await ctx.auditor.record({
    actor,
    action: 'webhook.create',
    target: `webhook:${row.id}`,
    details: { url: urlForAudit(url), events },
  });
  return { view: webhookView(row), secret };
}

export async function changeWebhook(
  ctx: AppContext,
  id: number,
  change: WebhookChange,
  actor: string,
): Promise<WebhookView> {
  const before = await getWebhook(ctx, id);
  const now = new Date().toISOString();
  const patch: WebhookEndpointPatch = { updated_at: now };
  if (change.url !== undefined) patch.url = checkedUrl(ctx, change.url);
  if (change.description !== undefined) patch.description = change.description;
  if (change.enabled === true && before.enabled !== 1) {
    Object.assign(patch, {
      enabled: 1,
      disabled_reason: null,
      disabled_at: null,
      consecutive_failures: 0,
      failing_since: null,
    });
  } else if (change.enabled === false && before.enabled === 1) {
    Object.assign(patch, { enabled: 0, disabled_reason: 'manual', disabled_at: now });
  }
  const events = change.events === undefined ? undefined : checkedEvents(change.events);
  const row = await ctx.store.db
    .transaction()
    .execute((tx) => updateWebhookEndpoint(tx, { id, patch, events }));
  if (!row) throw new HeraldError('NOT_FOUND', `No webhook endpoint ${id}`);
  await ctx.auditor.record({
    actor,
    action: 'webhook.update',
    target: `webhook:${id}`,
    details: {
      ...(patch.url ? { url: urlForAudit(patch.url) } : {}),
      ...(events ? { events } : {}),
      ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
      ...(change.description === undefined ? {} : { description: true }),
    },
  });
  return webhookView(row);
}

export async function removeWebhook(ctx: AppContext, id: number, actor: string): Promise<void> {
  const row = await getWebhook(ctx, id);
  if (!(await deleteWebhookEndpoint(ctx.store.db, id))) {
    throw new HeraldError('NOT_FOUND', `No webhook endpoint ${id}`);
  }
  await ctx.auditor.record({
    actor,
    action: 'webhook.delete',
    target: `webhook:${id}`,
    details: { url: urlForAudit(row.url) },
  });
}

/** A new secret, shown once; the previous one keeps signing for `previousSecretHours` (0: stops now). */
export async function rotateWebhookSecret(
  ctx: AppContext,
  id: number,
  opts: { readonly previousSecretHours?: number },
  actor: string,
): Promise<WebhookSecret> {
  const before = await getWebhook(ctx, id);
  const hours = opts.previousSecretHours ?? PREVIOUS_SECRET_HOURS;
  const now = new Date();
  const until = hours > 0 ? new Date(now.getTime() + hours * 3_600_000).toISOString() : null;
  const secret = newSecret();
  await updateWebhookEndpoint(ctx.store.db, {
    id,
    patch: {
      secret_enc: ctx.cipher.encrypt(secret),
      previous_secret_enc: until ? before.secret_enc : null,
      previous_secret_until: until,
      updated_at: now.toISOString(),
    },
  });
  await ctx.auditor.record({
    actor,
    action: 'webhook.rotate_secret',
    target: `webhook:${id}`,
    details: { previousSecretValidUntil: until },
  });
  return { id, secret, previousSecretValidUntil: until };
}
