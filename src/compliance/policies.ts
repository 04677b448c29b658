/**
 * The policy in force for a number: its country's pack with the organisation's overrides
 * (stored as settings `policy:<packId>`). Overrides are checked by resolvePolicy, which refuses
 * anything that would widen a legal limit.
 */
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import {
  POLICY_PACKS,
  packIdForCountry,
  resolvePolicy,
  type PolicyOverrides,
  type PolicyPack,
  type PolicyPackId,
} from '../core/policy/index.js';
import { deleteSetting, readSettings, writeSetting } from '../store/settings.js';

const PREFIX = 'policy:';

export async function loadPolicyOverrides(ctx: AppContext): Promise<Map<string, PolicyOverrides>> {
  const settings = await readSettings(ctx.store.db, PREFIX);
  return new Map([...settings].map(([k, v]) => [k.slice(PREFIX.length), v as PolicyOverrides]));
}

/** A country the pack is chosen for (to resolve a pack by id through resolvePolicy). */
function countryOf(pack: PolicyPack): string {
  return pack.countries[0] ?? (pack.id === 'EU' ? 'IT' : 'ZZ');
}

export function packById(id: string): PolicyPack {
  const pack = (POLICY_PACKS as Record<string, PolicyPack>)[id];
  if (!pack) throw new HeraldError('POLICY_UNKNOWN', `No policy pack ${id}`);
  return pack;
}

/** Resolves every pack with its overrides; `overrides` is loaded once per call site. */
export function policyResolver(overrides: ReadonlyMap<string, PolicyOverrides>) {
  const cache = new Map<string, PolicyPack>();
  return (country: string): PolicyPack => {
    const id = packIdForCountry(country);
    let pack = cache.get(id);
    if (!pack) {
      pack = resolvePolicy(country, overrides.get(id));
      cache.set(id, pack);
    }
    return pack;
  };
}

export async function policyForCountry(ctx: AppContext, country: string): Promise<PolicyPack> {
  return policyResolver(await loadPolicyOverrides(ctx))(country);
}

export async function effectivePacks(
  ctx: AppContext,
): Promise<{ pack: PolicyPack; overrides: PolicyOverrides | null }[]> {
  const overrides = await loadPolicyOverrides(ctx);
  return Object.values(POLICY_PACKS as Record<string, PolicyPack>).map((pack) => ({
    pack: resolvePolicy(countryOf(pack), overrides.get(pack.id)),
    overrides: overrides.get(pack.id) ?? null,
  }));
}

/** Stores overrides for a pack after checking them; null removes them. Audited. */
export async function setPolicyOverrides(
  ctx: AppContext,
  id: PolicyPackId | string,
  overrides: PolicyOverrides | null,
  actor: string,
): Promise<PolicyPack> {
  const pack = packById(id);
  const resolved = resolvePolicy(countryOf(pack), overrides ?? undefined);
  if (overrides === null) await deleteSetting(ctx.store.db, `${PREFIX}${pack.id}`);
  else
    await writeSetting(ctx.store.db, {
      key: `${PREFIX}${pack.id}`,
      value: overrides,
      updatedBy: actor,
      now: new Date().toISOString(),
    });
  await ctx.auditor.record({
    actor,
    action: 'policy.override',
    target: `policy:${pack.id}`,
    details: { overrides },
  });
  return resolved;
}
