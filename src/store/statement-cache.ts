/**
 * Prepared statements kept for SQLite. Kysely's SQLite driver prepares every statement it runs
 * afresh, and preparing (parsing and planning) costs as much as running a small statement: for
 * the dispatcher, a tenth of the worker's time went to `prepare`, most of it for `begin`,
 * `commit` and the same few statements over and over. This hands Kysely the connection with a
 * `prepare` that keeps the last statements by their SQL text.
 *
 * A statement is reused only when idle: one still being iterated (a streamed query) is not
 * handed out again, a fresh one is prepared instead. SQLite prepares a kept statement again by
 * itself when the schema changed (a migration), so the cache never runs stale SQL.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Statements kept at most (the least recently used one goes first). */
const KEPT = 256;
/** Longer SQL (a bulk statement with its rows written out) is prepared every time. */
const LONGEST = 20_000;

export function cachingDatabase(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (source: string) => {
      const found = kept.get(source);
      if (found && !found.busy) {
        // Most recently used last: the first key is the one to evict.
        kept.delete(source);
        kept.set(source, found);
        return found;
      }
      const statement = sqlite.prepare(source);
      if (!found && source.length <= LONGEST) {
        kept.set(source, statement);
        if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
      }
      return statement;
    },
  };
}
