/**
 * Everything about an import decided before its first row: provenance, the file's fingerprint
 * and encoding, the delimiter, which column holds what. Stored with the import record so that a
 * resume reads the same file the same way.
 */
import path from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import type { ImportRecord } from '../../store/imports.js';
import { customAttributeSchema } from '../attributes.js';
import { DELIMITERS, type Delimiter } from './csv-records.js';
import { inspectCsvFile, openCsvReader, type CsvFileInfo } from './csv-source.js';
import { resolveMapping, type ResolvedMapping } from './header-map.js';
import { resolveProvenance, type Provenance, type ProvenanceInput } from './provenance.js';
import type { PrepareConfig } from './row-prepare.js';

export interface ImportRequest extends ProvenanceInput {
  /** Path of the CSV file. */
  readonly file: string;
  /** The name shown in reports and evidence; default: the file's base name. */
  readonly fileName?: string;
  readonly actor: string;
  /** ISO country for numbers written without a country code (a country column wins). */
  readonly defaultCountry?: string;
  readonly encoding?: string;
  readonly delimiter?: string;
  /** field -> header, over the automatic mapping. */
  readonly mapping?: Readonly<Record<string, string>>;
  /** Headers to leave out even when they are named like a field. */
  readonly ignore?: readonly string[];
}

/** What a resume needs to read the file exactly as the first run did (imports.options). */
export interface StoredOptions {
  readonly source: string;
  readonly purpose: string;
  readonly consentMethod: string | null;
  readonly consentTextId: number | null;
  readonly defaultCountry: string | null;
  readonly encoding: string;
  readonly delimiter: Delimiter;
  readonly mapping: Readonly<Record<string, string>>;
  readonly ignoredColumns: readonly string[];
  readonly file: string;
  readonly size: number;
  readonly estimatedRows: number;
}

export interface ImportPlan {
  readonly fileName: string;
  readonly file: CsvFileInfo & { readonly path: string };
  readonly provenance: Provenance;
  readonly delimiter: Delimiter;
  readonly mapping: ResolvedMapping;
  readonly prepare: PrepareConfig;
  readonly stored: StoredOptions;
  readonly record: ImportRecord;
}

const DELIMITER_NAMES: Record<string, Delimiter> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  '\\t': '\t',
  pipe: '|',
};

export function parseDelimiter(value: string): Delimiter {
  const named = DELIMITER_NAMES[value.toLowerCase()];
  if (named !== undefined) return named;
  if ((DELIMITERS as readonly string[]).includes(value)) return value as Delimiter;
  throw new HeraldError(
    'VALIDATION_FAILED',
    'The delimiter is one of , ; | or tab (also: comma, semicolon, pipe)',
  );
}

export function parseCountry(value: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      'The default country is an ISO 3166 alpha-2 code such as CN or US',
    );
  }
  return code;
}

/** Checks a new import's request and reads its file's header; writes nothing. */
export async function planImport(
  ctx: AppContext,
  request: ImportRequest,
): Promise<Omit<ImportPlan, 'record'>> {
  // Provenance first: a refused marketing import is refused before its file is even read.
  const provenance = await resolveProvenance(ctx.store.db, request);
  const country = request.defaultCountry ?? ctx.config.defaultCountry;
  const defaultCountry = country ? parseCountry(country) : null;
  const delimiter = request.delimiter ? parseDelimiter(request.delimiter) : undefined;
  const file = path.resolve(request.file);
  return readPlan(ctx, {
    file,
    fileName: request.fileName ?? path.basename(file),
    provenance,
    defaultCountry,
    encoding: request.encoding,
    delimiter,
    mapping: request.mapping ?? {},
    ignore: request.ignore ?? [],
  });
}

/** The plan of a stopped import, from its stored options; the file must be the same file. */
export async function planResume(
  ctx: AppContext,
  record: ImportRecord,
  file?: string,
): Promise<Omit<ImportPlan, 'record'>> {
  const stored = JSON.parse(record.options) as StoredOptions;
  const provenance = await resolveProvenance(ctx.store.db, {
    source: stored.source,
    purpose: stored.purpose,
    consentMethod: stored.consentMethod ?? undefined,
    consentText: stored.consentTextId ?? undefined,
  });
  return readPlan(ctx, {
    file: path.resolve(file ?? stored.file),
    fileName: record.file_name,
    provenance,
    defaultCountry: stored.defaultCountry,
    encoding: stored.encoding,
    delimiter: stored.delimiter,
    mapping: stored.mapping,
    // What the first run read nothing from stays unread, even a column named like a field
    // (a header name the first run also read, from a twin column, is left to the mapping).
    ignore: (stored.ignoredColumns ?? []).filter((h) => !Object.values(stored.mapping).includes(h)),
    sameAs: { importId: record.id, sha256: record.file_hash },
  });
}

async function readPlan(
  ctx: AppContext,
  input: {
    file: string;
    fileName: string;
    provenance: Provenance;
    defaultCountry: string | null;
    encoding: string | undefined;
    delimiter: Delimiter | undefined;
    mapping: Readonly<Record<string, string>>;
    ignore: readonly string[];
    /** A resume: the file must be the one the import started with. */
    sameAs?: { importId: number; sha256: string };
  },
): Promise<Omit<ImportPlan, 'record'>> {
  let info: CsvFileInfo;
  try {
    info = await inspectCsvFile(input.file, { encoding: input.encoding });
  } catch (error) {
    if (error instanceof HeraldError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new HeraldError('IMPORT_FILE_INVALID', `Cannot read the file (${code})`);
  }
  if (input.sameAs !== undefined && info.sha256 !== input.sameAs.sha256) {
    throw new HeraldError(
      'IMPORT_CONFLICT',
      `This is not the file import ${input.sameAs.importId} started with (its SHA-256 differs)`,
    );
  }
  const reader = await openCsvReader(input.file, {
    encoding: info.encoding,
    delimiter: input.delimiter,
    chunkRows: 1,
  });
  await reader.close();
  const schema = await customAttributeSchema(ctx.store.db);
  const mapping = resolveMapping(
    reader.header,
    input.mapping,
    schema.map((d) => d.name),
    input.ignore,
  );
  const mappedCustom = new Set(Object.keys(mapping.columns.custom));
  const prepare: PrepareConfig = {
    columns: mapping.columns,
    defaultCountry: input.defaultCountry,
    currentYear: new Date().getUTCFullYear(),
    customSchema: schema.filter((d) => mappedCustom.has(d.name)),
  };
  const { basis } = input.provenance;
  const stored: StoredOptions = {
    source: input.provenance.source,
    purpose: input.provenance.purpose,
    consentMethod: basis?.method ?? null,
    consentTextId: basis?.text.id ?? null,
    defaultCountry: input.defaultCountry,
    encoding: info.encoding,
    delimiter: reader.delimiter,
    mapping: mapping.mapping,
    ignoredColumns: mapping.ignored,
    file: input.file,
    size: info.size,
    estimatedRows: Math.max(0, info.lineBreaks - 1),
  };
  return {
    fileName: input.fileName,
    file: { ...info, path: input.file },
    provenance: input.provenance,
    delimiter: reader.delimiter,
    mapping,
    prepare,
    stored,
  };
}
