import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import type { SimulatorCarrier } from '../../src/carriers/simulator.js';
import { runHygiene } from '../../src/contacts/hygiene.js';
import { wireCarrierEvents } from '../../src/delivery/carrier-events.js';
import { dispatchDue } from '../../src/delivery/dispatcher.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { recordReceipt } from '../../src/delivery/receipts.js';
import { currentConsents } from '../../src/store/consents.js';
import { findMessage } from '../../src/store/messages.js';
import { findSuppressions } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  historyOf,
  NOON_LA,
  openDelivery,
  type DeliveryTest,
} from './helpers.js';

const at = new Date('2030-01-08T20:05:00.000Z');

describe.each(DIALECTS)('[%s] delivery receipts', (dialect) => {
  let t: DeliveryTest;
  let ctx: AppContext;
  let sim: SimulatorCarrier;

  const hardBounces = async (id: number) =>
    (
      await ctx.store.db
        .selectFrom('contacts')
        .select('hard_bounces')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).hard_bounces;

  /** A message the simulator accepted (receipts off: the test reports them itself). */
  const sent = async (to: string, contactId: number | null = null) => {
    const queued = await enqueueMessage(ctx, {
      to,
      purpose: 'transactional',
      kind: 'api',
      body: 'Your order has shipped',
      contactId,
      now: NOON_LA,
    });
    await dispatchDue(ctx, { now: NOON_LA });
    const row = (await findMessage(ctx.store.db, queued.id))!;
    expect(row.status).toBe('sent');
    return row;
  };

  beforeAll(async () => {
    t = await openDelivery(dialect, {
      simulators: [{ receipts: false }],
      env: { HERALD_HARD_BOUNCE_LIMIT: '2' },
    });
    ctx = t.ctx;
    sim = t.sims.simulator!;
  });
  afterAll(async () => t.close());
  beforeEach(() => sim.clear());

  it('moves a message to delivered once; the same receipt again changes nothing', async () => {
    const row = await sent('+14155550140');
    const receipt = {
      carrier: 'simulator',
      carrierMessageId: row.carrier_message_id!,
      status: 'delivered' as const,
      at,
    };
    expect(await recordReceipt(ctx, receipt)).toBe('applied');
    expect(await recordReceipt(ctx, receipt)).toBe('duplicate');
    expect(await findMessage(ctx.store.db, row.id)).toMatchObject({
      status: 'delivered',
      delivered_at: at.toISOString(),
      error_code: null,
    });
    expect(await historyOf(ctx, row.id)).toEqual([
      'queued',
      'sending',
      'submitted',
      'sent',
      'delivered',
    ]);
    // A late contradicting report does not undo a settled outcome.
    expect(await recordReceipt(ctx, { ...receipt, status: 'undelivered', errorCode: 'X' })).toBe(
      'ignored',
    );
    expect(
      await recordReceipt(ctx, { ...receipt, carrierMessageId: 'sim-none', status: 'delivered' }),
    ).toBe('held');
    expect(await recordReceipt(ctx, { ...receipt, carrier: 'other', status: 'delivered' })).toBe(
      'held',
    );
  });

  it('counts a permanent failure of the number once per message, and hygiene acts on the limit', async () => {
    const contactId = await consentingContact(ctx, '+14155550141');
    const first = await sent('+14155550141', contactId);
    const bounce = {
      carrier: 'simulator',
      carrierMessageId: first.carrier_message_id!,
      status: 'undelivered' as const,
      errorCode: 'SIM_UNKNOWN_SUBSCRIBER',
      at,
    };
    expect(await recordReceipt(ctx, bounce)).toBe('applied');
    expect(await recordReceipt(ctx, bounce)).toBe('duplicate');
    expect(await hardBounces(contactId)).toBe(1);
    expect(await findMessage(ctx.store.db, first.id)).toMatchObject({
      status: 'undelivered',
      error_code: 'SIM_UNKNOWN_SUBSCRIBER',
    });

    // Temporary reasons (phone off, memory full) are no bounce; a carrier's own flag is.
    const second = await sent('+14155550141', contactId);
    await recordReceipt(ctx, {
      ...bounce,
      carrierMessageId: second.carrier_message_id!,
      status: 'expired',
      errorCode: 'SIM_ABSENT_SUBSCRIBER',
    });
    expect(await hardBounces(contactId)).toBe(1);
    const third = await sent('+14155550141', contactId);
    await recordReceipt(ctx, {
      ...bounce,
      carrierMessageId: third.carrier_message_id!,
      errorCode: '001',
      permanent: true,
    });
    expect(await hardBounces(contactId)).toBe(2);

    await runHygiene(ctx, { now: new Date(), actor: 'test' });
    const contact = await ctx.store.db
      .selectFrom('contacts')
      .select(['status', 'invalid_reason'])
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    expect(contact).toEqual({ status: 'invalid', invalid_reason: 'hard_bounce' });
    expect(
      (await findSuppressions(ctx.store.db, ctx.cipher.blindIndex('+14155550141'))).map(
        (s) => s.reason,
      ),
    ).toContain('hard_bounce');
  });

  it('settles a message whose outcome was unknown when its receipt comes after all', async () => {
    const row = await sent('+14155550142');
    await ctx.store.db
      .updateTable('messages')
      .set({ status: 'unknown', error_code: 'CARRIER_TIMEOUT' })
      .where('id', '=', row.id)
      .execute();
    expect(
      await recordReceipt(ctx, {
        carrier: 'simulator',
        carrierMessageId: row.carrier_message_id!,
        status: 'delivered',
        at,
      }),
    ).toBe('applied');
    expect((await findMessage(ctx.store.db, row.id))!.status).toBe('delivered');
  });
});

describe.each(DIALECTS)('[%s] receipts and inbound pushed by a carrier', (dialect) => {
  let t: DeliveryTest;

  beforeAll(async () => {
    t = await openDelivery(dialect, {
      simulators: [
        {
          receiptDelayMs: [1, 20],
          failures: [
            {
              suffix: '0143',
              errorCode: 'SIM_UNKNOWN_SUBSCRIBER',
              permanent: true,
              stage: 'receipt',
            },
          ],
        },
      ],
    });
  });
  afterAll(async () => t.close());

  it('wires receipts to the messages and inbound messages to the inbound handling', async () => {
    const events = wireCarrierEvents(t.ctx);
    const contactId = await consentingContact(t.ctx, '+14155550143');
    const ids: number[] = [];
    for (const to of ['+14155550144', '+14155550145', '+14155550143']) {
      const queued = await enqueueMessage(t.ctx, {
        to,
        purpose: 'transactional',
        kind: 'api',
        body: 'Your order has shipped',
        contactId: to.endsWith('0143') ? contactId : null,
        now: NOON_LA,
      });
      ids.push(queued.id);
    }
    await dispatchDue(t.ctx, { now: NOON_LA });
    await vi.waitFor(async () => {
      const statuses = await Promise.all(
        ids.map(async (id) => (await findMessage(t.ctx.store.db, id))!.status),
      );
      expect(statuses).toEqual(['delivered', 'delivered', 'undelivered']);
    });
    // Applied on arrival, or held when it overtook the dispatcher's record of its id.
    const { applied, held } = events.counts();
    expect(applied + held).toBe(3);

    t.sims.simulator!.pushInbound('+14155550143', 'STOP');
    await vi.waitFor(() => expect(events.counts().inbound).toBe(1));
    await events.idle();
    const marketing = (await currentConsents(t.ctx.store.db, contactId)).find(
      (c) => c.purpose === 'marketing',
    );
    expect(marketing?.granted).toBe(0);
    events.stop();
  });
});
