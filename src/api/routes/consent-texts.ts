/** /v1/consent-texts: the exact wording shown when consent was given, versioned and hashed. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { hashConsentText } from '../../contacts/consent.js';
import {
  findConsentText,
  insertConsentText,
  latestConsentText,
  listConsentTexts,
  type ConsentTextRow,
} from '../../store/consents.js';
import { actorOf } from '../../security/principal.js';
import { ErrorBody } from '../errors.js';
import { PurposeSchema } from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

const ConsentTextView = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  version: Type.Integer(),
  purpose: Type.String(),
  locale: Type.String(),
  body: Type.String(),
  hash: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

function view(r: ConsentTextRow) {
  return {
    id: r.id,
    key: r.key,
    version: r.version,
    purpose: r.purpose,
    locale: r.locale,
    body: r.body,
    hash: r.hash,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export async function consentTextRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/consent-texts',
    {
      config: { permission: 'consent:write' },
      schema: {
        tags: ['consent'],
        summary: 'Publish a consent text; the same key gets the next version, old versions stay',
        body: Type.Object(
          {
            key: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
            purpose: PurposeSchema,
            locale: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }),
            body: Type.String({ minLength: 10, maxLength: 5000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ConsentTextView, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const latest = await latestConsentText(ctx.store.db, b.key);
      if (latest && latest.purpose !== b.purpose) {
        throw new HeraldError(
          'VALIDATION_FAILED',
          `Consent text ${b.key} is for ${latest.purpose}`,
          { field: 'purpose' },
        );
      }
      const actor = actorOf(request.principal!);
      const row = await insertConsentText(ctx.store.db, {
        key: b.key,
        version: (latest?.version ?? 0) + 1,
        purpose: b.purpose,
        locale: b.locale,
        body: b.body,
        hash: hashConsentText(b.body),
        created_by: actor,
        created_at: new Date().toISOString(),
      });
      await ctx.auditor.record({
        actor,
        action: 'consent_text.publish',
        target: `consent_text:${row.id}`,
        details: { key: row.key, version: row.version, hash: row.hash },
      });
      return reply.status(201).send(view(row));
    },
  );

  r.get(
    '/consent-texts',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['consent'],
        summary: 'Every version of every consent text',
        response: { 200: Type.Object({ items: Type.Array(ConsentTextView) }), ...errors },
      },
    },
    async () => ({ items: (await listConsentTexts(ctx.store.db)).map(view) }),
  );

  r.get(
    '/consent-texts/:id',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['consent'],
        summary: 'One version',
        params: Type.Object({ id: RowId() }),
        response: { 200: ConsentTextView, ...errors },
      },
    },
    async (request) => {
      const row = await findConsentText(ctx.store.db, request.params.id);
      if (!row) throw new HeraldError('NOT_FOUND', 'No such consent text');
      return view(row);
    },
  );
}
