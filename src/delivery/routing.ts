/**
 * Routing: which carriers (in fail-over order) and which sender a message goes through, by its
 * purpose and destination country, and the rate limits that pace them. Built once at start-up
 * from the validated routing configuration and the carrier registry; a route naming a carrier
 * that is not configured stops Herald with one line, as any bad configuration does.
 */
import type { Carrier, CarrierRegistry } from '../carriers/carrier.js';
import { ConfigError } from '../config.js';
import type { Purpose } from '../core/policy/purposes.js';
import type { Logger } from '../logger.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';
import type { RouteRule, RoutingConfig } from './routing-config.js';

export interface Route {
  /** In fail-over order; empty only for a message pinned to a carrier that does not exist. */
  readonly carriers: readonly Carrier[];
  readonly sender: string | undefined;
}

export interface Router {
  /**
   * @example
   *   router.routeFor('marketing', 'CN').carriers.map((c) => c.name); // ['tencent', 'aliyun']
   */
  routeFor(purpose: Purpose, country: string | null, pinned?: string | null): Route;
  readonly limiter: RateLimiter;
}

function matches(rule: RouteRule, purpose: Purpose, country: string | null): boolean {
  if (rule.purpose && rule.purpose !== purpose) return false;
  return !rule.countries || (country !== null && rule.countries.includes(country));
}

function checkNames(config: RoutingConfig, registry: CarrierRegistry): void {
  const known = registry.names();
  const named = [
    ...config.routes.flatMap((r, i) => r.carriers.map((c) => [c, `routes/${i}/carriers`])),
    ...Object.keys(config.carrierRates).map((c) => [c, 'rates/carriers']),
  ];
  for (const [name, where] of named) {
    if (!known.includes(name!)) {
      throw new ConfigError(
        `HERALD_ROUTING/${where}`,
        `names the carrier "${name}", which is not configured (carriers: ${known.join(', ')})`,
      );
    }
  }
}

export function createRouter(
  config: RoutingConfig,
  registry: CarrierRegistry,
  logger: Logger,
  clock?: () => number,
): Router {
  checkNames(config, registry);
  const fallback: Route = Object.freeze({ carriers: [registry.default()], sender: undefined });
  const cache = new Map<string, Route>();
  const limiter = createRateLimiter({
    carriers: config.carrierRates,
    senders: config.senderRates,
    logger,
    ...(clock ? { clock } : {}),
  });
  return {
    limiter,
    routeFor(purpose, country, pinned) {
      const key = `${purpose}|${country ?? ''}|${pinned ?? ''}`;
      let route = cache.get(key);
      if (route) return route;
      const rule = config.routes.find((r) => matches(r, purpose, country));
      const base: Route = rule
        ? { carriers: rule.carriers.map((name) => registry.get(name)!), sender: rule.sender }
        : fallback;
      // A pinned carrier replaces the route's carriers (no fail-over) but keeps its sender.
      const pin = pinned ? registry.get(pinned) : undefined;
      route = Object.freeze(
        pinned ? { carriers: pin ? [pin] : [], sender: base.sender } : { ...base },
      );
      cache.set(key, route);
      return route;
    },
  };
}
