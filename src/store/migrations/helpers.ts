/** Small helpers so that one migration serves both SQLite and PostgreSQL. */
import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Migrations run against an untyped database: the typed schema is what they produce.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationDb = Kysely<any>;

export function isPostgres(db: MigrationDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-incrementing integer primary key in either dialect. */
export function serialType(db: MigrationDb): 'serial' | 'integer' {
  return isPostgres(db) ? 'serial' : 'integer';
}

export function serialPk(db: MigrationDb) {
  return (col: ColumnDefinitionBuilder) =>
    isPostgres(db) ? col.primaryKey() : col.primaryKey().autoIncrement();
}
