/** /v1/attributes: the declared schema of custom contact attributes. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import {
  ATTRIBUTE_TYPES,
  checkAttributeSchema,
  type AttributeDefinition,
} from '../../core/attributes.js';
import { HeraldError } from '../../core/errors.js';
import { customAttributeSchema } from '../../contacts/attributes.js';
import {
  deleteAttributeDefinition,
  upsertAttributeDefinition,
} from '../../store/attribute-definitions.js';
import { actorOf } from '../../security/principal.js';
import { ErrorBody } from '../errors.js';

const BUILT_IN_NAMES = ['birth_year', 'age_band', 'city', 'region', 'gender', 'locale', 'tags'];
const Definition = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    type: Type.Union(ATTRIBUTE_TYPES.map((t) => Type.Literal(t))),
    required: Type.Optional(Type.Boolean()),
    values: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200 }),
    ),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export async function attributeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/attributes',
    {
      config: { permission: 'contacts:read' },
      schema: {
        tags: ['contacts'],
        summary: 'Declared custom attributes',
        response: { 200: Type.Object({ items: Type.Array(Definition) }), ...errors },
      },
    },
    async () => ({ items: [...(await customAttributeSchema(ctx.store.db))] as never[] }),
  );

  r.put(
    '/attributes/:name',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags: ['contacts'],
        summary: 'Declare or change a custom attribute',
        params: Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }) }),
        body: Type.Omit(Definition, ['name']),
        response: { 200: Definition, ...errors },
      },
    },
    async (request) => {
      const definition = { name: request.params.name, ...request.body } as AttributeDefinition;
      if (BUILT_IN_NAMES.includes(definition.name)) {
        throw new HeraldError('VALIDATION_FAILED', `${definition.name} is a built-in attribute`);
      }
      const problems = checkAttributeSchema([definition]);
      if (problems.length > 0)
        throw new HeraldError('VALIDATION_FAILED', problems[0]!.message, { errors: problems });
      await upsertAttributeDefinition(ctx.store.db, {
        name: definition.name,
        definition: JSON.stringify(definition),
        created_at: new Date().toISOString(),
      });
      await ctx.auditor.record({
        actor: actorOf(request.principal!),
        action: 'attribute.declare',
        target: `attribute:${definition.name}`,
        details: { ...definition },
      });
      return definition as never;
    },
  );

  r.delete(
    '/attributes/:name',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags: ['contacts'],
        summary: 'Remove a custom attribute declaration (stored values stay until changed)',
        params: Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }) }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      if (!(await deleteAttributeDefinition(ctx.store.db, request.params.name)))
        throw new HeraldError('NOT_FOUND');
      await ctx.auditor.record({
        actor: actorOf(request.principal!),
        action: 'attribute.remove',
        target: `attribute:${request.params.name}`,
      });
      return reply.status(204).send(null);
    },
  );
}
