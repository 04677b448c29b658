/** Tracked short links and their clicks. */
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('short_links')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('message_id', 'integer')
    .addColumn('contact_id', 'integer', (c) => c.references('contacts.id').onDelete('set null'))
    .addColumn('campaign_id', 'integer')
    .addColumn('variant', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .execute();
  await db.schema
    .createIndex('short_links_campaign')
    .on('short_links')
    .columns(['campaign_id', 'variant'])
    .execute();
  await db.schema
    .createIndex('short_links_contact')
    .on('short_links')
    .column('contact_id')
    .execute();

  await db.schema
    .createTable('link_clicks')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('code', 'text', (c) =>
      c.notNull().references('short_links.code').onDelete('cascade'),
    )
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('is_bot', 'integer', (c) => c.notNull())
    // A keyed hash of IP and user agent, to count unique visitors of unattributed links.
    .addColumn('visitor', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('link_clicks_code')
    .on('link_clicks')
    .columns(['code', 'at'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('link_clicks').execute();
  await db.schema.dropTable('short_links').execute();
}
