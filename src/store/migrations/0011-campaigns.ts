/**
 * Campaigns: the campaign itself (audience, variants, experiment, schedule, guardrails), its
 * lifecycle (status, who wrote and who approved it, why it is paused) and the planner's
 * checkpoint (phase and the last contact id planned, moved in the same transaction as each
 * batch of messages). Messages learn their variant; the planner writes at most one message per
 * campaign and contact (a unique key over planned rows, those with a variant: it makes a
 * resumed plan safe), and the guardrails read a campaign's latest messages by send time.
 */
import { sql } from 'kysely';
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull()) // JSON { segmentId } | { filter }
    .addColumn('variants', 'text', (c) => c.notNull()) // JSON Variant[]
    .addColumn('experiment', 'text') // JSON Experiment
    .addColumn('schedule', 'text', (c) => c.notNull()) // JSON CampaignSchedule
    .addColumn('guardrails', 'text', (c) => c.notNull()) // JSON GuardrailInput
    .addColumn('sender', 'text')
    .addColumn('brand', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('paused_from', 'text')
    .addColumn('pause_reason', 'text')
    .addColumn('pause_detail', 'text') // JSON
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('approver', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('rejection', 'text')
    .addColumn('plan_at', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('plan_phase', 'text', (c) => c.notNull())
    .addColumn('plan_after_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('winner', 'text')
    .addColumn('winner_reason', 'text')
    .addColumn('cost', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('campaigns_status')
    .on('campaigns')
    .columns(['status', 'plan_at'])
    .execute();
  await db.schema.alterTable('messages').addColumn('variant', 'text').execute();
  await db.schema
    .createIndex('messages_campaign_contact')
    .on('messages')
    .columns(['campaign_id', 'contact_id'])
    .unique()
    // The planner's messages carry their variant; other rows naming a campaign are not planned.
    .where(sql.ref('variant'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('messages_campaign_sent')
    .on('messages')
    .columns(['campaign_id', 'sent_at'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropIndex('messages_campaign_sent').execute();
  await db.schema.dropIndex('messages_campaign_contact').execute();
  await db.schema.alterTable('messages').dropColumn('variant').execute();
  await db.schema.dropTable('campaigns').execute();
}
