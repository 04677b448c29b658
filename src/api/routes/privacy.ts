/**
 * Data-subject rights: export (`POST /v1/privacy/export`) and erasure (`POST /v1/privacy/erase`,
 * `DELETE /v1/contacts/:id`). Both audited; the export is the only answer that carries the clear
 * number, needs contacts:reveal besides contacts:export, and it is marked not to be cached.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { eraseSubject, exportSubject, type SubjectRef } from '../../contacts/privacy.js';
import { actorOf } from '../../security/principal.js';
import { requirePermission } from '../auth-plugin.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Reason = Type.Optional(
  Type.String({ minLength: 3, maxLength: 500, description: 'Why (kept in the audit trail)' }),
);

const SubjectBody = Type.Union([
  Type.Object(
    {
      phone: Type.String({ minLength: 1, maxLength: 64 }),
      country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
      reason: Reason,
    },
    { additionalProperties: false },
  ),
  Type.Object({ contactId: RowId(), reason: Reason }, { additionalProperties: false }),
]);
type SubjectBody = Static<typeof SubjectBody>;

const Row = Type.Record(Type.String(), Type.Unknown());
const ExportDocument = Type.Object({
  format: Type.String(),
  generatedAt: Type.String(),
  subject: Type.Object({ phone: Type.String(), found: Type.Boolean() }),
  contact: Type.Union([Row, Type.Null()]),
  consent: Type.Object({ current: Type.Array(Row), history: Type.Array(Row) }),
  suppressions: Type.Array(Row),
  messages: Type.Array(Row),
  inboundMessages: Type.Array(Row),
  events: Type.Array(Row),
  links: Type.Array(Row),
  conversions: Type.Array(Row),
  importLines: Type.Array(Row),
  pendingSubscriptions: Type.Array(Row),
});

const ErasureAnswer = Type.Object({
  contactId: Type.Union([Type.Integer(), Type.Null()]),
  counts: Type.Record(Type.String(), Type.Integer()),
});

function subjectOf(body: SubjectBody): SubjectRef {
  return 'contactId' in body
    ? { contactId: body.contactId }
    : { phone: body.phone, country: body.country };
}

export async function privacyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/privacy/export',
    {
      config: { permission: 'contacts:export' },
      schema: {
        tags: ['privacy'],
        summary: 'Everything held on a number (data-subject access request), with the clear number',
        description:
          'By `{ phone, country? }` or `{ contactId }`. Audited with the caller, the subject and the reason.',
        body: SubjectBody,
        response: { 200: ExportDocument, ...errors },
      },
    },
    async (request, reply) => {
      // The export carries the clear number and everything held on it: a reveal as well.
      await requirePermission(ctx, request, 'contacts:reveal');
      const doc = await exportSubject(ctx, subjectOf(request.body), {
        actor: actorOf(request.principal!),
        reason: request.body.reason,
        ip: request.ip,
      });
      reply.header('cache-control', 'no-store');
      return doc;
    },
  );

  r.post(
    '/privacy/erase',
    {
      config: { permission: 'contacts:erase' },
      schema: {
        tags: ['privacy'],
        summary: 'Erase the personal data held on a number; keeps only its suppression hash',
        description:
          'Deletes the contact, its consent ledger and events; strips number, body and contact from its messages; deletes pending sign-ups; adds a marketing suppression (reason `erased`). Answers with counts.',
        body: SubjectBody,
        response: { 200: ErasureAnswer, ...errors },
      },
    },
    async (request) =>
      eraseSubject(ctx, subjectOf(request.body), {
        actor: actorOf(request.principal!),
        reason: request.body.reason,
        ip: request.ip,
      }),
  );

  r.delete(
    '/contacts/:id',
    {
      config: { permission: 'contacts:erase' },
      schema: {
        tags: ['privacy', 'contacts'],
        summary: 'Delete a contact: the same erasure as POST /v1/privacy/erase',
        params: Type.Object({ id: RowId() }),
        querystring: Type.Object({ reason: Reason }),
        response: { 200: ErasureAnswer, ...errors },
      },
    },
    async (request) =>
      eraseSubject(
        ctx,
        { contactId: request.params.id },
        {
          actor: actorOf(request.principal!),
          reason: request.query.reason ?? 'contact deleted',
          ip: request.ip,
        },
      ),
  );
}
