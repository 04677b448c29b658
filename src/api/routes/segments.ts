/**
 * /v1/segments: saved segments (create, list, get, update, delete) and live previews, the count
 * and a sample whose numbers are always masked. Writing needs `segments:write`; reading needs
 * `contacts:read` or `campaigns:read`, and only `contacts:read` sees the sample (an analyst gets
 * aggregates only). Filters are checked by src/core/segments.ts, whose errors name the place in
 * the tree (code SEGMENT_INVALID); see docs/segments.md for the filter language.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { CONDITION_KINDS } from '../../core/segments.js';
import {
  MAX_SAMPLE,
  changeSavedSegment,
  createSavedSegment,
  getSavedSegment,
  listSavedSegments,
  previewSavedSegment,
  previewSegment,
  removeSavedSegment,
  segmentView,
} from '../../contacts/segments.js';
import { actorOf, hasPermission } from '../../security/principal.js';
import { requirePermission } from '../auth-plugin.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const FILTER_DOC = [
  'A filter tree: `{ "and": [...] }`, `{ "or": [...] }`, `{ "not": {...} }` or a condition',
  `with \`kind\` one of ${CONDITION_KINDS.join(', ')}.`,
  'Example: `{ "and": [{ "kind": "country", "in": ["CN"] }, { "kind": "age_band",',
  '"in": ["25-34"] }, { "kind": "purchase", "withinDays": 30 }] }`. See docs/segments.md.',
].join(' ');

// The tree is recursive and its errors must name the place in it, so its shape is checked by the
// core (checkSegmentFilter, typebox schemas per condition) rather than by one union schema here.
const Filter = Type.Unknown({ description: FILTER_DOC });

const SegmentView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  filter: Type.Unknown({ description: 'the filter in normal form' }),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedBy: Type.String(),
  updatedAt: Type.String(),
});

const Preview = Type.Object({
  count: Type.Integer({ description: 'active contacts that match, now' }),
  sample: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.Integer(),
        phone: Type.String({ description: 'masked, e.g. +86 138****8000' }),
        country: Type.Union([Type.String(), Type.Null()]),
        region: Type.Union([Type.String(), Type.Null()]),
        ageBand: Type.Union([Type.String(), Type.Null()]),
      }),
      { description: 'the newest matching contacts; only with contacts:read' },
    ),
  ),
});

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Description = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]);
const IdParams = Type.Object({ id: RowId() });
const SampleSize = Type.Integer({ minimum: 0, maximum: MAX_SAMPLE, default: 10 });

/** Reading needs contacts:read or campaigns:read; the answer says whether a sample may be shown. */
async function canRead(ctx: AppContext, request: FastifyRequest): Promise<{ sample: boolean }> {
  const principal = request.principal;
  if (!principal) throw new HeraldError('UNAUTHENTICATED');
  if (hasPermission(principal, 'contacts:read')) return { sample: true };
  if (hasPermission(principal, 'campaigns:read')) return { sample: false };
  await requirePermission(ctx, request, 'contacts:read');
  return { sample: false };
}

export async function segmentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Before the input is validated: a caller who may not read segments learns nothing (403).
  const readGuard = async (request: FastifyRequest) => {
    await canRead(ctx, request);
  };

  r.post(
    '/segments/preview',
    {
      // A read: checked in the handler (contacts:read or campaigns:read).
      config: { permission: 'authenticated' },
      preValidation: readGuard,
      schema: {
        tags: ['segments'],
        summary: 'Live count and a masked sample of a filter',
        body: Type.Object({ filter: Filter, sample: SampleSize }, { additionalProperties: false }),
        response: { 200: Preview, ...errors },
      },
    },
    async (request) => {
      const { sample } = await canRead(ctx, request);
      return previewSegment(ctx, request.body.filter, {
        now: new Date(),
        sampleSize: sample ? request.body.sample : 0,
      });
    },
  );

  r.get(
    '/segments',
    {
      config: { permission: 'authenticated' },
      preValidation: readGuard,
      schema: {
        tags: ['segments'],
        summary: 'Saved segments in id order; page with `afterId`',
        querystring: Type.Object({
          afterId: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(SegmentView),
            nextAfterId: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      await canRead(ctx, request);
      const items = await listSavedSegments(ctx, request.query);
      const last = items.length === request.query.limit ? items[items.length - 1] : undefined;
      return { items, nextAfterId: last ? last.id : null };
    },
  );

  r.post(
    '/segments',
    {
      config: { permission: 'segments:write' },
      schema: {
        tags: ['segments'],
        summary: 'Save a segment',
        body: Type.Object(
          { name: Name, description: Type.Optional(Description), filter: Filter },
          { additionalProperties: false },
        ),
        response: { 201: SegmentView, ...errors },
      },
    },
    async (request, reply) => {
      const view = await createSavedSegment(ctx, request.body, actorOf(request.principal!));
      return reply.status(201).send(view);
    },
  );

  r.get(
    '/segments/:id',
    {
      config: { permission: 'authenticated' },
      preValidation: readGuard,
      schema: {
        tags: ['segments'],
        summary: 'One saved segment',
        params: IdParams,
        response: { 200: SegmentView, ...errors },
      },
    },
    async (request) => {
      await canRead(ctx, request);
      return segmentView(await getSavedSegment(ctx, request.params.id));
    },
  );

  r.get(
    '/segments/:id/count',
    {
      config: { permission: 'authenticated' },
      preValidation: readGuard,
      schema: {
        tags: ['segments'],
        summary: 'Live count (and masked sample) of a saved segment',
        params: IdParams,
        querystring: Type.Object({
          sample: Type.Integer({ minimum: 0, maximum: MAX_SAMPLE, default: 0 }),
        }),
        response: { 200: Preview, ...errors },
      },
    },
    async (request) => {
      const { sample } = await canRead(ctx, request);
      return previewSavedSegment(ctx, request.params.id, {
        now: new Date(),
        sampleSize: sample ? request.query.sample : 0,
      });
    },
  );

  r.patch(
    '/segments/:id',
    {
      config: { permission: 'segments:write' },
      schema: {
        tags: ['segments'],
        summary: 'Change a saved segment’s name, description or filter',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            filter: Type.Optional(Filter),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SegmentView, ...errors },
      },
    },
    async (request) =>
      changeSavedSegment(ctx, request.params.id, request.body, actorOf(request.principal!)),
  );

  r.delete(
    '/segments/:id',
    {
      config: { permission: 'segments:write' },
      schema: {
        tags: ['segments'],
        summary: 'Delete a saved segment (refused while another segment names it)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await removeSavedSegment(ctx, request.params.id, actorOf(request.principal!));
      return reply.status(204).send(null);
    },
  );
}
