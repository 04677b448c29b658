/** Sign-in for people: a session cookie (HttpOnly, SameSite=Strict) plus a CSRF token. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import {
  authenticate,
  changeOwnPassword,
  createSession,
  endAllSessions,
  endSession,
  publicUser,
} from '../../security/auth.js';
import { HeraldError } from '../../core/errors.js';
import { findUserById } from '../../store/users.js';
import { actorOf, type Principal } from '../../security/principal.js';
import { SESSION_COOKIE } from '../auth-plugin.js';
import { ErrorBody } from '../errors.js';

const UserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  lastLoginAt: Type.Union([Type.String(), Type.Null()]),
});
export { UserView };

const Me = Type.Object({
  kind: Type.String(),
  name: Type.String(),
  actor: Type.String({
    description: 'how the caller is named as author, approver and in the audit log, e.g. user:mia',
  }),
  role: Type.Optional(Type.String()),
  permissions: Type.Array(Type.String()),
  csrfToken: Type.Optional(Type.String()),
});

export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Secure whenever Herald is reached over https (behind a TLS-terminating proxy included).
  const secure = ctx.config.publicUrl.startsWith('https:');
  const cookieFlags = { httpOnly: true, sameSite: 'strict', secure, path: '/' } as const;

  r.post(
    '/auth/login',
    {
      config: {
        public: true,
        rateLimit: { max: ctx.config.loginMaxPerMinute, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a user name and password',
        security: [],
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 128 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        }),
        response: {
          200: Type.Object({ user: UserView, csrfToken: Type.String(), expiresAt: Type.String() }),
          400: ErrorBody,
          401: ErrorBody,
          429: ErrorBody,
        },
        description:
          'Too many failed sign-ins for a name or from an address within a window answer 429 LOGIN_LOCKED, right password or not.',
      },
    },
    async (request, reply) => {
      const user = await authenticate(ctx.auth, { ...request.body, ip: request.ip });
      const session = await createSession(ctx.auth, user, {
        ttlHours: ctx.config.sessionTtlHours,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      reply.setCookie(SESSION_COOKIE, session.token, {
        ...cookieFlags,
        expires: new Date(session.expiresAt),
      });
      return { user: publicUser(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt };
    },
  );

  r.post(
    '/auth/logout',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'End this session',
        response: { 204: Type.Null(), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p?.kind === 'user') await endSession(ctx.auth, p.sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieFlags);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/auth/logout-all',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Log out everywhere: end every session of the signed-in person',
        response: {
          200: Type.Object({ revoked: Type.Integer() }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const p = request.principal!;
      if (p.kind !== 'user') {
        throw new HeraldError(
          'BAD_REQUEST',
          'Only a person signed in with a session can log out everywhere',
        );
      }
      const revoked = await endAllSessions(ctx.auth, {
        userId: p.userId,
        username: p.username,
        actor: `user:${p.username}`,
        ip: request.ip,
      });
      reply.clearCookie(SESSION_COOKIE, cookieFlags);
      return { revoked };
    },
  );

  r.post(
    '/auth/password',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Change my own password; my other sessions end, this one stays',
        description:
          'A wrong current password answers 400 CURRENT_PASSWORD_WRONG and counts as a failed sign-in (repeated ones answer 429 LOGIN_LOCKED); a new password breaking the password rules answers 400 PASSWORD_TOO_WEAK with the rule. Only a person signed in with a session can do this (an API key answers 400).',
        body: Type.Object(
          {
            currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
            newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ otherSessionsEnded: Type.Integer() }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request) => {
      const p = request.principal!;
      if (p.kind !== 'user') {
        throw new HeraldError(
          'BAD_REQUEST',
          'Only a person signed in with a session can change their password',
        );
      }
      return changeOwnPassword(ctx.auth, {
        userId: p.userId,
        sessionId: p.sessionId,
        currentPassword: request.body.currentPassword,
        newPassword: request.body.newPassword,
        ip: request.ip,
      });
    },
  );

  const describe = async (p: Principal) => {
    if (p.kind === 'user') {
      const user = await findUserById(ctx.store.db, p.userId);
      return {
        kind: 'user',
        name: user?.display_name ?? p.username,
        actor: actorOf(p),
        role: p.role,
        permissions: [...p.permissions],
        csrfToken: p.csrfToken,
      };
    }
    return { kind: p.kind, name: p.name, actor: actorOf(p), permissions: [...p.permissions] };
  };

  r.get(
    '/auth/me',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I, and what may I do',
        response: { 200: Me, 401: ErrorBody },
      },
    },
    async (request) => describe(request.principal!),
  );

  // The console's first question on load: answered 200 either way, so that a visitor who is not
  // signed in is not an error (a 401 is for a call that needed a session and had none).
  r.get(
    '/auth/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Whether this request carries a live session or key, and whose',
        security: [],
        response: {
          200: Type.Object({ signedIn: Type.Boolean(), me: Type.Optional(Me) }),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      return p ? { signedIn: true, me: await describe(p) } : { signedIn: false };
    },
  );
}
