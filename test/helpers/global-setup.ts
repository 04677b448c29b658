/**
 * PostgreSQL test schemas are dropped once, after the whole run, not by each test file.
 *
 * Kysely's migrator looks for its own tables by introspecting every schema of the database, and
 * that introspection resolves each table by its schema's name: a schema dropped by another test
 * file at that moment fails the migration ("schema t_… does not exist"). So no schema is dropped
 * while tests run. Each run names its schemas with a run id of its own, so two runs against the
 * same database (a developer's and CI) never drop each other's.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const RUN_ENV = 'HERALD_TEST_RUN';

export default function setup(): (() => Promise<void>) | undefined {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const run = randomBytes(4).toString('hex');
  // Read by test/helpers/databases.ts in the test workers, which inherit this environment.
  process.env[RUN_ENV] = run;
  return async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `select nspname as name from pg_namespace where nspname like $1`,
        [`t\\_${run}\\_%`],
      );
      for (const { name } of rows) await client.query(`drop schema if exists ${name} cascade`);
    } finally {
      await client.end();
    }
  };
}
