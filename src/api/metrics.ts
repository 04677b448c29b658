/** Prometheus metrics: one registry per app (tests build many apps in one process). */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DbOrTx } from '../store/database.js';
import { heldReceiptCounts, receiptDrops } from '../store/held-receipts.js';
import { countBlockedByReason } from '../store/pumping.js';

export function createMetrics(db?: DbOrTx): {
  registry: Registry;
  install(app: FastifyInstance): void;
} {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  if (db) {
    // Read from the store at each scrape: the blocks of every process (API, workers) count.
    new Counter({
      name: 'herald_sms_pumping_blocked_total',
      help: 'Sends to numbers typed by strangers that the SMS pumping defence blocked, by kind and reason (all processes; as long as the ledger keeps them)',
      labelNames: ['kind', 'reason'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await countBlockedByReason(db)) {
          this.inc({ kind: row.kind, reason: row.reason }, row.n);
        }
      },
    });
    // Receipts that matched no message: held until it appears, dropped after the hold (the
    // workers' sweep keeps the tally in the store, so every process reports the same).
    new Counter({
      name: 'herald_receipts_dropped_total',
      help: 'Delivery receipts dropped after HERALD_RECEIPT_HOLD_DAYS without a matching message, by carrier',
      labelNames: ['carrier'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await receiptDrops(db)) this.inc({ carrier: row.carrier }, row.dropped);
      },
    });
    new Gauge({
      name: 'herald_receipts_held',
      help: 'Delivery receipts held now because their message (carrier id) is not known yet, by carrier',
      labelNames: ['carrier'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await heldReceiptCounts(db)) this.set({ carrier: row.carrier }, row.held);
      },
    });
  }
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
