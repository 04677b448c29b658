/**
 * Migration 0020: `messages_phone` no longer holds a contact's messages; a look-up by number
 * finds them through their contact. What a user relies on still holds: the sends to a number
 * count against its caps whether they were written for a contact, for the bare number, or for a
 * contact that has since changed number or wrote to another number; a subject's export lists
 * them; erasure cancels and anonymises them. The look-ups use the indexes (SQLite: no scan of
 * messages).
 */
import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { recentSendTimes } from '../../src/store/decision-inputs.js';
import { handedSendsOfNumbers } from '../../src/store/dispatch-batch.js';
import { listMessages, listMessagesOf } from '../../src/store/messages.js';
import { ERASED_INDEX, eraseSubjectRows, loadSubjectRows } from '../../src/store/privacy.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import type { Database } from '../../src/store/schema.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { contactRow } from '../helpers/rows.js';

const AT = '2030-01-01T00:00:00.000Z';

const message = (contactId: number | null, phoneIndex: string, status = 'sent') => ({
  contact_id: contactId,
  phone_index: phoneIndex,
  purpose: 'marketing',
  kind: contactId === null ? 'api' : 'campaign',
  segments: 1,
  status,
  not_before: AT,
  sent_at: status === 'sent' ? AT : null,
  created_at: AT,
});

async function idsOf(db: Kysely<Database>, phoneIndex: string): Promise<number[]> {
  return (await listMessagesOf(db, { phoneIndex })).map((m) => m.id);
}

describe.each(DIALECTS)('[%s] messages found by number (migration 0020)', (dialect) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it("finds a contact's messages by number, also after the contact changed number", async () => {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open();
    try {
      const db = store.db;
      await db
        .insertInto('contacts')
        .values([contactRow(1, 'n1'), contactRow(2, 'n2')])
        .execute();
      const insert = async (row: ReturnType<typeof message>) =>
        (await db.insertInto('messages').values(row).returning('id').executeTakeFirstOrThrow()).id;
      const ofContact = await insert(message(1, 'n1'));
      const bare = await insert(message(null, 'n1'));
      const other = await insert(message(2, 'n2'));
      // A message written for contact 2 to a number it does not hold.
      const foreign = await insert(message(2, 'n3', 'queued'));
      expect(await idsOf(db, 'n1')).toEqual([ofContact, bare]);
      expect(await idsOf(db, 'n3')).toEqual([foreign]);

      // Contact 1 takes another number; its old messages are still the old number's, and a new
      // contact holding the old number sees them.
      await db.updateTable('contacts').set({ phone_index: 'n9' }).where('id', '=', 1).execute();
      await db.insertInto('contacts').values(contactRow(3, 'n1')).execute();
      const later = await insert(message(3, 'n1', 'queued'));
      expect(await idsOf(db, 'n1')).toEqual([ofContact, bare, later]);
      expect(await idsOf(db, 'n9')).toEqual([]);

      // Caps count them: the decision's look-ups, one number and many.
      const since = '2029-12-01T00:00:00.000Z';
      expect(await recentSendTimes(db, { phoneIndex: 'n1', since })).toHaveLength(3);
      expect(await recentSendTimes(db, { phoneIndex: 'n3', since })).toHaveLength(1);
      const handed = await handedSendsOfNumbers(db, {
        phoneIndexes: ['n1', 'n2', 'n3'],
        since,
        statuses: ['sent'],
      });
      expect(
        handed
          .get('n1')
          ?.map((s) => s.id)
          .sort(),
      ).toEqual([ofContact, bare].sort());
      expect(handed.get('n2')?.map((s) => s.id)).toEqual([other]);
      expect(handed.get('n3')).toBeUndefined();
      // The API's `?to=` filter.
      expect((await listMessages(db, { phoneIndex: 'n1', limit: 10 })).map((m) => m.id)).toEqual([
        later,
        bare,
        ofContact,
      ]);

      // Export and erasure of the subject holding n1 now (contact 3): every message to n1, and
      // its own, each once.
      const key = { phoneIndex: 'n1', contactId: 3, maskedPhone: '+1***' };
      const rows = await loadSubjectRows(db, key);
      expect(rows.messages.map((m) => m.id)).toEqual([ofContact, bare, later]);
      const counts = await db.transaction().execute(async (tx) =>
        eraseSubjectRows(tx, key, {
          phone_index: 'n1',
          scope: 'all',
          reason: 'erasure',
          created_at: AT,
          note: null,
          created_by: 'test',
        }),
      );
      expect(counts).toMatchObject({ messages: 3, messagesCancelled: 1 });
      const after = await db
        .selectFrom('messages')
        .select(['id', 'phone_index', 'contact_id', 'status'])
        .orderBy('id')
        .execute();
      expect(after.filter((m) => m.phone_index === ERASED_INDEX).map((m) => m.id)).toEqual([
        ofContact,
        bare,
        later,
      ]);
      expect(after.find((m) => m.id === later)?.status).toBe('cancelled');
      expect(await idsOf(db, 'n1')).toEqual([]);
      expect(await idsOf(db, 'n3')).toEqual([foreign]);

      if (dialect === 'sqlite') {
        const { rows: plan } = await sql<{
          detail: string;
        }>`explain query plan select * from messages where phone_index = 'n1'`.execute(db);
        // The full index is gone: only the messages of no contact are in it.
        expect(plan.map((r) => r.detail).join(' | ')).not.toContain('messages_phone');
      }
    } finally {
      await store.destroy();
    }
  });

  it('lists, on an existing database, the contacts that wrote to a number they do not hold; down and up again', async () => {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open({ migrate: false });
    const migrator = (names: (name: string) => boolean) =>
      new Migrator({
        db: store.db,
        ...(store.schema ? { migrationTableSchema: store.schema } : {}),
        provider: {
          getMigrations: async () =>
            Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => names(name))),
        },
      });
    try {
      const before = migrator((name) => name < '0020');
      expect((await before.migrateToLatest()).error).toBeUndefined();
      const db = store.db;
      await db
        .insertInto('contacts')
        .values([contactRow(1, 'n1')])
        .execute();
      await db
        .insertInto('messages')
        .values([message(1, 'n1'), message(1, 'n5'), message(null, 'n5')])
        .execute();
      const all = migrator(() => true);
      expect((await all.migrateToLatest()).error).toBeUndefined();
      expect(await db.selectFrom('number_holders').selectAll().execute()).toEqual([
        { phone_index: 'n5', contact_id: 1 },
      ]);
      expect(await idsOf(db, 'n5')).toHaveLength(2);
      expect(await idsOf(db, 'n1')).toHaveLength(1);
      expect((await all.migrateDown()).error).toBeUndefined();
      expect((await all.migrateToLatest()).error).toBeUndefined();
      expect(await idsOf(db, 'n5')).toHaveLength(2);
    } finally {
      await store.destroy();
    }
  });
});
