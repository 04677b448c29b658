/**
 * The application's own list of its routes, as Fastify registered them (method, URL and the
 * route config that names its permission). The authorisation matrix test walks this list, so a
 * route added anywhere, hidden from the OpenAPI document or not, cannot escape it.
 */
import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly permission: string | null;
  readonly public: boolean;
}

const tables = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Starts recording; call on the root instance before any route registers. */
export function recordRoutes(app: FastifyInstance): void {
  const entries: RouteEntry[] = [];
  tables.set(app, entries);
  app.addHook('onRoute', (route) => {
    const config = route.config as { permission?: string; public?: boolean } | undefined;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify adds a HEAD twin to every GET; it runs the same handler and hooks.
      if (method === 'HEAD') continue;
      entries.push({
        method: String(method),
        url: route.url,
        permission: config?.permission ?? null,
        public: config?.public === true,
      });
    }
  });
}

/** Every route registered on `app` so far (empty unless `recordRoutes` ran first). */
export function routeTable(app: FastifyInstance): readonly RouteEntry[] {
  return tables.get(app) ?? [];
}
