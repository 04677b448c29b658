/**
 * Imports: the import record with its checkpoint, the row-level report, and the bulk reads and
 * writes one batch of an import makes inside its transaction.
 *
 * The bulk statements are precompiled SQL rather than Kysely's builder: on a million-row import
 * the builder's per-value nodes cost ~10 µs a row in compiling alone (profiled), more than SQLite
 * spends storing it. No statement binds more than 32,766 parameters (SQLite's limit; PostgreSQL
 * allows 65,535, so one bound serves both).
 */
import {
  CompiledQuery,
  PostgresAdapter,
  sql,
  type Insertable,
  type Selectable,
  type Updateable,
} from 'kysely';
import type { ContactRow, NewContactRow } from './contacts.js';
import type { Db, DbOrTx, Dialect } from './database.js';
import type { ImportRowsTable, ImportsTable } from './schema.js';
import type { SuppressionRow } from './suppressions.js';

export type ImportRecord = Selectable<ImportsTable>;
export type NewImportRecord = Omit<Insertable<ImportsTable>, 'id'>;
export type ImportLine = Selectable<ImportRowsTable>;
export type NewImportLine = Omit<ImportLine, 'import_id'>;

const MAX_PARAMETERS = 32_766;
const LOOKUP_CHUNK = 1_000;
const ROWS_PER_INSERT = 1_000;

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function placeholders(db: DbOrTx): () => string {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let n = 0;
  return () => (postgres ? `$${++n}` : '?');
}

export async function insertImport(db: DbOrTx, row: NewImportRecord): Promise<ImportRecord> {
  return db.insertInto('imports').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findImport(db: DbOrTx, id: number): Promise<ImportRecord | undefined> {
  return db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first; keyset paging with `beforeId`. */
export async function listImports(
  db: DbOrTx,
  opts: { limit: number; beforeId?: number },
): Promise<ImportRecord[]> {
  let q = db.selectFrom('imports').selectAll();
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}

export async function updateImport(
  db: DbOrTx,
  id: number,
  patch: Updateable<ImportsTable>,
): Promise<ImportRecord | undefined> {
  return db
    .updateTable('imports')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Marks a stopped import as running again for a resume; false when it is done (or missing).
 * Two runs of one import are kept apart by the checkpoint lock, not by this status.
 */
export async function reopenImport(
  db: DbOrTx,
  opts: { id: number; now: string },
): Promise<boolean> {
  const result = await db
    .updateTable('imports')
    .set({ status: 'running', error: null, finished_at: null, updated_at: opts.now })
    .where('id', '=', opts.id)
    .where('status', '!=', 'done')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The first statement of a batch's transaction: claims the checkpoint the batch starts from
 * (on SQLite this write also takes the database's write lock before anything is read). False
 * when the checkpoint has moved: another run of the same import got there first.
 */
export async function lockImportCheckpoint(
  tx: DbOrTx,
  opts: { id: number; processedRows: number; now: string },
): Promise<boolean> {
  const result = await tx
    .updateTable('imports')
    .set({ updated_at: opts.now })
    .where('id', '=', opts.id)
    .where('processed_rows', '=', opts.processedRows)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The last statement of a batch's transaction: the new checkpoint and running counts. */
export async function saveImportCheckpoint(
  tx: DbOrTx,
  opts: { id: number; processedRows: number; counts: string; now: string },
): Promise<void> {
  await tx
    .updateTable('imports')
    .set({ processed_rows: opts.processedRows, counts: opts.counts, updated_at: opts.now })
    .where('id', '=', opts.id)
    .execute();
}

/** `<head> in (...)` over many values, a thousand at a time. */
async function selectIn<R>(db: DbOrTx, head: string, values: readonly string[]): Promise<R[]> {
  const out: R[] = [];
  for (const chunk of chunksOf(values, LOOKUP_CHUNK)) {
    const next = placeholders(db);
    const text = `${head} in (${chunk.map(next).join(', ')})`;
    out.push(...(await db.executeQuery<R>(CompiledQuery.raw(text, chunk))).rows);
  }
  return out;
}

/** Contacts by blind index, for the rows of a batch. */
export async function findContactsByIndexes(
  db: DbOrTx,
  indexes: readonly string[],
): Promise<Map<string, ContactRow>> {
  const rows = await selectIn<ContactRow>(db, 'select * from contacts where phone_index', indexes);
  return new Map(rows.map((row) => [row.phone_index, row]));
}

/** Suppressions by blind index (`findSuppressionsOf` of suppressions.ts, precompiled). */
export async function findSuppressionsByIndexes(
  db: DbOrTx,
  indexes: readonly string[],
): Promise<Map<string, SuppressionRow[]>> {
  const rows = await selectIn<SuppressionRow>(
    db,
    'select * from suppressions where phone_index',
    indexes,
  );
  const out = new Map<string, SuppressionRow[]>();
  for (const row of rows) out.set(row.phone_index, [...(out.get(row.phone_index) ?? []), row]);
  return out;
}

/** External id -> contact id, for the external ids a batch brings. */
export async function findContactIdsByExternalIds(
  db: DbOrTx,
  externalIds: readonly string[],
): Promise<Map<string, number>> {
  const rows = await selectIn<{ id: number; external_id: string }>(
    db,
    'select id, external_id from contacts where external_id',
    externalIds,
  );
  return new Map(rows.map((row) => [row.external_id, Number(row.id)]));
}

type ColumnType = 'text' | 'int';

interface BulkInsert<T> {
  readonly table: string;
  /** The columns each row gives, read from the row's property of the same name. */
  readonly columns: readonly (readonly [name: keyof T & string, type: ColumnType])[];
  /** Columns with one value for every row: bound once per statement, not once per row. */
  readonly constants: readonly (readonly [name: string, type: ColumnType, value: unknown])[];
  readonly rows: readonly T[];
  /** SQL after the insert: `on conflict ...`. */
  readonly tail?: string;
}

/**
 * `insert into t (...) select <row values, constants> from (values (...), ...) as v`, binding
 * only what differs from row to row: every bound value is paid twice, since each statement is
 * prepared anew. Integers are cast because PostgreSQL types a VALUES list's columns as text.
 */
async function bulkInsert<T>(tx: DbOrTx, spec: BulkInsert<T>): Promise<void> {
  const width = spec.columns.length;
  const perStatement = Math.min(
    ROWS_PER_INSERT,
    Math.floor((MAX_PARAMETERS - spec.constants.length) / width),
  );
  const cast = (expr: string, type: ColumnType) =>
    type === 'int' ? `cast(${expr} as integer)` : expr;
  const names = [...spec.columns.map(([n]) => n), ...spec.constants.map(([n]) => n)].join(', ');
  for (const chunk of chunksOf(spec.rows, perStatement)) {
    const next = placeholders(tx);
    const select = [
      ...spec.columns.map(([, type], i) => cast(`v.column${i + 1}`, type)),
      ...spec.constants.map(([, type]) => cast(next(), type)),
    ].join(', ');
    const tuple = () => `(${spec.columns.map(next).join(', ')})`;
    const tuples = chunk.map(tuple).join(', ');
    const params: unknown[] = spec.constants.map(([, , value]) => value);
    for (const row of chunk) for (const [name] of spec.columns) params.push(row[name] ?? null);
    // `where true`: SQLite would read the ON of `on conflict` as a join constraint without it.
    const text = `insert into ${spec.table} (${names}) select ${select} from (values ${tuples}) as v where true ${spec.tail ?? ''}`;
    await tx.executeQuery(CompiledQuery.raw(text, params));
  }
}

const CONTACT_COLUMNS = [
  ['phone_enc', 'text'],
  ['phone_index', 'text'],
  ['country', 'text'],
  ['number_type', 'text'],
  ['zones', 'text'],
  ['carrier', 'text'],
  ['place', 'text'],
  ['external_id', 'text'],
  ['birth_year', 'int'],
  ['age_band', 'text'],
  ['city', 'text'],
  ['region', 'text'],
  ['gender', 'text'],
  ['locale', 'text'],
  ['tags', 'text'],
  ['custom', 'text'],
] as const satisfies readonly (readonly [keyof NewContactRow, ColumnType])[];

/** A contact as an import creates it: what the row gives (the rest is the same for all). */
export type ImportedContact = Pick<NewContactRow, (typeof CONTACT_COLUMNS)[number][0]>;

/**
 * The largest id of a table now: rows a batch inserts after this get larger ones (SQLite's
 * AUTOINCREMENT and PostgreSQL's sequences only go up), so they are found again by
 * `id > before` rather than through RETURNING, which costs SQLite ~5 µs a row (measured on a
 * million rows: a fifth of the import's database time).
 */
async function maxId(tx: DbOrTx, table: 'contacts' | 'consent_events'): Promise<number> {
  const row = await tx
    .selectFrom(table)
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/**
 * Inserts an import's new contacts (active, source `import:<id>`); returns blind index -> id of
 * those inserted. A row whose number or external id a contact already has is skipped, not an
 * error (`on conflict do nothing`): the caller finds it missing from the answer.
 */
export async function insertImportedContacts(
  tx: DbOrTx,
  opts: { importId: number; at: string; contacts: readonly ImportedContact[] },
): Promise<Map<string, number>> {
  if (opts.contacts.length === 0) return new Map();
  const before = await maxId(tx, 'contacts');
  await bulkInsert<ImportedContact>(tx, {
    table: 'contacts',
    columns: CONTACT_COLUMNS,
    constants: [
      ['status', 'text', 'active'],
      ['source', 'text', `import:${opts.importId}`],
      ['import_id', 'int', opts.importId],
      ['created_at', 'text', opts.at],
      ['updated_at', 'text', opts.at],
    ],
    rows: opts.contacts,
    tail: 'on conflict do nothing',
  });
  // The import id singles out this batch's rows among ids other sessions took meanwhile.
  const rows = await tx
    .selectFrom('contacts')
    .select(['id', 'phone_index'])
    .where('id', '>', before)
    .where('import_id', '=', opts.importId)
    .execute();
  return new Map(rows.map((row) => [row.phone_index, Number(row.id)]));
}

export interface ImportGrants {
  readonly purpose: string;
  readonly method: string;
  /** `import:<id>`. */
  readonly source: string;
  readonly consentTextId: number;
  readonly consentTextHash: string;
  readonly recordedBy: string;
  readonly at: string;
  readonly grants: readonly { readonly contact_id: number; readonly evidence: string }[];
}

/**
 * Appends an import's consent grants and brings `contact_consents` in step in the same
 * transaction: the bulk form of `appendConsentEvent` (src/store/consents.ts), which a
 * million-row import cannot afford to call row by row. At most one grant per contact.
 */
export async function appendImportGrants(tx: DbOrTx, opts: ImportGrants): Promise<void> {
  if (opts.grants.length === 0) return;
  const before = await maxId(tx, 'consent_events');
  await bulkInsert<ImportGrants['grants'][number]>(tx, {
    table: 'consent_events',
    columns: [
      ['contact_id', 'int'],
      ['evidence', 'text'],
    ],
    constants: [
      ['purpose', 'text', opts.purpose],
      ['action', 'text', 'grant'],
      ['method', 'text', opts.method],
      ['source', 'text', opts.source],
      ['consent_text_id', 'int', opts.consentTextId],
      ['consent_text_hash', 'text', opts.consentTextHash],
      ['recorded_by', 'text', opts.recordedBy],
      ['at', 'text', opts.at],
    ],
    rows: opts.grants,
  });
  // The current state follows from the events just written; the source singles them out among
  // ids other sessions took meanwhile.
  await sql`
    insert into contact_consents (contact_id, purpose, granted, method, source, event_id, at)
    select contact_id, purpose, 1, method, source, id, at from consent_events
    where id > ${before} and source = ${opts.source}
    on conflict (contact_id, purpose) do update set
      granted = excluded.granted, method = excluded.method, source = excluded.source,
      event_id = excluded.event_id, at = excluded.at`.execute(tx);
}

export async function insertImportLines(
  tx: DbOrTx,
  importId: number,
  lines: readonly NewImportLine[],
): Promise<void> {
  await bulkInsert(tx, {
    table: 'import_rows',
    columns: [
      ['line', 'int'],
      ['outcome', 'text'],
      ['reason', 'text'],
      ['contact_id', 'int'],
      ['masked_phone', 'text'],
    ],
    constants: [['import_id', 'int', importId]],
    rows: lines,
  });
}

/** A page of the report in line order (keyset paging with `afterLine`). */
export async function listImportLines(
  db: DbOrTx,
  opts: { importId: number; afterLine?: number; outcome?: string; limit: number },
): Promise<ImportLine[]> {
  let q = db.selectFrom('import_rows').selectAll().where('import_id', '=', opts.importId);
  if (opts.afterLine !== undefined) q = q.where('line', '>', opts.afterLine);
  if (opts.outcome !== undefined) q = q.where('outcome', '=', opts.outcome);
  return q.orderBy('line').limit(opts.limit).execute();
}

/**
 * SQLite settings for a long run of large write transactions on this connection, and a function
 * that puts them back. Checkpointing the WAL every 50,000 pages instead of every 1,000 stops
 * each commit from copying (and syncing) again the index pages it just wrote: random blind
 * indexes touch pages all over their B-tree in every batch (measured on a million rows: ~20%
 * of SQLite's time). A somewhat bigger page cache keeps more of that B-tree. PostgreSQL: nothing.
 */
export async function tuneForBulkWrites(
  db: Db,
  dialect: Dialect,
  opts: { cacheMb: number; walPages: number },
): Promise<() => Promise<void>> {
  if (dialect !== 'sqlite') return async () => {};
  const read = async (pragma: 'cache_size' | 'wal_autocheckpoint'): Promise<number> => {
    const { rows } = await sql<Record<string, number>>`pragma ${sql.raw(pragma)}`.execute(db);
    return Math.round(Number(Object.values(rows[0] ?? {})[0]));
  };
  const set = (pragma: string, value: number) =>
    sql`pragma ${sql.raw(`${pragma} = ${Math.round(value)}`)}`.execute(db);
  const cacheSize = await read('cache_size');
  const walPages = await read('wal_autocheckpoint');
  await set('cache_size', -opts.cacheMb * 1024);
  await set('wal_autocheckpoint', opts.walPages);
  return async () => {
    await set('cache_size', cacheSize);
    await set('wal_autocheckpoint', walPages);
    // Fold the grown WAL into the database now rather than at some later commit.
    await sql`pragma wal_checkpoint(PASSIVE)`.execute(db);
  };
}
