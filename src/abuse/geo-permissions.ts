/**
 * Geo-permissions: the destination countries each kind of stranger-triggered traffic (double
 * opt-in, one-time codes) may go to. Stored as settings `pumping:countries:<kind>`; absent, the
 * default is the countries Herald has a policy pack for. Changes are audited.
 */
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import { defaultAllowedCountries, type StrangerSendKind } from '../core/pumping.js';
import type { DbOrTx } from '../store/database.js';
import { deleteSetting, readSettings, writeSetting } from '../store/settings.js';
import { isKnownCountry } from './countries.js';

const PREFIX = 'pumping:countries:';

export interface GeoPermission {
  readonly kind: StrangerSendKind;
  readonly countries: string[];
  /** `default`: the countries of the policy packs; `custom`: an admin's list. */
  readonly source: 'default' | 'custom';
}

export async function geoPermission(db: DbOrTx, kind: StrangerSendKind): Promise<GeoPermission> {
  const settings = await readSettings(db, `${PREFIX}${kind}`);
  const custom = settings.get(`${PREFIX}${kind}`);
  return Array.isArray(custom)
    ? { kind, countries: (custom as string[]).slice().sort(), source: 'custom' }
    : { kind, countries: defaultAllowedCountries(), source: 'default' };
}

/** Replaces a kind's allow list (null: back to the default). Audited. */
export async function setGeoPermission(
  ctx: AppContext,
  kind: StrangerSendKind,
  countries: readonly string[] | null,
  actor: string,
): Promise<GeoPermission> {
  const key = `${PREFIX}${kind}`;
  if (countries === null) {
    await deleteSetting(ctx.store.db, key);
  } else {
    const unknown = countries.filter((c) => !isKnownCountry(c));
    if (unknown.length > 0) {
      throw new HeraldError('VALIDATION_FAILED', 'Unknown country codes', {
        field: 'countries',
        unknown,
      });
    }
    await writeSetting(ctx.store.db, {
      key,
      value: [...new Set(countries)].sort(),
      updatedBy: actor,
      now: new Date().toISOString(),
    });
  }
  const after = await geoPermission(ctx.store.db, kind);
  await ctx.auditor.record({
    actor,
    action: 'pumping.geo_permissions',
    target: `traffic:${kind}`,
    details: { source: after.source, countries: after.countries },
  });
  return after;
}
