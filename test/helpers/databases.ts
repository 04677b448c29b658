/**
 * The dialects every store test runs on: SQLite always, PostgreSQL whenever DATABASE_URL is set.
 * Each test store is fresh: a temporary SQLite file, or its own PostgreSQL schema (dropped after).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { createStore, type Dialect, type Store } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { RUN_ENV } from './global-setup.js';

export const PG_URL = process.env.DATABASE_URL;
export const DIALECTS: readonly Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  readonly dialect: Dialect;
  readonly config: Config;
  readonly dataDir: string;
  /** PostgreSQL schema name (postgres only). */
  readonly schema?: string;
  /** Opens a store on this database (migrated unless told otherwise). */
  open(opts?: { migrate?: boolean }): Promise<Store>;
  drop(): Promise<void>;
}

export function testMasterKey(): string {
  return randomBytes(32).toString('hex');
}

export async function createTestDatabase(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-test-'));
  const baseEnv = {
    HERALD_DATA_DIR: dataDir,
    HERALD_MASTER_KEY: testMasterKey(),
    LOG_LEVEL: 'silent',
    ...env,
  };
  if (dialect === 'sqlite') {
    const config = loadConfig(baseEnv);
    return {
      dialect,
      config,
      dataDir,
      async open(opts = {}) {
        const store = createStore(config.database);
        if (opts.migrate !== false) await migrateToLatest(store);
        return store;
      },
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (!PG_URL) throw new Error('DATABASE_URL is not set');
  // Within a test run (test/helpers/global-setup.ts) the schema is the run's and is dropped
  // after the run; outside one (a script) it is dropped by drop().
  const run = process.env[RUN_ENV];
  const schema = `t_${run ? `${run}_` : ''}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const config = loadConfig({ ...baseEnv, DATABASE_URL: PG_URL, HERALD_PG_POOL_SIZE: '4' });
  return {
    dialect,
    config,
    dataDir,
    schema,
    async open(opts = {}) {
      const store = createStore(config.database, { searchPath: schema });
      if (opts.migrate !== false) await migrateToLatest(store);
      return store;
    },
    async drop() {
      if (!run) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
