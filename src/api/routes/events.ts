/** Behaviour events: batches in (`POST /v1/events`), and a contact's events out. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { EVENT_OUTCOMES, EVENT_REJECTIONS } from '../../core/events.js';
import { HeraldError } from '../../core/errors.js';
import { MAX_EVENTS_PER_BATCH, eventView, recordEvents } from '../../contacts/events.js';
import { getContact } from '../../contacts/contacts.js';
import { listContactEvents } from '../../store/events.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const ItemResult = Type.Object({
  index: Type.Integer(),
  outcome: Type.Enum(EVENT_OUTCOMES),
  reason: Type.Optional(Type.Enum(EVENT_REJECTIONS)),
  message: Type.Optional(Type.String()),
});

const EventView = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  occurredAt: Type.String(),
  receivedAt: Type.String(),
  properties: Type.Record(Type.String(), Type.Unknown()),
  idempotencyKey: Type.Union([Type.String(), Type.Null()]),
});

const ITEM_DOC = [
  'Each item: `{ type, contact, occurredAt, properties?, idempotencyKey? }`.',
  '`type` is `purchase` or a custom name; `contact` is `{ id }`, `{ externalId }` or',
  '`{ phone, country? }`; `properties` may hold `amount`, `currency` (ISO 4217), `category`,',
  '`sku` and any custom fields. Items are checked one by one: the answer lists, per item,',
  '`accepted`, `duplicate` (idempotency key already seen) or `rejected` with a reason.',
].join(' ');

// Cursor of the events list: `<occurredAt>_<id>` of the last event seen.
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_(\d+)$/;

export async function eventRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/events',
    {
      config: { permission: 'events:write' },
      schema: {
        tags: ['events'],
        summary: 'Record a batch of purchases and custom events',
        description: ITEM_DOC,
        body: Type.Object(
          {
            events: Type.Array(Type.Unknown(), {
              minItems: 1,
              maxItems: MAX_EVENTS_PER_BATCH,
              description: ITEM_DOC,
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            accepted: Type.Integer(),
            duplicates: Type.Integer(),
            rejected: Type.Integer(),
            results: Type.Array(ItemResult),
          }),
          ...errors,
        },
      },
    },
    async (request) => recordEvents(ctx, request.body.events, { now: new Date() }),
  );

  r.get(
    '/contacts/:id/events',
    {
      config: { permission: 'contacts:read' },
      schema: {
        tags: ['events'],
        summary: 'A contact’s events, newest first; page with `cursor`',
        params: Type.Object({ id: RowId() }),
        querystring: Type.Object({
          type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          cursor: Type.Optional(Type.String({ pattern: CURSOR.source })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(EventView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      await getContact(ctx, request.params.id);
      const q = request.query;
      let before: { occurredAt: string; id: number } | undefined;
      if (q.cursor) {
        const m = CURSOR.exec(q.cursor);
        if (!m) throw new HeraldError('VALIDATION_FAILED', 'Bad cursor');
        before = { occurredAt: m[1]!, id: Number(m[2]) };
      }
      const rows = await listContactEvents(ctx.store.db, {
        contactId: request.params.id,
        type: q.type,
        before,
        limit: q.limit,
      });
      const last = rows.length === q.limit ? rows[rows.length - 1] : undefined;
      return {
        items: rows.map(eventView),
        nextCursor: last ? `${last.occurred_at}_${last.id}` : null,
      };
    },
  );
}
