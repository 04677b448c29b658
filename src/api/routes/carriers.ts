/**
 * /v1/carriers: the carrier accounts (Twilio, Tencent Cloud, Alibaba Cloud, SMPP, simulators)
 * Herald sends through. Admins only (`carriers:manage`). Secrets go in and never come out: the
 * answers say "set" or "not set". Every change is audited. Sending uses the accounts a process
 * started with (`active`); the webhooks of a stored account follow its changes at once.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { CARRIER_KINDS, CARRIER_NAME_PATTERN, CARRIER_TYPES } from '../../carriers/account-spec.js';
import {
  changeCarrierAccount,
  createCarrierAccount,
  getCarrierAccountView,
  listCarrierAccountViews,
  removeCarrierAccount,
  type CarrierAccountView,
} from '../../carriers/accounts.js';
import {
  clearRouting,
  readStoredRouting,
  routingFromConfig,
  saveRouting,
} from '../../carriers/routing-settings.js';
import { RoutingSchema } from '../../delivery/routing-config.js';
import { actorOf } from '../../security/principal.js';
import { ErrorBody } from '../errors.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const NameParams = Type.Object({ name: Type.String({ pattern: CARRIER_NAME_PATTERN }) });
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description: 'the type’s settings (see docs/carriers.md); no secrets here',
});
const Secret = Type.String({ minLength: 1, maxLength: 500 });

const CarrierView = Type.Object({
  name: Type.String(),
  type: Type.Enum(CARRIER_TYPES),
  enabled: Type.Boolean(),
  settings: Settings,
  secrets: Type.Record(Type.String(), Type.Union([Type.Literal('set'), Type.Literal('not set')])),
  webhooks: Type.Object({ receipts: Type.String(), inbound: Type.String() }),
  source: Type.Union([Type.Literal('database'), Type.Literal('config')]),
  active: Type.Boolean({
    description: 'sending through it in this process (changes apply at the next start)',
  }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});

const CarrierTypeView = Type.Object({
  type: Type.Enum(CARRIER_TYPES),
  settings: Type.Record(Type.String(), Type.Unknown(), {
    description: 'JSON Schema of the type’s settings (as POST /v1/carriers checks them)',
  }),
  secrets: Type.Array(Type.String(), { description: 'the secrets the type takes' }),
  requiredSecrets: Type.Array(Type.String()),
});

export async function carrierRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const shown = (view: CarrierAccountView) => ({
    ...view,
    active: ctx.carriers.get(view.name) !== undefined,
  });

  // Apart from /carriers/:name, so that no account name is taken by it.
  r.get(
    '/carrier-types',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary: 'What each carrier type takes: its settings (JSON Schema) and its secrets',
        response: { 200: Type.Object({ items: Type.Array(CarrierTypeView) }), ...errors },
      },
    },
    async () => ({
      items: CARRIER_TYPES.map((type) => {
        const kind = CARRIER_KINDS[type];
        return {
          type,
          // A plain JSON copy: the schema object carries TypeBox's own symbols.
          settings: JSON.parse(JSON.stringify(kind.settings)) as Record<string, unknown>,
          secrets: [...kind.secrets],
          requiredSecrets: [...kind.requiredSecrets],
        };
      }),
    }),
  );

  r.get(
    '/carriers',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary: 'The carrier accounts, secrets shown as set / not set',
        response: { 200: Type.Object({ items: Type.Array(CarrierView) }), ...errors },
      },
    },
    async () => ({ items: (await listCarrierAccountViews(ctx)).map(shown) }),
  );

  r.get(
    '/carriers/routing',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary: 'The stored routes, and whether HERALD_ROUTING overrides them',
        response: {
          200: Type.Object({
            routing: Type.Union([RoutingSchema, Type.Null()]),
            overriddenByConfig: Type.Boolean(),
          }),
          ...errors,
        },
      },
    },
    async () => ({
      routing: (await readStoredRouting(ctx.store.db)) ?? null,
      overriddenByConfig: routingFromConfig(ctx.config.routing),
    }),
  );

  r.put(
    '/carriers/routing',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary:
          'Store the routes per purpose and country, with fail-over and rates (used from the next start)',
        body: Type.Record(Type.String(), Type.Unknown(), {
          description: 'as HERALD_ROUTING: { routes: [...], rates: { carriers, senders } }',
        }),
        response: {
          200: Type.Object({ routing: RoutingSchema, overriddenByConfig: Type.Boolean() }),
          ...errors,
        },
      },
    },
    async (request) => ({
      routing: await saveRouting(ctx, request.body, actorOf(request.principal!)),
      overriddenByConfig: routingFromConfig(ctx.config.routing),
    }),
  );

  r.delete(
    '/carriers/routing',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary:
          'Forget the stored routes (everything through the simulator, unless HERALD_ROUTING)',
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await clearRouting(ctx, actorOf(request.principal!));
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/carriers/:name',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary: 'One carrier account',
        params: NameParams,
        response: { 200: CarrierView, ...errors },
      },
    },
    async (request) => shown(await getCarrierAccountView(ctx, request.params.name)),
  );

  r.post(
    '/carriers',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary: 'Add a carrier account (used for sending from the next start)',
        body: Type.Object(
          {
            name: Type.String({ pattern: CARRIER_NAME_PATTERN }),
            type: Type.String({ description: CARRIER_TYPES.join(', ') }),
            enabled: Type.Optional(Type.Boolean()),
            settings: Type.Optional(Settings),
            secrets: Type.Optional(Type.Record(Type.String(), Secret)),
          },
          { additionalProperties: false },
        ),
        response: { 201: CarrierView, ...errors },
      },
    },
    async (request, reply) => {
      const view = await createCarrierAccount(ctx, request.body, actorOf(request.principal!));
      return reply.status(201).send(shown(view));
    },
  );

  r.patch(
    '/carriers/:name',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary:
          'Change a carrier account: settings replace the old ones; a secret set to null is removed',
        params: NameParams,
        body: Type.Object(
          {
            enabled: Type.Optional(Type.Boolean()),
            settings: Type.Optional(Settings),
            secrets: Type.Optional(Type.Record(Type.String(), Type.Union([Secret, Type.Null()]))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: CarrierView, ...errors },
      },
    },
    async (request) =>
      shown(
        await changeCarrierAccount(
          ctx,
          request.params.name,
          request.body,
          actorOf(request.principal!),
        ),
      ),
  );

  r.delete(
    '/carriers/:name',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['carriers'],
        summary: 'Remove a carrier account (routes naming it must change first)',
        params: NameParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await removeCarrierAccount(ctx, request.params.name, actorOf(request.principal!));
      return reply.status(204).send(null);
    },
  );
}
