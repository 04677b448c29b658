import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditor, verifyAuditChain } from '../../src/security/audit.js';
import type { Store } from '../../src/store/database.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';

describe.each(DIALECTS)('[%s] audit chain', (dialect) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  async function chainOf(n: number): Promise<{ store: Store; key: Buffer }> {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open();
    const key = randomBytes(32);
    const auditor = createAuditor(store.db, key);
    for (let i = 0; i < n; i++) {
      await auditor.record({
        actor: 'user:alice',
        action: 'contact.reveal',
        target: `contact:${i}`,
        details: { i },
      });
    }
    return { store, key };
  }

  it('verifies an untouched chain', async () => {
    const { store, key } = await chainOf(25);
    expect(await verifyAuditChain(store.db, key, 7)).toEqual({ ok: true, rows: 25 });
    await store.destroy();
  });

  it('keeps the chain whole under concurrent writers', async () => {
    const { store, key } = await chainOf(0);
    const auditor = createAuditor(store.db, key);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => auditor.record({ actor: 'system', action: `a${i}` })),
    );
    expect(await verifyAuditChain(store.db, key)).toEqual({ ok: true, rows: 40 });
    await store.destroy();
  });

  it.each([
    ['changed', sql`update audit_log set actor = 'user:mallory' where seq = 12`, 12],
    ['changed', sql`update audit_log set details = '{"i":99}' where seq = 1`, 1],
    ['deleted', sql`delete from audit_log where seq = 9`, 9],
    ['deleted', sql`delete from audit_log where seq >= 19`, 19],
    [
      'inserted',
      sql`insert into audit_log (seq, at, actor, action, target, details, ip, prev_hash, hash)
          values (21, '2026-01-01T00:00:00.000Z', 'user:mallory', 'contact.reveal', null, '{}', null, 'x', 'y')`,
      21,
    ],
  ])(
    'names the first broken row when a row is %s behind its back',
    async (problem, statement, seq) => {
      const { store, key } = await chainOf(20);
      await statement.execute(store.db);
      const result = await verifyAuditChain(store.db, key);
      expect(result.ok).toBe(false);
      expect(result.firstBad).toMatchObject({ seq, problem });
      await store.destroy();
    },
  );

  it('cannot be re-sealed without the key', async () => {
    const { store, key } = await chainOf(5);
    await sql`update audit_log set actor = 'user:mallory' where seq = 3`.execute(store.db);
    const other = randomBytes(32);
    expect((await verifyAuditChain(store.db, other)).firstBad?.seq).toBe(1);
    expect((await verifyAuditChain(store.db, key)).firstBad?.seq).toBe(3);
    await store.destroy();
  });
});
