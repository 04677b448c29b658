/**
 * /v1/suppressions: block or unblock a number by hand (audited, with a reason). The list holds
 * only blind indexes, so it can be shown but never turned back into numbers.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { redactPhones } from '../../core/redact.js';
import { getContact, parseOrThrow } from '../../contacts/contacts.js';
import { SUPPRESSION_REASONS, SUPPRESSION_SCOPES } from '../../contacts/suppression.js';
import {
  addSuppression,
  findSuppressions,
  listSuppressions,
  removeSuppression,
  type SuppressionPosition,
  type SuppressionRow,
} from '../../store/suppressions.js';
import { actorOf } from '../../security/principal.js';
import { ErrorBody } from '../errors.js';
import { CountrySchema } from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Scope = Type.Union(SUPPRESSION_SCOPES.map((s) => Type.Literal(s)));
const SuppressionView = Type.Object({
  ref: Type.String({ description: 'the first characters of the blind index' }),
  scope: Type.String(),
  reason: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
/** Cursors are opaque: the position they hold (a full blind index) is sealed with the field key. */
const CURSOR_AAD = 'suppressions-cursor';

function cursorOf(ctx: AppContext, row: SuppressionRow): string {
  const position: [string, string, string] = [row.created_at, row.phone_index, row.scope];
  return ctx.cipher.encrypt(JSON.stringify(position), CURSOR_AAD);
}

function positionOf(ctx: AppContext, cursor: string): SuppressionPosition {
  try {
    const [createdAt, phoneIndex, scope] = JSON.parse(
      ctx.cipher.decrypt(cursor, CURSOR_AAD),
    ) as string[];
    if (
      typeof createdAt === 'string' &&
      typeof phoneIndex === 'string' &&
      typeof scope === 'string'
    )
      return { createdAt, phoneIndex, scope };
  } catch {
    // fall through: not a cursor this server gave out
  }
  throw new HeraldError('VALIDATION_FAILED', 'Bad cursor: pass back a nextCursor as it came', {
    field: 'cursor',
  });
}

const NumberBody = {
  phone: Type.String({ minLength: 1, maxLength: 64 }),
  country: Type.Optional(CountrySchema),
  scope: Scope,
};

export async function suppressionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/suppressions',
    {
      config: { permission: 'suppressions:manage' },
      schema: {
        tags: ['suppressions'],
        summary:
          'The suppression list, newest first, by `reason` and `scope`; `phone` checks one number',
        description:
          'Page with `cursor`: pass the `nextCursor` of the last answer (null on the last page). `before` (a time) only bounds the list.',
        querystring: Type.Object({
          phone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          country: Type.Optional(CountrySchema),
          reason: Type.Optional(Type.Union(SUPPRESSION_REASONS.map((s) => Type.Literal(s)))),
          scope: Type.Optional(Scope),
          before: Type.Optional(Type.String({ format: 'date-time' })),
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(SuppressionView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = q.phone
        ? await findSuppressions(
            ctx.store.db,
            ctx.cipher.blindIndex(
              parseOrThrow(q.phone, q.country ?? ctx.config.defaultCountry).e164,
            ),
          )
        : await listSuppressions(ctx.store.db, {
            reason: q.reason,
            scope: q.scope,
            before: q.before,
            after: q.cursor === undefined ? undefined : positionOf(ctx, q.cursor),
            limit: q.limit,
          });
      const last = !q.phone && rows.length === q.limit ? rows[rows.length - 1] : undefined;
      return {
        nextCursor: last ? cursorOf(ctx, last) : null,
        items: rows.map((s) => ({
          ref: s.phone_index.slice(0, 10),
          scope: s.scope,
          reason: s.reason,
          note: s.note,
          createdBy: s.created_by,
          createdAt: s.created_at,
        })),
      };
    },
  );

  r.post(
    '/suppressions',
    {
      config: { permission: 'suppressions:manage' },
      schema: {
        tags: ['suppressions'],
        summary: 'Block a number, given in clear or as a contact id (audited)',
        description:
          'Send `phone` (any common writing, with `country` for national numbers) or `contactId` (a contact of the database, whose number the console only shows masked), not both.',
        body: Type.Object(
          {
            phone: Type.Optional(NumberBody.phone),
            country: NumberBody.country,
            contactId: Type.Optional(RowId()),
            scope: NumberBody.scope,
            reason: Type.Union(SUPPRESSION_REASONS.map((s) => Type.Literal(s))),
            note: Type.String({ minLength: 3, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ created: Type.Boolean() }), ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if ((b.phone === undefined) === (b.contactId === undefined)) {
        throw new HeraldError(
          'VALIDATION_FAILED',
          'Give the number either as phone or as contactId',
        );
      }
      const index =
        b.contactId !== undefined
          ? (await getContact(ctx, b.contactId)).phone_index
          : ctx.cipher.blindIndex(
              parseOrThrow(b.phone!, b.country ?? ctx.config.defaultCountry).e164,
            );
      const actor = actorOf(request.principal!);
      const created = await addSuppression(ctx.store.db, {
        phone_index: index,
        scope: b.scope,
        reason: b.reason,
        note: redactPhones(b.note),
        created_by: actor,
        created_at: new Date().toISOString(),
      });
      await ctx.auditor.record({
        actor,
        action: 'suppression.block',
        target: `suppression:${index.slice(0, 10)}`,
        details: {
          scope: b.scope,
          reason: b.reason,
          note: b.note,
          ...(b.contactId === undefined ? {} : { contactId: b.contactId }),
        },
        ip: request.ip,
      });
      return reply.status(201).send({ created });
    },
  );

  r.post(
    '/suppressions/unblock',
    {
      config: { permission: 'suppressions:manage' },
      schema: {
        tags: ['suppressions'],
        summary: 'Unblock a number (audited, with the reason)',
        body: Type.Object(
          { ...NumberBody, note: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ removed: Type.Boolean() }), ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const index = ctx.cipher.blindIndex(
        parseOrThrow(b.phone, b.country ?? ctx.config.defaultCountry).e164,
      );
      const existing = (await findSuppressions(ctx.store.db, index)).find(
        (s) => s.scope === b.scope,
      );
      if (!existing)
        throw new HeraldError('NOT_FOUND', 'This number is not suppressed in that scope');
      const removed = await removeSuppression(ctx.store.db, index, b.scope);
      await ctx.auditor.record({
        actor: actorOf(request.principal!),
        action: 'suppression.unblock',
        target: `suppression:${index.slice(0, 10)}`,
        details: { scope: b.scope, previousReason: existing.reason, note: b.note },
        ip: request.ip,
      });
      return { removed };
    },
  );
}
