/**
 * Migration 0018 on a database that already holds messages: the markers are filled from them
 * (a contact's number, a bare number), and a contact given another number takes that number's.
 */
import { Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { contactRow } from '../helpers/rows.js';

const BEFORE = Object.fromEntries(
  Object.entries(MIGRATIONS).filter(([name]) => name < '0018-contact-send-marker'),
);

const message = (phoneIndex: string, notBefore: string, sentAt: string | null) => ({
  contact_id: null,
  phone_index: phoneIndex,
  purpose: 'marketing',
  kind: 'api',
  segments: 1,
  status: sentAt ? 'sent' : 'queued',
  not_before: notBefore,
  sent_at: sentAt,
  created_at: notBefore,
});

describe.each(DIALECTS)('[%s] migration 0018 (cap markers)', (dialect) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('fills the markers from the messages already stored, and follows a new number', async () => {
    const database = await createTestDatabase(dialect);
    dbs.push(database);
    const store = await database.open({ migrate: false });
    const migrator = new Migrator({
      db: store.db,
      ...(store.schema ? { migrationTableSchema: store.schema } : {}),
      provider: { getMigrations: async () => BEFORE },
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await store.db
      .insertInto('contacts')
      .values([contactRow(1, 'pi-a'), contactRow(2, 'pi-c')])
      .execute();
    await store.db
      .insertInto('messages')
      .values([
        message('pi-a', '2030-01-02T00:00:00.000Z', '2030-01-05T00:00:00.000Z'),
        message('pi-a', '2030-01-03T00:00:00.000Z', null),
        message('pi-b', '2030-01-04T00:00:00.000Z', null),
      ])
      .execute();
    await migrateToLatest(store);

    const markers = await store.db
      .selectFrom('contacts')
      .select(['id', 'last_message_at'])
      .orderBy('id')
      .execute();
    expect(markers).toEqual([
      { id: 1, last_message_at: '2030-01-05T00:00:00.000Z' },
      { id: 2, last_message_at: null },
    ]);
    expect(await store.db.selectFrom('number_marks').selectAll().execute()).toEqual([
      { phone_index: 'pi-b', last_message_at: '2030-01-04T00:00:00.000Z' },
    ]);

    // Contact 2 takes the bare number: its marker now covers that number's message.
    await store.db
      .updateTable('contacts')
      .set({ phone_index: 'pi-b' })
      .where('id', '=', 2)
      .execute();
    const renumbered = await store.db
      .selectFrom('contacts')
      .select('last_message_at')
      .where('id', '=', 2)
      .executeTakeFirstOrThrow();
    expect(renumbered.last_message_at).toBe('2030-01-04T00:00:00.000Z');
    await store.destroy();
  });
});
