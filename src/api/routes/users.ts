/** Users and API keys, for admins. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { PERMISSIONS, ROLES, isRole, permissionsOf } from '../../core/roles.js';
import {
  assertPasswordAcceptable,
  createApiKey,
  createUser,
  endAllSessions,
  publicApiKey,
  publicUser,
  revokeKey,
  rotateKey,
} from '../../security/auth.js';
import { resetLoginFailures } from '../../security/login-guard.js';
import { hashPassword } from '../../security/passwords.js';
import { actorOf, hasPermission } from '../../security/principal.js';
import { listApiKeys } from '../../store/api-keys.js';
import { deleteSessionsOfUser } from '../../store/sessions.js';
import { findUserById, listUsers, updateUser } from '../../store/users.js';
import { requirePermission } from '../auth-plugin.js';
import { ErrorBody } from '../errors.js';
import { UserView } from './auth.js';
import { RowId } from '../../core/row-id.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const ScopeSchema = Type.Union(PERMISSIONS.map((p) => Type.Literal(p)));
const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  previousSecretValidUntil: Type.Union([Type.String(), Type.Null()]),
});
const KeyId = Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z]{12}$' }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export async function userRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // Who gives a person a role or a key its scopes needs to see what each one allows.
  r.get(
    '/roles',
    {
      config: { permission: 'authenticated' },
      preValidation: async (request: FastifyRequest) => {
        const p = request.principal;
        if (p && (hasPermission(p, 'users:manage') || hasPermission(p, 'apikeys:manage'))) return;
        await requirePermission(ctx, request, 'users:manage');
      },
      schema: {
        tags: ['users'],
        summary:
          'The roles and the permissions of each (needs users:manage or apikeys:manage); permissions are also the scopes of API keys',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                role: Type.Enum(ROLES),
                permissions: Type.Array(Type.Enum(PERMISSIONS)),
              }),
            ),
            permissions: Type.Array(Type.Enum(PERMISSIONS)),
          }),
          ...errors,
        },
      },
    },
    async () => ({
      items: ROLES.map((role) => ({ role, permissions: [...permissionsOf(role)] })),
      permissions: [...PERMISSIONS],
    }),
  );

  r.get(
    '/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'List users',
        response: { 200: Type.Object({ items: Type.Array(UserView) }), ...errors },
      },
    },
    async () => ({ items: (await listUsers(ctx.store.db)).map(publicUser) }),
  );

  r.post(
    '/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Create a user; without a password one is generated and returned once',
        body: Type.Object({
          username: Type.String({ minLength: 2, maxLength: 64 }),
          role: RoleSchema,
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
        }),
        response: {
          201: Type.Object({ user: UserView, password: Type.Optional(Type.String()) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { user, password } = await createUser(ctx.auth, {
        ...request.body,
        actor: actorOf(request.principal!),
        ip: request.ip,
      });
      return reply.status(201).send({ user, ...(request.body.password ? {} : { password }) });
    },
  );

  r.patch(
    '/users/:id',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Change a user’s role, name, password or disable them',
        params: Type.Object({ id: RowId() }),
        body: Type.Object(
          {
            role: Type.Optional(RoleSchema),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            disabled: Type.Optional(Type.Boolean()),
            password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
          },
          { minProperties: 1, additionalProperties: false },
        ),
        response: { 200: UserView, ...errors },
      },
    },
    async (request) => {
      const { role, displayName, disabled, password } = request.body;
      if (role !== undefined && !isRole(role)) throw new HeraldError('VALIDATION_FAILED');
      const before = await findUserById(ctx.store.db, request.params.id);
      if (!before) throw new HeraldError('NOT_FOUND', 'No such user');
      if (password !== undefined) assertPasswordAcceptable(password, before.username);
      const row = await updateUser(ctx.store.db, request.params.id, {
        role,
        displayName,
        disabled,
        passwordHash: password ? await hashPassword(password) : undefined,
        now: new Date().toISOString(),
      });
      if (!row) throw new HeraldError('NOT_FOUND', 'No such user');
      // A new role, a disabled account or a new password: every open session ends now.
      if (disabled || password || role) await deleteSessionsOfUser(ctx.store.db, row.id);
      // An admin setting a password or re-enabling someone also lifts a sign-in lock-out.
      if (password || disabled === false) await resetLoginFailures(ctx.auth, row.username);
      await ctx.auditor.record({
        actor: actorOf(request.principal!),
        action: 'user.update',
        target: `user:${row.username}`,
        details: { role, displayName, disabled, passwordChanged: password !== undefined },
        ip: request.ip,
      });
      return publicUser(row);
    },
  );

  r.delete(
    '/users/:id/sessions',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Sign a user out everywhere: end all their sessions',
        params: Type.Object({ id: RowId() }),
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...errors },
      },
    },
    async (request) => {
      const user = await findUserById(ctx.store.db, request.params.id);
      if (!user) throw new HeraldError('NOT_FOUND', 'No such user');
      const revoked = await endAllSessions(ctx.auth, {
        userId: user.id,
        username: user.username,
        actor: actorOf(request.principal!),
        ip: request.ip,
      });
      return { revoked };
    },
  );

  r.get(
    '/api-keys',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'List API keys',
        response: { 200: Type.Object({ items: Type.Array(ApiKeyView) }), ...errors },
      },
    },
    async () => ({ items: (await listApiKeys(ctx.store.db)).map(publicApiKey) }),
  );

  r.post(
    '/api-keys',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['api-keys'],
        summary:
          'Create an API key with a role’s permissions or explicit scopes; the key is shown once',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 128 }),
          role: Type.Optional(RoleSchema),
          scopes: Type.Optional(Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true })),
          expiresInDays: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 3650,
              description: 'The key stops working after this many days; absent: until revoked',
            }),
          ),
        }),
        response: { 201: Type.Object({ key: Type.String(), apiKey: ApiKeyView }), ...errors },
      },
    },
    async (request, reply) => {
      const p = request.principal!;
      if ((request.body.role === undefined) === (request.body.scopes === undefined)) {
        throw new HeraldError('VALIDATION_FAILED', 'Give exactly one of role or scopes');
      }
      const { expiresInDays, ...body } = request.body;
      const created = await createApiKey(ctx.auth, {
        ...body,
        expiresAt:
          expiresInDays === undefined
            ? null
            : new Date(Date.now() + expiresInDays * 86_400_000).toISOString(),
        createdBy: p.kind === 'user' ? p.userId : null,
        granterPermissions: p.permissions,
        actor: actorOf(p),
        ip: request.ip,
      });
      return reply.status(201).send(created);
    },
  );

  r.delete(
    '/api-keys/:id',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        params: KeyId,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await revokeKey(ctx.auth, {
        id: request.params.id,
        actor: actorOf(request.principal!),
        ip: request.ip,
      });
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api-keys/:id/rotate',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Give a key a new secret (shown once); the old one works for a grace period',
        params: KeyId,
        body: Type.Object(
          {
            graceHours: Type.Integer({
              minimum: 0,
              maximum: 720,
              default: 24,
              description: 'How long the old secret keeps working; 0 retires it at once',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ key: Type.String(), apiKey: ApiKeyView }), ...errors },
      },
    },
    async (request) => {
      const p = request.principal!;
      return rotateKey(ctx.auth, {
        id: request.params.id,
        graceHours: request.body.graceHours,
        granterPermissions: p.permissions,
        actor: actorOf(p),
        ip: request.ip,
      });
    },
  );
}
