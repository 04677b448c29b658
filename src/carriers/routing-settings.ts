/**
 * Routes kept in the database (`PUT /v1/carriers/routing`), for installations that configure
 * carriers through the API rather than `HERALD_ROUTING`. The same schema as HERALD_ROUTING; the
 * environment, when set, wins. Used by each process from its next start, like the accounts; an
 * account a stored route names cannot be removed or disabled until the route stops naming it.
 */
import { Value } from 'typebox/value';
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import {
  normaliseRouting,
  RoutingSchema,
  type RoutingConfig,
  type RoutingInput,
} from '../delivery/routing-config.js';
import type { DbOrTx } from '../store/database.js';
import { listCarrierAccounts } from '../store/carrier-accounts.js';
import { deleteSetting, readSettings, writeSetting } from '../store/settings.js';

export const ROUTING_SETTING = 'carriers.routing';

type Ctx = Pick<AppContext, 'store' | 'auditor' | 'config'>;

/** HERALD_ROUTING was given (anything in it): it wins over stored routes. */
export function routingFromConfig(routing: RoutingConfig): boolean {
  return (
    routing.routes.length > 0 ||
    Object.keys(routing.carrierRates).length > 0 ||
    Object.keys(routing.senderRates).length > 0
  );
}

export async function readStoredRouting(db: DbOrTx): Promise<RoutingInput | undefined> {
  const value = (await readSettings(db, ROUTING_SETTING)).get(ROUTING_SETTING);
  return value === undefined ? undefined : (value as RoutingInput);
}

/** The routes a process starts with: HERALD_ROUTING if set, else the stored ones, else none. */
export async function effectiveRouting(
  config: AppContext['config'],
  db: DbOrTx,
): Promise<RoutingConfig> {
  if (routingFromConfig(config.routing)) return config.routing;
  return normaliseRouting(await readStoredRouting(db));
}

/** Carrier names a routing input mentions. */
export function namedCarriers(input: RoutingInput | undefined): string[] {
  const routes = (input?.routes ?? []).flatMap((r) => r.carriers);
  return [...new Set([...routes, ...Object.keys(input?.rates?.carriers ?? {})])];
}

export async function saveRouting(ctx: Ctx, input: unknown, actor: string): Promise<RoutingInput> {
  const problems = [...Value.Errors(RoutingSchema, input)].map((e) => ({
    path: e.instancePath || '/',
    message: e.message,
  }));
  if (problems.length > 0) {
    throw new HeraldError(
      'CARRIER_SETTINGS_INVALID',
      `routing: ${problems[0]!.path} ${problems[0]!.message}`,
      problems,
    );
  }
  const routing = input as RoutingInput;
  const enabled = [
    'simulator',
    ...ctx.config.carriers.filter((c) => c.enabled).map((c) => c.name),
    ...(await listCarrierAccounts(ctx.store.db)).filter((a) => a.enabled).map((a) => a.name),
  ];
  const unknown = namedCarriers(routing).filter((name) => !enabled.includes(name));
  if (unknown.length > 0) {
    throw new HeraldError(
      'CARRIER_NOT_FOUND',
      `routing names carriers that are not configured or not enabled: ${unknown.join(', ')}`,
      { carriers: unknown },
    );
  }
  await writeSetting(ctx.store.db, {
    key: ROUTING_SETTING,
    value: routing,
    updatedBy: actor,
    now: new Date().toISOString(),
  });
  await ctx.auditor.record({
    actor,
    action: 'carrier.routing.update',
    target: 'carriers:routing',
    details: { routes: routing.routes?.length ?? 0, carriers: namedCarriers(routing) },
  });
  return routing;
}

export async function clearRouting(ctx: Ctx, actor: string): Promise<void> {
  if (await deleteSetting(ctx.store.db, ROUTING_SETTING)) {
    await ctx.auditor.record({
      actor,
      action: 'carrier.routing.delete',
      target: 'carriers:routing',
    });
  }
}

/** Throws CONFLICT when a stored route names the account (before removing or disabling it). */
export async function assertNotRouted(db: DbOrTx, name: string): Promise<void> {
  if (namedCarriers(await readStoredRouting(db)).includes(name)) {
    throw new HeraldError(
      'CONFLICT',
      `The stored routes name ${name}; change them first (PUT /v1/carriers/routing)`,
    );
  }
}
