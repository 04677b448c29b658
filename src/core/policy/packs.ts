/**
 * The packs Herald ships, by id. A pack is data: the rules of a jurisdiction and, for each, the
 * statute, regulation or carrier code it comes from (rendered into docs/compliance.md).
 */
import { HeraldError } from '../errors.js';
import type { PolicyPack, PolicyPackId } from './policy-pack.js';
import { POLICY_PACK_IDS } from './policy-pack.js';
import { AU_PACK } from './packs/au.js';
import { CN_PACK } from './packs/cn.js';
import { DEFAULT_PACK } from './packs/default.js';
import { DE_PACK, EU_PACK, FR_PACK } from './packs/eu.js';
import { GB_PACK } from './packs/gb.js';
import { IN_PACK } from './packs/in.js';
import { US_PACK } from './packs/us.js';

export { POLICY_PACK_IDS };
export type { PolicyPackId };

export const POLICY_PACKS: Readonly<Record<PolicyPackId, PolicyPack>> = Object.freeze({
  default: DEFAULT_PACK,
  US: US_PACK,
  CN: CN_PACK,
  EU: EU_PACK,
  FR: FR_PACK,
  DE: DE_PACK,
  GB: GB_PACK,
  AU: AU_PACK,
  IN: IN_PACK,
});

/**
 * @example
 *   getPolicyPack('FR').name; // 'France (CPCE, CNIL)'
 *   getPolicyPack('XX'); // throws HeraldError POLICY_UNKNOWN
 */
export function getPolicyPack(id: string): PolicyPack {
  if (!(POLICY_PACK_IDS as readonly string[]).includes(id)) {
    throw new HeraldError('POLICY_UNKNOWN', `Unknown policy pack: ${id}`, { id });
  }
  return POLICY_PACKS[id as PolicyPackId];
}
