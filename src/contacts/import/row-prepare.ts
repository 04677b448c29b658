/**
 * One CSV record to what the store needs, with no database: the number parsed, encrypted,
 * blind-indexed and masked; its zones, carrier and place; the mapped attributes checked. This is
 * the CPU-heavy part of an import and runs in worker threads (parse-worker.ts), or inline for
 * small files. The clear number never leaves this function.
 */
import {
  builtInAttributes,
  validateAttributes,
  type AttributeSchema,
  type AttributeValue,
} from '../../core/attributes.js';
import { maskPhone, parsePhone, type CountryCode } from '../../core/phone.js';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { FieldCipher } from '../../security/field-cipher.js';
import { createPhoneMetadataLookup } from '../phone-metadata.js';
import type { ColumnMap, ImportField } from './header-map.js';

export interface PrepareConfig {
  readonly columns: ColumnMap;
  /** For numbers written without a country code, unless the row has its own country. */
  readonly defaultCountry: string | null;
  /** Bounds `birth_year` (the core has no clock). */
  readonly currentYear: number;
  /** Declarations of the custom attributes the file maps. */
  readonly customSchema: AttributeSchema;
}

/** Attributes a row gives: only what it has a value for. */
export interface RowAttributes {
  external_id?: string;
  birth_year?: number;
  age_band?: string;
  city?: string;
  region?: string;
  gender?: string;
  locale?: string;
  tags?: string[];
  custom?: Record<string, AttributeValue>;
}

export interface InvalidRow {
  readonly line: number;
  readonly ok: false;
  readonly reason: string;
}

export interface ValidRow {
  readonly line: number;
  readonly ok: true;
  readonly index: string;
  readonly enc: string;
  readonly masked: string;
  readonly country: string | null;
  readonly type: string;
  /** JSON array, as stored. */
  readonly zones: string;
  readonly carrier: string | null;
  readonly place: string | null;
  readonly attributes: RowAttributes;
}

export type PreparedRow = InvalidRow | ValidRow;

const BUILT_IN = ['birth_year', 'age_band', 'city', 'region', 'gender', 'locale', 'tags'] as const;
const MAX_EXTERNAL_ID = 128;

// How spreadsheets write gender; the attribute itself is the closed set female/male/other/unknown.
const GENDER_WORDS: Record<string, string> = {
  f: 'female',
  w: 'female',
  woman: 'female',
  女: 'female',
  女性: 'female',
  m: 'male',
  man: 'male',
  男: 'male',
  男性: 'male',
  未知: 'unknown',
  其他: 'other',
};

export interface RowPreparer {
  prepare(
    records: readonly (readonly string[])[],
    lines: readonly number[],
  ): Promise<PreparedRow[]>;
}

export function createRowPreparer(config: PrepareConfig, cipher: FieldCipher): RowPreparer {
  const builtIns = builtInAttributes(config.currentYear);
  const fields = config.columns.fields;
  const customColumns = Object.entries(config.columns.custom);
  const defaultCountry = config.defaultCountry as CountryCode | null;
  // Its own look-up without a result cache: an import meets each number about once, and the
  // shared cache's FIFO eviction slows to ~60 µs a look-up once it is full (measured: 1.8 µs
  // without it, on a million numbers).
  const metadata = createPhoneMetadataLookup({ maxEntries: 0 });
  // ~300 distinct zone lists exist; the metadata module shares each array, so its JSON can be too.
  const zonesJson = new Map<readonly string[], string>();
  const cell = (record: readonly string[], field: ImportField): string | undefined => {
    const index = fields[field];
    return index === undefined ? undefined : record[index];
  };

  /** Everything but the encryption, which is done for a whole chunk at once. */
  async function check(
    record: readonly string[],
    line: number,
  ): Promise<InvalidRow | (Omit<ValidRow, 'enc'> & { e164: string })> {
    let country = defaultCountry;
    const countryCell = cell(record, 'country')?.trim();
    if (countryCell) {
      const code = countryCell.toUpperCase();
      if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) {
        return { line, ok: false, reason: 'country: not an ISO 3166 alpha-2 code' };
      }
      country = code as CountryCode;
    }
    const parsed = parsePhone(cell(record, 'phone') ?? '', country ?? undefined);
    if (!parsed.ok) return { line, ok: false, reason: parsed.reason };

    const attributes = checkAttributes(record);
    if (typeof attributes === 'string') return { line, ok: false, reason: attributes };

    const e164 = parsed.e164;
    const meta = metadata.lookupSync(e164) ?? (await metadata.lookup(e164));
    let zones = zonesJson.get(meta.zones);
    if (zones === undefined) {
      zones = JSON.stringify(meta.zones);
      zonesJson.set(meta.zones, zones);
    }
    return {
      line,
      ok: true,
      e164,
      index: cipher.blindIndex(e164),
      masked: maskPhone(e164),
      country: parsed.country,
      type: parsed.type,
      zones,
      carrier: meta.carrier,
      place: meta.place,
      attributes,
    };
  }

  /** The row's attributes, or why they are not acceptable (never echoing a value). */
  function checkAttributes(record: readonly string[]): RowAttributes | string {
    const out: RowAttributes = {};
    const values: Record<string, unknown> = {};
    let any = false;
    for (const name of BUILT_IN) {
      const raw = cell(record, name);
      if (raw === undefined || raw.trim() === '') continue;
      values[name] = name === 'gender' ? (GENDER_WORDS[raw.trim().toLowerCase()] ?? raw) : raw;
      any = true;
    }
    if (any) {
      const checked = validateAttributes(builtIns, values, { coerce: true });
      if (!checked.ok) return describe(checked.errors);
      Object.assign(out, checked.value);
    }
    const externalId = cell(record, 'external_id')?.trim();
    if (externalId) {
      if ([...externalId].length > MAX_EXTERNAL_ID) {
        return `external_id: must be at most ${MAX_EXTERNAL_ID} characters`;
      }
      out.external_id = externalId;
    }
    if (customColumns.length > 0) {
      const custom: Record<string, unknown> = {};
      for (const [name, index] of customColumns) custom[name] = record[index];
      const checked = validateAttributes(config.customSchema, custom, { coerce: true });
      if (!checked.ok) return describe(checked.errors);
      if (Object.keys(checked.value).length > 0) out.custom = checked.value;
    }
    return out;
  }

  return {
    async prepare(records, lines) {
      const checked = new Array<Awaited<ReturnType<typeof check>>>(records.length);
      const numbers: string[] = [];
      for (let i = 0; i < records.length; i++) {
        const row = await check(records[i]!, lines[i]!);
        checked[i] = row;
        if (row.ok) numbers.push(row.e164);
      }
      const encrypted = cipher.encryptMany(numbers);
      let next = 0;
      return checked.map((row) => {
        if (!row.ok) return row;
        // The clear number stays here: only its ciphertext, index and mask go on.
        const { e164: _clear, ...rest } = row;
        return { ...rest, enc: encrypted[next++]! };
      });
    },
  };
}

function describe(errors: readonly { field: string; message: string }[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}
