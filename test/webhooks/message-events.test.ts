// message.delivered and message.failed: emitted once, when a message reaches its final status
// (a carrier's receipt, or the dispatcher giving up on a permanent refusal), with the number masked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { maskPhone } from '../../src/core/phone.js';
import type { WebhookEnvelope } from '../../src/core/webhooks.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { recordReceipt } from '../../src/delivery/receipts.js';
import { findMessage } from '../../src/store/messages.js';
import { listWebhookDeliveries } from '../../src/store/webhooks.js';
import { createWebhook } from '../../src/webhooks/endpoints.js';
import { DIALECTS } from '../helpers/databases.js';
import { NOON_LA, openDelivery, type DeliveryTest } from '../delivery/helpers.js';

const at = new Date('2030-01-08T20:05:00.000Z');

describe.each(DIALECTS)('[%s] message outcome events', (dialect) => {
  let t: DeliveryTest;
  let ctx: AppContext;
  let endpointId: number;

  const events = async () =>
    (await listWebhookDeliveries(ctx.store.db, { endpointId, limit: 100 })).map(
      (d) => JSON.parse(d.body!) as WebhookEnvelope<'message.delivered' | 'message.failed'>,
    );
  const queue = async (to: string) => {
    const queued = await enqueueMessage(ctx, {
      to,
      purpose: 'transactional',
      kind: 'api',
      body: 'Your order has shipped',
      contactId: null,
      now: NOON_LA,
    });
    await dispatchDue(ctx, { now: NOON_LA });
    return (await findMessage(ctx.store.db, queued.id))!;
  };

  beforeAll(async () => {
    t = await openDelivery(dialect, { simulators: [{ receipts: false }] });
    ctx = t.ctx;
    const { view } = await createWebhook(
      ctx,
      { url: 'https://hooks.example/herald', events: ['message.delivered', 'message.failed'] },
      'test',
    );
    endpointId = view.id;
  });
  afterAll(async () => t.close());

  it('emits message.delivered for a delivery receipt, once however often it comes', async () => {
    const row = await queue('+14155550150');
    expect(row.status).toBe('sent');
    const receipt = {
      carrier: 'simulator',
      carrierMessageId: row.carrier_message_id!,
      status: 'delivered' as const,
      at,
    };
    expect(await recordReceipt(ctx, receipt)).toBe('applied');
    expect(await recordReceipt(ctx, receipt)).toBe('duplicate');
    const delivered = (await events()).filter((e) => e.data.messageId === row.id);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      type: 'message.delivered',
      createdAt: at.toISOString(),
      data: {
        messageId: row.id,
        phone: maskPhone('+14155550150'),
        purpose: 'transactional',
        status: 'delivered',
        carrier: 'simulator',
        carrierMessageId: row.carrier_message_id,
        errorCode: null,
      },
    });
    expect(JSON.stringify(delivered)).not.toContain('4155550150');
  });

  it('emits message.failed for an undelivered receipt, with the carrier’s error code', async () => {
    const row = await queue('+14155550151');
    await recordReceipt(ctx, {
      carrier: 'simulator',
      carrierMessageId: row.carrier_message_id!,
      status: 'undelivered',
      errorCode: 'SIM_ABSENT_SUBSCRIBER',
      at,
    });
    const failed = (await events()).filter((e) => e.data.messageId === row.id);
    expect(failed).toMatchObject([
      {
        type: 'message.failed',
        data: { status: 'undelivered', errorCode: 'SIM_ABSENT_SUBSCRIBER' },
      },
    ]);
  });

  it('emits message.failed when the carrier refuses a message for good, not for a retry', async () => {
    // The simulator refuses numbers ending 0001 for good and throttles those ending 0002.
    const refused = await queue('+14155550001');
    expect(refused.status).toBe('failed');
    const retried = await queue('+14155550002');
    expect(retried.status).toBe('queued');
    const all = await events();
    expect(all.filter((e) => e.data.messageId === refused.id)).toMatchObject([
      {
        type: 'message.failed',
        data: { status: 'failed', errorCode: 'SIM_UNKNOWN_SUBSCRIBER', carrier: 'simulator' },
      },
    ]);
    expect(all.filter((e) => e.data.messageId === retried.id)).toEqual([]);
  });
});
