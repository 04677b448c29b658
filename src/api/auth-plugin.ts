/**
 * Authentication and authorisation for everything under /v1: a Bearer API key or a session
 * cookie identifies the caller; a cookie session must also send its CSRF token on unsafe
 * methods; each route names the permission it needs, and a route that names none refuses to
 * register. Denials are audited.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import type { Permission } from '../core/roles.js';
import { resolveApiKey, resolveSession } from '../security/auth.js';
import { actorOf, hasPermission } from '../security/principal.js';
import './types.js';

export const SESSION_COOKIE = 'herald_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function identify(ctx: AppContext, request: FastifyRequest) {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, value] = header.split(' ', 2);
    if (scheme?.toLowerCase() !== 'bearer' || !value) return null;
    return resolveApiKey(ctx.auth, value.trim());
  }
  const token = request.cookies[SESSION_COOKIE];
  return token ? resolveSession(ctx.auth, token) : null;
}

/** A check inside a handler, for routes whose permission depends on the request; audited like the rest. */
export async function requirePermission(
  ctx: AppContext,
  request: FastifyRequest,
  needed: Permission,
): Promise<void> {
  const principal = request.principal;
  if (!principal) throw new HeraldError('UNAUTHENTICATED');
  if (hasPermission(principal, needed)) return;
  await ctx.auditor.record({
    actor: actorOf(principal),
    action: 'permission.denied',
    target: `${request.method} ${request.routeOptions.url ?? request.url}`,
    details: { permission: needed },
    ip: request.ip,
  });
  throw new HeraldError('FORBIDDEN', `This needs the permission ${needed}`, { permission: needed });
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const config = route.config as { permission?: string; public?: boolean } | undefined;
    if (!config?.public && !config?.permission && route.method !== 'HEAD') {
      throw new Error(`route ${String(route.method)} ${route.url} declares no permission`);
    }
  });

  // Answers under /v1 carry personal data and tokens: no cache, shared or private, keeps them.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const principal = await identify(ctx, request);
    request.principal = principal;
    if (config.public) return;
    if (!principal) throw new HeraldError('UNAUTHENTICATED');
    if (principal.kind === 'user' && !SAFE_METHODS.has(request.method)) {
      const token = request.headers['x-csrf-token'];
      if (typeof token !== 'string' || !sameToken(token, principal.csrfToken)) {
        throw new HeraldError('CSRF_TOKEN_INVALID');
      }
    }
    const needed = config.permission;
    if (needed && needed !== 'authenticated' && !hasPermission(principal, needed)) {
      await ctx.auditor.record({
        actor: actorOf(principal),
        action: 'permission.denied',
        target: `${request.method} ${request.routeOptions.url ?? request.url}`,
        details: { permission: needed },
        ip: request.ip,
      });
      throw new HeraldError('FORBIDDEN', `This needs the permission ${needed}`, {
        permission: needed,
      });
    }
  });
}
