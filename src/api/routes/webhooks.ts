/**
 * /v1/webhooks: endpoints in the customer's own systems that receive signed events (see
 * docs/webhooks.md). Admins only (`settings:manage`). The signing secret appears in exactly two
 * answers, creation and rotation, and nowhere else.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import {
  ATTEMPT_VERDICTS,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_DISABLED_REASONS,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_URL_MAX_LENGTH,
} from '../../core/webhooks.js';
import { actorOf } from '../../security/principal.js';
import { webhookDeliveries } from '../../webhooks/delivery-log.js';
import {
  changeWebhook,
  createWebhook,
  getWebhook,
  listWebhooks,
  PREVIOUS_SECRET_HOURS,
  removeWebhook,
  rotateWebhookSecret,
  webhookView,
} from '../../webhooks/endpoints.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const IdParams = Type.Object({ id: RowId() });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const EventTypes = Type.Array(Type.Enum(WEBHOOK_EVENT_TYPES), {
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length,
  uniqueItems: true,
});
const Url = Type.String({
  minLength: 8,
  maxLength: WEBHOOK_URL_MAX_LENGTH,
  description: 'absolute http(s) URL, without user name or password',
});
const Description = Type.String({ maxLength: 500 });

const WebhookView = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  description: Nullable(Type.String()),
  events: Type.Array(Type.Enum(WEBHOOK_EVENT_TYPES)),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.Enum(WEBHOOK_DISABLED_REASONS)),
  disabledAt: Nullable(Type.String()),
  consecutiveFailures: Type.Integer(),
  lastSuccessAt: Nullable(Type.String()),
  lastFailureAt: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const SecretField = Type.String({
  description: 'shown once; keep it, Herald never shows it again',
});

const AttemptView = Type.Object({
  attempt: Type.Integer(),
  at: Type.String(),
  statusCode: Nullable(Type.Integer()),
  durationMs: Type.Integer(),
  error: Nullable(Type.String()),
  verdict: Type.Enum(ATTEMPT_VERDICTS),
  response: Nullable(Type.String({ description: 'the start of the answer, numbers masked' })),
});
const DeliveryView = Type.Object({
  id: Type.String({ description: 'the Herald-Delivery header' }),
  eventId: Type.String(),
  eventType: Type.Enum(WEBHOOK_EVENT_TYPES),
  status: Type.Enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: Type.Integer(),
  createdAt: Type.String(),
  nextAttemptAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  history: Type.Array(AttemptView),
});

export async function webhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { permission: 'settings:manage' } as const;

  r.post(
    '/webhooks',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Add an endpoint; the answer holds its signing secret, shown this once',
        body: Type.Object(
          { url: Url, events: EventTypes, description: Type.Optional(Description) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Intersect([WebhookView, Type.Object({ secret: SecretField })]),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { view, secret } = await createWebhook(ctx, request.body, actorOf(request.principal!));
      return reply.status(201).send({ ...view, secret });
    },
  );

  r.get(
    '/webhooks',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'List endpoints',
        response: { 200: Type.Object({ items: Type.Array(WebhookView) }), ...errors },
      },
    },
    async () => ({ items: await listWebhooks(ctx) }),
  );

  r.get(
    '/webhooks/:id',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'One endpoint',
        params: IdParams,
        response: { 200: WebhookView, ...errors },
      },
    },
    async (request) => webhookView(await getWebhook(ctx, request.params.id)),
  );

  r.patch(
    '/webhooks/:id',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary:
          'Change URL, events or description; enable (forgets the failure streak) or disable',
        params: IdParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            events: Type.Optional(EventTypes),
            description: Type.Optional(Nullable(Description)),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: WebhookView, ...errors },
      },
    },
    async (request) =>
      changeWebhook(ctx, request.params.id, request.body, actorOf(request.principal!)),
  );

  r.delete(
    '/webhooks/:id',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Delete an endpoint with its pending deliveries and log',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await removeWebhook(ctx, request.params.id, actorOf(request.principal!));
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/webhooks/:id/rotate-secret',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'A new signing secret, shown this once; the old one also signs for a while',
        params: IdParams,
        querystring: Type.Object({
          previousSecretHours: Type.Integer({
            minimum: 0,
            maximum: 168,
            default: PREVIOUS_SECRET_HOURS,
            description: 'how long the old secret keeps signing (0: it stops now)',
          }),
        }),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            secret: SecretField,
            previousSecretValidUntil: Nullable(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (request) =>
      rotateWebhookSecret(ctx, request.params.id, request.query, actorOf(request.principal!)),
  );

  r.get(
    '/webhooks/:id/deliveries',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Recent deliveries, newest first, with every attempt (status, duration, error)',
        params: IdParams,
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(WEBHOOK_DELIVERY_STATUSES)),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(DeliveryView) }), ...errors },
      },
    },
    async (request) => ({
      items: await webhookDeliveries(ctx, request.params.id, request.query),
    }),
  );
}
