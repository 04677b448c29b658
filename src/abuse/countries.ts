/** ISO 3166 alpha-2 codes that have a telephone numbering plan (what a geo-permission may name). */
import { getCountries } from 'libphonenumber-js/max';

const KNOWN = new Set<string>(getCountries());

/** @example isKnownCountry('CN') // true; isKnownCountry('XX') // false */
export function isKnownCountry(code: string): boolean {
  return KNOWN.has(code);
}
