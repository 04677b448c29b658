/** Runs the migrations of src/store/migrations on either dialect. */
import { Migrator, type MigrationResult } from 'kysely';
import type { Store } from './database.js';
import { MIGRATIONS } from './migrations/index.js';

export interface MigrateOutcome {
  readonly applied: string[];
}

export async function migrateToLatest(store: Store): Promise<MigrateOutcome> {
  const migrator = new Migrator({
    db: store.db,
    // PostgreSQL: look for Kysely's bookkeeping tables in our own schema only, not in any schema.
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
    provider: { getMigrations: async () => MIGRATIONS },
    // Migrations are written in parallel branches of work; one that lands with a lower number
    // than an applied one must still run rather than stop the upgrade.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
