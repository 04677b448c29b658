/**
 * /v1/abuse: the SMS pumping defence as admins see it (`settings:manage`). Geo-permissions per
 * kind of stranger-triggered traffic (which destination countries a sign-up confirmation or a
 * one-time code may go to), and the recent blocked attempts with masked numbers and reasons.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { geoPermission, setGeoPermission } from '../../abuse/geo-permissions.js';
import { PUMPING_REASONS, STRANGER_SEND_KINDS } from '../../core/pumping.js';
import { actorOf } from '../../security/principal.js';
import { listBlockedAttempts } from '../../store/pumping.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Kind = Type.Enum(STRANGER_SEND_KINDS);
const Country = Type.String({ pattern: '^[A-Z]{2}$' });
const GeoView = Type.Object({
  kind: Kind,
  countries: Type.Array(Type.String()),
  source: Type.Union([Type.Literal('default'), Type.Literal('custom')]),
});
const BlockedView = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  kind: Type.String(),
  reason: Type.String(),
  country: Type.String(),
  phone: Type.String({ description: 'masked' }),
  ip: Type.Union([Type.String(), Type.Null()]),
});

export async function abuseRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { permission: 'settings:manage' } as const;

  r.get(
    '/abuse/geo-permissions',
    {
      config,
      schema: {
        tags: ['abuse'],
        summary:
          'Destination countries each kind of stranger-triggered SMS may go to (default: the countries of the policy packs)',
        response: { 200: Type.Object({ items: Type.Array(GeoView) }), ...errors },
      },
    },
    async () => ({
      items: await Promise.all(STRANGER_SEND_KINDS.map((k) => geoPermission(ctx.store.db, k))),
    }),
  );

  r.put(
    '/abuse/geo-permissions/:kind',
    {
      config,
      schema: {
        tags: ['abuse'],
        summary: 'Replace the allowed destination countries of a kind (audited)',
        params: Type.Object({ kind: Kind }),
        body: Type.Object(
          { countries: Type.Array(Country, { maxItems: 300 }) },
          { additionalProperties: false },
        ),
        response: { 200: GeoView, ...errors },
      },
    },
    async (request) =>
      setGeoPermission(
        ctx,
        request.params.kind,
        request.body.countries,
        actorOf(request.principal!),
      ),
  );

  r.delete(
    '/abuse/geo-permissions/:kind',
    {
      config,
      schema: {
        tags: ['abuse'],
        summary: 'Back to the default countries (those of the policy packs; audited)',
        params: Type.Object({ kind: Kind }),
        response: { 200: GeoView, ...errors },
      },
    },
    async (request) =>
      setGeoPermission(ctx, request.params.kind, null, actorOf(request.principal!)),
  );

  r.get(
    '/abuse/blocked',
    {
      config,
      schema: {
        tags: ['abuse'],
        summary: 'Recent blocked attempts, newest first, numbers masked',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            before: Type.Optional(RowId()),
            kind: Type.Optional(Kind),
            reason: Type.Optional(Type.Enum(PUMPING_REASONS)),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(BlockedView),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listBlockedAttempts(ctx.store.db, {
        limit: q.limit,
        ...(q.before !== undefined ? { beforeId: q.before } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        ...(q.reason !== undefined ? { reason: q.reason } : {}),
      });
      return {
        items: rows.map((row) => ({
          id: row.id,
          at: row.at,
          kind: row.kind,
          reason: row.reason ?? 'unknown',
          country: row.country,
          phone: row.masked_phone,
          ip: row.ip,
        })),
        nextBefore: rows.length === q.limit ? rows.at(-1)!.id : null,
      };
    },
  );
}
