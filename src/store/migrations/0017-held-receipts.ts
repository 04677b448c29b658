/**
 * Delivery receipts that matched no message yet (the carrier answered before the dispatcher
 * wrote its id, or the worker that sent the message died before it could): kept here until the
 * message's id is written or they are too old (see src/delivery/held-receipts.ts), so that a
 * receipt acknowledged to its carrier is never only in memory. One row per carrier, id and
 * status: a receipt the carrier delivers again lands once. And the tally of those dropped
 * unmatched, per carrier, for the metrics of every process.
 */
import { serialPk, serialType, type MigrationDb } from './helpers.js';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable('held_receipts')
    .addColumn('id', serialType(db), serialPk(db))
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('carrier_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    // The carrier's time of the outcome (the receipt's done date).
    .addColumn('done_at', 'text', (c) => c.notNull())
    // JSON: the rest of the receipt (e.g. { "permanent": true }).
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('held_receipts_key', ['carrier', 'carrier_message_id', 'status'])
    .execute();
  await db.schema
    .createIndex('held_receipts_received')
    .on('held_receipts')
    .column('received_at')
    .execute();
  await db.schema
    .createTable('receipt_drops')
    .addColumn('carrier', 'text', (c) => c.primaryKey())
    .addColumn('dropped', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('receipt_drops').execute();
  await db.schema.dropTable('held_receipts').execute();
}
