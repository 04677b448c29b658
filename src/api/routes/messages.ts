/**
 * /v1/messages: send one SMS (decided at once: queued, deferred to the earliest lawful instant,
 * or recorded as blocked with the reason), look one up with its delivery history, list them.
 * Numbers leave masked. `Idempotency-Key`: the same key and request give the same message (200),
 * the same key with another request is refused (409).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { parseOrThrow } from '../../contacts/contacts.js';
import { HeraldError } from '../../core/errors.js';
import { decisionView, messageView } from '../../delivery/message-view.js';
import { MESSAGE_STATUSES } from '../../delivery/outbox.js';
import { sendMessage } from '../../delivery/send.js';
import { actorOf } from '../../security/principal.js';
import { listMessageEvents } from '../../store/message-events.js';
import { findMessage, listMessages } from '../../store/messages.js';
import { ErrorBody } from '../errors.js';
import { CountrySchema, PurposeSchema } from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
};
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const DecisionSchema = Type.Object({
  action: Type.Union([Type.Literal('send'), Type.Literal('defer'), Type.Literal('block')]),
  reason: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()),
  explanation: Type.Optional(Type.String()),
});

const MessageSchema = Type.Object({
  id: Type.Integer(),
  to: Nullable(Type.String({ description: 'masked, e.g. +86 138****8000; null once erased' })),
  contactId: Nullable(Type.Integer()),
  country: Nullable(Type.String()),
  purpose: Type.String(),
  kind: Type.String(),
  status: Type.Enum(MESSAGE_STATUSES),
  errorCode: Nullable(Type.String({ description: 'carrier error code or decision reason' })),
  body: Nullable(Type.String()),
  segments: Type.Integer(),
  sender: Nullable(Type.String()),
  carrier: Nullable(Type.String()),
  carrierMessageId: Nullable(Type.String()),
  campaignId: Nullable(Type.Integer()),
  notBefore: Type.String(),
  attempts: Type.Integer(),
  createdAt: Type.String(),
  sentAt: Nullable(Type.String()),
  deliveredAt: Nullable(Type.String()),
  decision: Nullable(DecisionSchema),
  history: Type.Optional(
    Type.Array(
      Type.Object({
        at: Type.String(),
        status: Type.String(),
        detail: Nullable(Type.String()),
        carrier: Nullable(Type.String()),
      }),
    ),
  ),
});

const SendBody = Type.Object(
  {
    to: Type.String({ minLength: 1, maxLength: 64 }),
    country: Type.Optional(CountrySchema),
    body: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
    template: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
    variables: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]),
      ),
    ),
    templateKey: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    purpose: PurposeSchema,
    sendAt: Type.Optional(Type.String({ format: 'date-time' })),
    sender: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    brand: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    oneTimeCode: Type.Optional(Type.Boolean()),
    trackLinks: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function messageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/messages',
    {
      config: { permission: 'messages:send' },
      schema: {
        tags: ['messages'],
        summary: 'Send an SMS: decided now (send, defer until when, or block and why), then queued',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        }),
        body: SendBody,
        response: {
          202: Type.Object({ message: MessageSchema, decision: DecisionSchema }),
          200: Type.Object({ message: MessageSchema, decision: Nullable(DecisionSchema) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const outcome = await sendMessage(ctx, request.body, {
        actor: actorOf(request.principal!),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      });
      const message = messageView(ctx, outcome.message);
      if (outcome.replayed) return reply.status(200).send({ message, decision: message.decision });
      const decision = decisionView(outcome.decision!, { country: outcome.message.country });
      return reply.status(202).send({ message, decision });
    },
  );

  r.get(
    '/messages/:id',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags: ['messages'],
        summary: 'One message (number masked) with its delivery history',
        params: Type.Object({ id: RowId() }),
        response: { 200: MessageSchema, ...errors },
      },
    },
    async (request) => {
      const row = await findMessage(ctx.store.db, request.params.id);
      if (!row) throw new HeraldError('NOT_FOUND', 'No such message');
      const history = await listMessageEvents(ctx.store.db, { messageId: row.id });
      return messageView(ctx, row, history);
    },
  );

  r.get(
    '/messages',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags: ['messages'],
        summary: 'Messages newest first, filtered; keyset paging with `before`',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(MESSAGE_STATUSES)),
          purpose: Type.Optional(PurposeSchema),
          contactId: Type.Optional(RowId()),
          to: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          toCountry: Type.Optional(CountrySchema),
          campaignId: Type.Optional(RowId()),
          carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          reason: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 64,
              description:
                'error code: a decision reason (no_consent, quiet_hours...) or a carrier code',
            }),
          ),
          since: Type.Optional(
            Type.String({ format: 'date-time', description: 'created at or after' }),
          ),
          until: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
          before: Type.Optional(RowId()),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(MessageSchema),
            nextBefore: Nullable(Type.Integer()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const phoneIndex = q.to
        ? ctx.cipher.blindIndex(parseOrThrow(q.to, q.toCountry ?? ctx.config.defaultCountry).e164)
        : undefined;
      const rows = await listMessages(ctx.store.db, {
        status: q.status,
        purpose: q.purpose,
        contactId: q.contactId,
        phoneIndex,
        campaignId: q.campaignId,
        carrier: q.carrier,
        reason: q.reason,
        since: q.since ? new Date(q.since).toISOString() : undefined,
        until: q.until ? new Date(q.until).toISOString() : undefined,
        beforeId: q.before,
        limit: q.limit,
      });
      return {
        items: rows.map((row) => messageView(ctx, row)),
        nextBefore: rows.length === q.limit ? rows.at(-1)!.id : null,
      };
    },
  );
}
