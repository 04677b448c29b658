/** Prometheus metrics: one registry per app (tests build many apps in one process). */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(): { registry: Registry; install(app: FastifyInstance): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  const requests = new Counter({
    name: 'herald_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    install(app) {
      app.addHook('onResponse', async (request, reply) => {
        // The route pattern, never the raw URL: it could carry a phone number.
        const route = request.routeOptions.url ?? 'unmatched';
        requests.inc({ method: request.method, route, status: String(reply.statusCode) });
        duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      });
    },
  };
}
