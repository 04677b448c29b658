/** The audit trail, for compliance: query it and verify its chain. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { verifyAuditChain } from '../../security/audit.js';
import { queryAuditRows } from '../../store/audit-log.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const AuditEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
  ip: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

export async function auditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first; page with `before` (the last seq you saw)',
        querystring: Type.Object({
          action: Type.Optional(Type.String({ maxLength: 64 })),
          actor: Type.Optional(Type.String({ maxLength: 128 })),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
          before: Type.Optional(RowId()),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(AuditEntry),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await queryAuditRows(ctx.store.db, {
        action: q.action,
        actor: q.actor,
        since: q.since ? new Date(q.since).toISOString() : undefined,
        until: q.until ? new Date(q.until).toISOString() : undefined,
        beforeSeq: q.before,
        limit: q.limit,
      });
      return {
        items: rows.map((r) => ({ ...r, details: JSON.parse(r.details) as unknown })),
        nextBefore: rows.length === q.limit ? rows[rows.length - 1]!.seq : null,
      };
    },
  );

  r.get(
    '/audit/verify',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Verify the whole hash chain and name the first broken row',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            rows: Type.Integer(),
            firstBad: Type.Optional(
              Type.Object({ seq: Type.Integer(), problem: Type.String(), detail: Type.String() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => verifyAuditChain(ctx.store.db, ctx.auditKey),
  );
}
