import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe.each(DIALECTS)('[%s] migrations', (dialect) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('apply every migration on an empty database, then nothing on a second run', async () => {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open({ migrate: false });
    const first = await migrateToLatest(store);
    expect(first.applied).toEqual(Object.keys(MIGRATIONS));
    const second = await migrateToLatest(store);
    expect(second.applied).toEqual([]);
    const users = await sql<{ n: number }>`select count(*) as n from users`.execute(store.db);
    expect(Number(users.rows[0]!.n)).toBe(0);
    const head = await store.db.selectFrom('audit_head').selectAll().execute();
    expect(head).toEqual([{ id: 1, seq: 0, hash: '0'.repeat(64) }]);
    await store.destroy();
  });
});
