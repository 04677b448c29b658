/** /v1/forms: sign-up forms for double opt-in (public key, marketing consent text, brand). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { createForm, listFormViews } from '../../contacts/forms.js';
import { actorOf } from '../../security/principal.js';
import { ErrorBody } from '../errors.js';
import { CountrySchema } from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

const FormView = Type.Object({
  id: Type.Integer(),
  key: Type.String({ description: 'the public key a sign-up page posts with' }),
  name: Type.String(),
  consentTextId: Type.Integer(),
  brand: Type.String(),
  defaultCountry: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody };

export async function formRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/forms',
    {
      config: { permission: 'forms:manage' },
      schema: {
        tags: ['forms'],
        summary: 'Create a sign-up form for double opt-in; its consent text must be for marketing',
        body: Type.Object(
          {
            key: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{6,64}$' })),
            name: Type.String({ minLength: 1, maxLength: 128 }),
            consentTextId: RowId(),
            brand: Type.String({
              minLength: 2,
              maxLength: 32,
              pattern: '^[^【】\\[\\]<>]+$',
              description: 'signs the confirmation SMS (in China as 【brand】)',
            }),
            defaultCountry: Type.Optional(CountrySchema),
          },
          { additionalProperties: false },
        ),
        response: { 201: FormView, ...errors },
      },
    },
    async (request, reply) => {
      const view = await createForm(ctx, request.body, actorOf(request.principal!));
      return reply.status(201).send(view);
    },
  );

  r.get(
    '/forms',
    {
      config: { permission: 'forms:manage' },
      schema: {
        tags: ['forms'],
        summary: 'List sign-up forms',
        response: { 200: Type.Object({ items: Type.Array(FormView) }), ...errors },
      },
    },
    async () => ({ items: await listFormViews(ctx) }),
  );
}
