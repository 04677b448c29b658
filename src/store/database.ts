/**
 * The database factory: Kysely over better-sqlite3 (embedded, WAL) or PostgreSQL (`pg`),
 * chosen by the configuration. Only src/store touches Kysely.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type RawBuilder,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { Database } from './schema.js';
import { cachingDatabase } from './statement-cache.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DbOrTx = Db | Tx;

/** Whether a query builder talks to PostgreSQL (else the embedded SQLite). */
export function isPostgres(db: DbOrTx): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * SQLite: a list of strings or numbers as one JSON parameter, for `in (...)`: the statement's
 * text is the same whatever the list's length, so it is prepared once and kept
 * (statement-cache.ts).
 */
export function sqliteJsonValues<T extends string | number>(values: readonly T[]): RawBuilder<T> {
  return sql<T>`(select value from json_each(${JSON.stringify(values)}))`;
}

export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  /** A short description without credentials, for logs. */
  readonly label: string;
  /** PostgreSQL: the schema Herald's tables live in. */
  readonly schema?: string;
  /**
   * SQLite: the connection under Kysely, for the few hot bulk paths of src/store that run
   * cached prepared statements on it (see import-writes.ts). Never used outside src/store.
   */
  readonly sqlite?: SqliteDatabase.Database;
  destroy(): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL schema to use as search_path (tests isolate themselves with it). */
  readonly searchPath?: string;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function pgTypes() {
  // int8 (counts, sequences) fits in a double for every value Herald produces.
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format);
    },
  };
}

export function createStore(config: DatabaseConfig, options: StoreOptions = {}): Store {
  if (config.dialect === 'sqlite') {
    mkdirSync(path.dirname(config.file), { recursive: true });
    const sqlite = new SqliteDatabase(config.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: cachingDatabase(sqlite) }),
    });
    return {
      db,
      dialect: 'sqlite',
      label: `sqlite:${config.file}`,
      sqlite,
      destroy: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    types: pgTypes(),
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const url = new URL(config.url);
  return {
    db,
    dialect: 'postgres',
    schema: options.searchPath ?? 'public',
    label: `postgres://${url.hostname}:${url.port || 5432}${url.pathname}`,
    destroy: () => db.destroy(),
  };
}

/** Answers whether the database is reachable (for /ready). */
export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** The current instant as stored in the database. */
export function isoNow(now: Date = new Date()): string {
  return now.toISOString();
}
