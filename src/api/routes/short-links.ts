/**
 * `/s/<code>` (public redirect), `/v1/links` (create tracked links, read their clicks) and
 * `/v1/contacts/:id/clicks` (one contact's clicks, for its page in the console).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { isValidShortCode } from '../../core/content/links.js';
import { createShortLink, followShortLink, shortUrl } from '../../campaigns/short-links.js';
import { getContact } from '../../contacts/contacts.js';
import { clickStats, findShortLink, listContactClicks } from '../../store/short-links.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Stats = Type.Object({ total: Type.Integer(), unique: Type.Integer(), bots: Type.Integer() });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
const ClickView = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  code: Type.String(),
  target: Type.String(),
  messageId: Nullable(Type.Integer()),
  campaignId: Nullable(Type.Integer()),
  variant: Nullable(Type.String()),
  bot: Type.Boolean({ description: 'a link-preview bot, not a person' }),
});

/** The public redirect, outside /v1. Unknown codes get a plain 404, never a redirect. */
export async function shortLinkRedirect(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    '/s/:code',
    {
      schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 64 }) }) },
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { code } = request.params as { code: string };
      const outcome = isValidShortCode(code)
        ? await followShortLink(ctx, code, {
            ip: request.ip,
            userAgent: request.headers['user-agent'],
          })
        : ({ found: false } as const);
      if (!outcome.found) {
        return reply
          .status(404)
          .type('text/plain; charset=utf-8')
          .send('This link does not exist or has expired.');
      }
      reply.header('cache-control', 'no-store');
      reply.header('referrer-policy', 'no-referrer');
      return reply.redirect(outcome.target, 302);
    },
  );
}

export async function linkRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/links',
    {
      config: { permission: 'templates:write' },
      schema: {
        tags: ['links'],
        summary: 'Make a tracked short link to an allowed domain',
        body: Type.Object(
          {
            target: Type.String({ minLength: 8, maxLength: 2048 }),
            campaignId: Type.Optional(RowId()),
            variant: Type.Optional(Type.String({ maxLength: 32 })),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ code: Type.String(), url: Type.String(), target: Type.String() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const link = await createShortLink(ctx, b.target, {
        campaignId: b.campaignId,
        variant: b.variant,
        expiresAt: b.expiresAt ? new Date(b.expiresAt) : null,
      });
      return reply
        .status(201)
        .send({ code: link.code, url: shortUrl(ctx, link.code), target: link.target });
    },
  );

  r.get(
    '/links/:code',
    {
      config: { permission: 'reports:read' },
      schema: {
        tags: ['links'],
        summary: 'Clicks on one link: total and unique by people, bots counted apart',
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        response: {
          200: Type.Object({ code: Type.String(), target: Type.String(), clicks: Stats }),
          ...errors,
        },
      },
    },
    async (request) => {
      const link = await findShortLink(ctx.store.db, request.params.code);
      if (!link) throw new HeraldError('NOT_FOUND', 'No such link');
      return {
        code: link.code,
        target: link.target,
        clicks: await clickStats(ctx.store.db, { code: link.code }),
      };
    },
  );

  r.get(
    '/contacts/:id/clicks',
    {
      config: { permission: 'contacts:read' },
      schema: {
        tags: ['links'],
        summary: 'A contact’s clicks on its tracked links, newest first; page with `before`',
        params: Type.Object({ id: RowId() }),
        querystring: Type.Object({
          before: Type.Optional(RowId()),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(ClickView),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      await getContact(ctx, request.params.id);
      const { before, limit } = request.query;
      const rows = await listContactClicks(ctx.store.db, {
        contactId: request.params.id,
        beforeId: before,
        limit,
      });
      return {
        items: rows.map((c) => ({
          id: c.id,
          at: c.at,
          code: c.code,
          target: c.target,
          messageId: c.message_id,
          campaignId: c.campaign_id,
          variant: c.variant,
          bot: c.is_bot === 1,
        })),
        nextBefore: rows.length === limit ? rows.at(-1)!.id : null,
      };
    },
  );
}
