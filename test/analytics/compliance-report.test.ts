/**
 * The compliance report finds what went wrong, on both dialects: messages written straight into
 * the outbox as if something had sent them without asking (no consent yet, after a withdrawal,
 * to a suppressed number, at night), opt-out replies and how long they took, and the staff who
 * revealed numbers. Each finding names the message and the consent event it was judged by.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complianceReport } from '../../src/compliance/report.js';
import { evidenceCsv } from '../../src/compliance/report-render.js';
import { recordConsent } from '../../src/contacts/consent.js';
import { receiveInbound } from '../../src/contacts/inbound.js';
import { addSuppression } from '../../src/store/suppressions.js';
import { DIALECTS } from '../helpers/databases.js';
import {
  consentingContact,
  NOON_LA,
  openDelivery,
  type DeliveryTest,
} from '../delivery/helpers.js';

const PERIOD = { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-02-01T00:00:00Z') };
const hours = (n: number) => new Date(NOON_LA.getTime() + n * 3_600_000).toISOString();

describe.each(DIALECTS)('[%s] compliance report', (dialect) => {
  let t: DeliveryTest;
  const ids: Record<string, number> = {};

  async function sent(
    name: string,
    contactId: number,
    phone: string,
    sentAt: string,
    purpose = 'marketing',
  ) {
    const row = await t.ctx.store.db
      .insertInto('messages')
      .values({
        contact_id: contactId,
        phone_index: t.ctx.cipher.blindIndex(phone),
        phone_enc: null,
        purpose,
        kind: 'single',
        body: 'Acme: sale. Reply STOP to opt out',
        segments: 1,
        status: 'delivered',
        not_before: sentAt,
        created_at: sentAt,
        sent_at: sentAt,
        country: 'US',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[name] = row.id;
  }

  beforeAll(async () => {
    t = await openDelivery(dialect);
    const phones = ['+14155550101', '+14155550102', '+14155550103', '+14155550104', '+14155550105'];
    const [fine, late, revoked, suppressed, night] = await Promise.all(
      phones.map((p) => consentingContact(t.ctx, p)),
    );
    await sent('fine', fine!, phones[0]!, hours(0));
    // Consent granted in 2029-06; this one's number came back later with no consent: a second
    // contact whose consent only came after its message.
    await sent('late', late!, phones[1]!, '2030-01-05T20:00:00.000Z');
    await t.ctx.store.db.deleteFrom('contact_consents').where('contact_id', '=', late!).execute();
    await t.ctx.store.db
      .updateTable('consent_events')
      .set({ at: '2030-01-06T00:00:00.000Z' })
      .where('contact_id', '=', late!)
      .execute();
    await recordConsent(
      t.ctx.store.db,
      { id: revoked!, phoneIndex: t.ctx.cipher.blindIndex(phones[2]!) },
      {
        purpose: 'marketing',
        action: 'revoke',
        method: 'keyword',
        source: 'test',
        at: new Date(hours(-1)),
      },
      'test',
    );
    await sent('revoked', revoked!, phones[2]!, hours(0));
    await addSuppression(t.ctx.store.db, {
      phone_index: t.ctx.cipher.blindIndex(phones[3]!),
      scope: 'all',
      reason: 'complaint',
      note: null,
      created_by: 'test',
      created_at: hours(-2),
    });
    await sent('suppressed', suppressed!, phones[3]!, hours(0));
    await sent('night', night!, phones[4]!, hours(11)); // 23:00 in Los Angeles
    await sent('transactional', night!, phones[4]!, hours(11), 'transactional');
    // Two opt-out replies, honoured as they arrive.
    for (const [i, p] of [phones[0]!, phones[4]!].entries()) {
      await receiveInbound(t.ctx, {
        carrier: 'simulator',
        from: p,
        text: 'STOP',
        receivedAt: new Date(hours(20 + i)),
        carrierMessageId: `in-${i}`,
      });
    }
    ids.fineContact = fine!;
    ids.revokedContact = revoked!;
  });
  afterAll(async () => t.close());

  it('checks every sent marketing message and names each problem with its evidence', async () => {
    const report = await complianceReport(t.ctx, PERIOD, { now: new Date(hours(30)) });
    expect(report.marketing).toMatchObject({
      checked: 5,
      compliant: 1,
      // The withdrawal also suppressed the number: that message has two findings.
      problems: { no_consent: 2, suppressed: 2, quiet_hours: 1 },
      findingsTruncated: false,
    });
    const byMessage = Object.fromEntries(
      report.marketing.findings
        .filter((f) => f.problem !== 'suppressed' || f.messageId !== ids.revoked)
        .map((f) => [f.messageId, f]),
    );
    expect(
      report.marketing.findings.filter((f) => f.messageId === ids.revoked).map((f) => f.problem),
    ).toEqual(['no_consent', 'suppressed']);
    expect(byMessage[ids.late!]).toMatchObject({ problem: 'no_consent', consent: null });
    expect(byMessage[ids.revoked!]).toMatchObject({
      problem: 'no_consent',
      consent: { action: 'revoke', method: 'keyword' },
    });
    expect(byMessage[ids.suppressed!]).toMatchObject({
      problem: 'suppressed',
      consent: { action: 'grant' },
    });
    expect(byMessage[ids.night!]).toMatchObject({
      problem: 'quiet_hours',
      detail: 'America/Los_Angeles',
    });
    expect(byMessage[ids.fine!]).toBeUndefined();
    expect(report.optOuts).toMatchObject({
      replies: 2,
      honoured: 2,
      notHonoured: 0,
      latency: { count: 2, p50Seconds: 0, p99Seconds: 0 },
    });
    expect(report.optOuts.revokesByMethod.keyword).toBe(3);
    // A narrower period sees only its own messages.
    const narrow = await complianceReport(t.ctx, {
      from: new Date(hours(10)),
      to: new Date(hours(12)),
    });
    expect(narrow.marketing).toMatchObject({ checked: 1, problems: { quiet_hours: 1 } });
    const capped = await complianceReport(t.ctx, PERIOD, { findingLimit: 2 });
    expect(capped.marketing.findings).toHaveLength(2);
    expect(capped.marketing.findingsTruncated).toBe(true);
  });

  it('exports every message with the consent event it relied on', async () => {
    let text = '';
    for await (const chunk of evidenceCsv(t.ctx, PERIOD)) text += chunk;
    const rows = text.trim().split('\n');
    expect(rows[0]).toBe(
      'message_id,campaign_id,contact_id,sent_at,country,consent_event_id,consent_action,consent_method,consent_at,compliant,problems',
    );
    expect(rows).toHaveLength(6);
    const grant = await t.ctx.store.db
      .selectFrom('consent_events')
      .select('id')
      .where('contact_id', '=', ids.fineContact!)
      .where('action', '=', 'grant')
      .executeTakeFirstOrThrow();
    expect(rows.find((r) => r.startsWith(`${ids.fine},`))).toContain(
      `,${grant.id},grant,web_form,`,
    );
    expect(rows.find((r) => r.startsWith(`${ids.night},`))).toMatch(
      /,no,quiet_hours: America\/Los_Angeles$/,
    );
  });
});
