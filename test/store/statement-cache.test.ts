import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { cachingDatabase } from '../../src/store/statement-cache.js';

// SQLite only: PostgreSQL has no statements prepared by Herald to keep.
describe('SQLite prepared statements kept by their SQL', () => {
  const dirs: string[] = [];
  const open = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-stmt-'));
    dirs.push(dir);
    const sqlite = new SqliteDatabase(path.join(dir, 'db.sqlite'));
    const database = cachingDatabase(sqlite);
    const db = new Kysely<{ t: { id: number; v: string } }>({
      dialect: new SqliteDialect({ database }),
    });
    return { sqlite, database, db };
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('hands out the same statement for the same SQL, with fresh results each run', async () => {
    const { database, db } = open();
    expect(database.prepare('select 1 as one')).toBe(database.prepare('select 1 as one'));
    await sql`create table t (id integer primary key, v text not null)`.execute(db);
    await db.insertInto('t').values({ id: 1, v: 'a' }).execute();
    const read = () => db.selectFrom('t').select(['id', 'v']).where('id', '>', 0).execute();
    expect(await read()).toEqual([{ id: 1, v: 'a' }]);
    await db.insertInto('t').values({ id: 2, v: 'b' }).execute();
    await db.updateTable('t').set({ v: 'c' }).where('id', '=', 1).execute();
    expect(await read()).toEqual([
      { id: 1, v: 'c' },
      { id: 2, v: 'b' },
    ]);
    await db.destroy();
  });

  it('prepares a fresh statement while the kept one is still being iterated', () => {
    const { sqlite, database } = open();
    sqlite.exec(`create table t (id integer primary key, v text not null);
      insert into t values (1, 'v1'), (2, 'v2'), (3, 'v3')`);
    const source = 'select id from t order by id';
    const kept = database.prepare(source);
    const seen: [unknown, number][] = [];
    for (const row of kept.iterate([])) {
      // The same SQL again while the kept statement is still stepping (a streamed query).
      const again = database.prepare(source);
      expect(again).not.toBe(kept);
      seen.push([(row as { id: number }).id, again.all([]).length]);
    }
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(database.prepare(source)).toBe(kept);
    sqlite.close();
  });

  it('sees a schema change: a kept `select *` returns the column added after it was prepared', async () => {
    const { db } = open();
    await sql`create table t (id integer primary key, v text not null)`.execute(db);
    await db.insertInto('t').values({ id: 1, v: 'a' }).execute();
    const all = () => sql<Record<string, unknown>>`select * from t`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, v: 'a' }]);
    await sql`alter table t add column w text not null default 'x'`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, v: 'a', w: 'x' }]);
    await db.destroy();
  });
});
