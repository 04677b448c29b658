/**
 * The planner skips the frequency-cap look-up for contacts whose markers (migration 0018, kept by
 * triggers: `contacts.last_message_at`, `number_marks`) show no message near the cap window. These cases start from contacts
 * with no message at all, so the marker alone decides whether the planner looks: every way a
 * send reaches the outbox must still be counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnCampaign } from '../../src/campaigns/campaigns.js';
import { planCampaign } from '../../src/campaigns/planner.js';
import { enqueueMessage } from '../../src/delivery/outbox.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  NOON_LA,
  openDelivery,
  PROMO,
  setMarketingCap,
  type DeliveryTest,
} from '../delivery/helpers.js';
import { campaignMessages, launch, promoCampaign } from './helpers.js';

const HOUR = 3600_000;

describe.each(DIALECTS)('[%s] frequency caps of contacts with no earlier message', (dialect) => {
  let t: DeliveryTest;

  beforeAll(async () => {
    t = await openDelivery(dialect);
    await setMarketingCap(t.ctx, 'US', 1);
  });
  afterAll(async () => t.close());

  async function markerOf(contactId: number): Promise<string | null> {
    const row = await t.ctx.store.db
      .selectFrom('contacts')
      .select('last_message_at')
      .where('id', '=', contactId)
      .executeTakeFirstOrThrow();
    return row.last_message_at;
  }

  async function planAll(): Promise<number[]> {
    const ids: number[] = [];
    for (const name of ['first', 'second']) {
      const c = await launch(t.ctx, promoCampaign({ name }), NOON_LA);
      await actOnCampaign(t.ctx, c.id, 'start', { actor: 'test', now: NOON_LA });
      ids.push(c.id);
    }
    await Promise.all(ids.map((id) => planCampaign(t.ctx, id, { now: NOON_LA, batchSize: 2 })));
    return ids;
  }

  async function cancel(ids: readonly number[]): Promise<void> {
    for (const id of ids) await actOnCampaign(t.ctx, id, 'cancel', { actor: 'test', now: NOON_LA });
  }

  /** Both campaigns planned at once defer the contact for the cap its earlier send used up. */
  async function expectCappedInBoth(contactId: number): Promise<void> {
    const campaigns = await planAll();
    for (const c of campaigns) {
      const mine = (await campaignMessages(t.ctx, c)).filter((m) => m.contact_id === contactId);
      expect(mine).toMatchObject([{ status: 'deferred', error_code: 'frequency_cap' }]);
    }
    await cancel(campaigns);
  }

  it('holds the cap across two campaigns planned at the same moment', async () => {
    const fresh: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await consentingContact(t.ctx, `+1415555${String(3000 + i)}`);
      expect(await markerOf(id)).toBeNull();
      fresh.push(id);
    }
    const campaigns = await planAll();
    const all = (await Promise.all(campaigns.map((id) => campaignMessages(t.ctx, id)))).flat();
    for (const id of fresh) {
      const mine = all.filter((m) => m.contact_id === id);
      expect(mine.map((m) => [m.status, m.error_code]).sort()).toEqual([
        ['deferred', 'frequency_cap'],
        ['queued', null],
      ]);
      expect(await markerOf(id)).not.toBeNull();
    }
    await cancel(campaigns);
  });

  it('counts a send queued through the API before the campaign', async () => {
    const phone = '+14155554000';
    const id = await consentingContact(t.ctx, phone);
    await enqueueMessage(t.ctx, {
      to: phone,
      contactId: id,
      purpose: 'marketing',
      kind: 'api',
      body: PROMO,
      notBefore: new Date(NOON_LA.getTime() - HOUR),
      now: NOON_LA,
    });
    expect(await markerOf(id)).toBe(new Date(NOON_LA.getTime() - HOUR).toISOString());
    await expectCappedInBoth(id);
  });

  it('counts a send to the number from before it became a contact', async () => {
    const phone = '+14155554001';
    await enqueueMessage(t.ctx, {
      to: phone,
      purpose: 'marketing',
      kind: 'api',
      body: PROMO,
      now: new Date(NOON_LA.getTime() - 2 * HOUR),
    });
    const id = await consentingContact(t.ctx, phone);
    // Written while the number was no contact's: its mark is the number's, not the contact's.
    expect(await markerOf(id)).toBeNull();
    const mark = await t.ctx.store.db
      .selectFrom('number_marks')
      .select('last_message_at')
      .where('phone_index', '=', t.ctx.cipher.blindIndex(phone))
      .executeTakeFirst();
    expect(mark?.last_message_at).toBe(new Date(NOON_LA.getTime() - 2 * HOUR).toISOString());
    await expectCappedInBoth(id);
  });

  /** 40 days before noon: outside the cap window. */
  const WEEKS_AGO = new Date(NOON_LA.getTime() - 40 * 24 * HOUR);
  /** A marketing message to the contact, queued WEEKS_AGO. */
  const queueWeeksAgo = (phone: string, contactId: number) =>
    enqueueMessage(t.ctx, {
      to: phone,
      contactId,
      purpose: 'marketing',
      kind: 'api',
      body: PROMO,
      now: WEEKS_AGO,
    });

  it('follows a message sent late or deferred, and not an ordinary send', async () => {
    const phone = '+14155554002';
    const id = await consentingContact(t.ctx, phone);
    const message = await queueWeeksAgo(phone, id);
    const at = (ms: number) => new Date(WEEKS_AGO.getTime() + ms).toISOString();
    const update = (patch: { sent_at?: string; not_before?: string; status: string }) =>
      t.ctx.store.db.updateTable('messages').set(patch).where('id', '=', message.id).execute();
    expect(await markerOf(id)).toBe(at(0));

    // Sent an hour after it was due: within the day the marker leaves for it.
    await update({ status: 'submitted', sent_at: at(HOUR) });
    expect(await markerOf(id)).toBe(at(0));

    // Retried and deferred three days on, then sent two days after that.
    await update({ status: 'deferred', not_before: at(72 * HOUR) });
    expect(await markerOf(id)).toBe(at(72 * HOUR));
    await update({ status: 'submitted', sent_at: at(120 * HOUR) });
    expect(await markerOf(id)).toBe(at(120 * HOUR));
  });

  it('still sees a send that went out weeks after it was queued', async () => {
    const phone = '+14155554003';
    const id = await consentingContact(t.ctx, phone);
    // Queued 40 days ago (outside the window), held back, and handed to a carrier an hour ago.
    const message = await queueWeeksAgo(phone, id);
    await t.ctx.store.db
      .updateTable('messages')
      .set({ status: 'submitted', sent_at: new Date(NOON_LA.getTime() - HOUR).toISOString() })
      .where('id', '=', message.id)
      .execute();
    await expectCappedInBoth(id);
  });
});
