/**
 * Delivery and double opt-in: a pending sign-up remembers its confirmation message (evidence),
 * and its encrypted number may be dropped (`phone_enc` null) once the request is expired,
 * superseded or was never sent; indexes for the outbox's lease recovery and the expiry sweep.
 *
 * SQLite cannot drop a NOT NULL constraint, so there the table is rebuilt (nothing references it).
 */
import { sql } from 'kysely';
import { isPostgres, serialPk, serialType, type MigrationDb } from './helpers.js';

const COLUMNS = [
  'id',
  'phone_index',
  'phone_enc',
  'form_id',
  'token_hash',
  'ip',
  'user_agent',
  'form_url',
  'locale',
  'attributes',
  'status',
  'created_at',
  'expires_at',
  'confirmed_at',
  'confirm_method',
];

async function rebuildSqlite(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('pending_subscriptions_next')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('phone_index', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('form_id', 'integer', (c) => c.notNull().references('forms.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('form_url', 'text')
    .addColumn('locale', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('confirm_method', 'text')
    .addColumn('message_id', 'integer')
    .execute();
  const cols = sql.join(COLUMNS.map((c) => sql.ref(c)));
  await sql`insert into pending_subscriptions_next (${cols}) select ${cols} from pending_subscriptions`.execute(
    db,
  );
  await db.schema.dropTable('pending_subscriptions').execute();
  await db.schema
    .alterTable('pending_subscriptions_next')
    .renameTo('pending_subscriptions')
    .execute();
  await db.schema
    .createIndex('pending_subscriptions_phone')
    .on('pending_subscriptions')
    .columns(['phone_index', 'status'])
    .execute();
}

export async function up(db: MigrationDb): Promise<void> {
  if (isPostgres(db)) {
    await db.schema
      .alterTable('pending_subscriptions')
      .alterColumn('phone_enc', (c) => c.dropNotNull())
      .execute();
    await db.schema
      .alterTable('pending_subscriptions')
      .addColumn('message_id', 'integer')
      .execute();
  } else {
    await rebuildSqlite(db);
  }
  await db.schema
    .createIndex('pending_subscriptions_expiry')
    .on('pending_subscriptions')
    .columns(['status', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('messages_lease')
    .on('messages')
    .columns(['status', 'lease_until'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('messages_lease').execute();
  await db.schema.dropIndex('pending_subscriptions_expiry').execute();
  // Rows without a number cannot go back under NOT NULL; they hold nothing worth keeping.
  await db.deleteFrom('pending_subscriptions').where('phone_enc', 'is', null).execute();
  await db.schema.alterTable('pending_subscriptions').dropColumn('message_id').execute();
  if (isPostgres(db)) {
    await db.schema
      .alterTable('pending_subscriptions')
      .alterColumn('phone_enc', (c) => c.setNotNull())
      .execute();
  }
}
