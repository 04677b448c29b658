/**
 * /v1/inbound: the inbox. What people texted back, newest first: the sender masked, the text
 * (any number written in it masked too), how Herald read it (its intent: opt-out, opt-in, help,
 * confirmation, other) and what Herald did with it (INBOUND_ACTIONS). Filtered by intent;
 * keyset paging with `before`.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { INBOUND_ACTIONS } from '../../contacts/inbound.js';
import { INBOUND_INTENTS } from '../../core/keywords.js';
import { maskPhone } from '../../core/phone.js';
import { redactPhones } from '../../core/redact.js';
import { listInbound, type InboundMessageRow } from '../../store/inbound.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const InboundSchema = Type.Object({
  id: Type.Integer(),
  from: Nullable(
    Type.String({ description: 'masked, e.g. +86 138****8000; null once erased (or unknown)' }),
  ),
  contactId: Nullable(Type.Integer()),
  intent: Type.Enum(INBOUND_INTENTS),
  action: Nullable(Type.Enum(INBOUND_ACTIONS, { description: 'null: not recorded' })),
  body: Nullable(
    Type.String({ description: 'numbers in it masked; null after the retention period' }),
  ),
  carrier: Type.String(),
  receivedAt: Type.String(),
});

function inboundView(ctx: AppContext, row: InboundMessageRow) {
  return {
    id: row.id,
    from: row.phone_enc ? maskPhone(ctx.cipher.decrypt(row.phone_enc)) : null,
    contactId: row.contact_id,
    intent: row.intent as (typeof INBOUND_INTENTS)[number],
    action: (row.action ?? null) as (typeof INBOUND_ACTIONS)[number] | null,
    body: row.body === null ? null : redactPhones(row.body),
    carrier: row.carrier,
    receivedAt: row.received_at,
  };
}

export async function inboundRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/inbound',
    {
      config: { permission: 'messages:read' },
      schema: {
        tags: ['messages'],
        summary: 'Inbound messages newest first (sender masked), by intent; paging with `before`',
        querystring: Type.Object({
          intent: Type.Optional(Type.Enum(INBOUND_INTENTS)),
          contactId: Type.Optional(RowId()),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
          before: Type.Optional(RowId()),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(InboundSchema),
            nextBefore: Nullable(Type.Integer()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listInbound(ctx.store.db, {
        intent: q.intent,
        contactId: q.contactId,
        since: q.since ? new Date(q.since).toISOString() : undefined,
        until: q.until ? new Date(q.until).toISOString() : undefined,
        beforeId: q.before,
        limit: q.limit,
      });
      return {
        items: rows.map((row) => inboundView(ctx, row)),
        nextBefore: rows.length === q.limit ? rows.at(-1)!.id : null,
      };
    },
  );
}
