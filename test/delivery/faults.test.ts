/**
 * Issue 5's fault acceptance: the fake SMSC answers 20% of submissions with a transient error
 * (ESME_RSYSERR) and never answers 1% (a stall), drawn from a seed. The dispatcher sends a mix of
 * marketing and transactional messages over real SMPP on 127.0.0.1 and the clock of its batches
 * moves on ten minutes a round, so retries with back-off come due without real waiting.
 *
 * Every message must end delivered or properly failed (its attempts used up on transient
 * errors), none twice: the SMSC accepts each message at most once, and a marketing message
 * whose submission stalled (outcome unknown: the SMSC may have it) ends `unknown` and is never
 * submitted again. A stalled transactional message is retried under the same message id.
 *
 * HERALD_TEST_FAULT_MESSAGES sets the number of messages (default 2,000).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { createCarrierRegistry } from '../../src/carriers/carrier.js';
import { createSmppCarrier } from '../../src/carriers/smpp.js';
import { wireCarrierEvents, type CarrierEvents } from '../../src/delivery/carrier-events.js';
import { DISPATCH_DEFAULTS, dispatchDue } from '../../src/delivery/dispatcher.js';
import { normaliseRouting } from '../../src/delivery/routing-config.js';
import { createRouter } from '../../src/delivery/routing.js';
import { FakeSmsc, type SmscSubmission } from '../fakes/smsc.js';
import { openTestContext } from '../helpers/context.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { seedBulkOutbox, tagOf, type BulkOutbox } from './bulk-outbox.js';

const COUNT = Number(process.env.HERALD_TEST_FAULT_MESSAGES ?? 2_000);
/** Tuesday 8 January 2030, 12:00 in Los Angeles, where the contacts live. */
const START = new Date('2030-01-08T20:00:00.000Z');
const ROUND_MS = 10 * 60_000;
const ESME_RSYSERR = 0x08;

describe.each(DIALECTS)('[%s] delivery under carrier faults', (dialect) => {
  let ctx: AppContext;
  let database: TestDatabase;
  let fake: FakeSmsc;
  let events: CarrierEvents;
  let outbox: BulkOutbox;

  beforeAll(async () => {
    fake = await FakeSmsc.start({
      seed: 20_260_105,
      faults: { transientFraction: 0.2, stallFraction: 0.01 },
      receipts: { delayMs: 0 },
      // Receipts go out ten at a time, as an SMSC's window has them.
      deliverWindow: 10,
      deliverTimeoutMs: 60_000,
      recordLimit: COUNT * 3,
    });
    const opened = await openTestContext(dialect);
    database = opened.database;
    const carriers = createCarrierRegistry([
      createSmppCarrier({
        host: '127.0.0.1',
        port: fake.port,
        systemId: 'herald',
        password: 'secret',
        window: 20,
        // A stall shows as a timeout soon; the lease (one minute) is far longer.
        responseTimeoutMs: 2_000,
      }),
    ]);
    ctx = {
      ...opened.ctx,
      carriers,
      router: createRouter(normaliseRouting(undefined), carriers, opened.ctx.logger),
    };
    events = wireCarrierEvents(ctx);
    outbox = await seedBulkOutbox(ctx, { count: COUNT, now: START, zone: 'America/Los_Angeles' });
  }, 120_000);

  afterAll(async () => {
    events?.stop();
    await ctx?.carriers.close();
    await fake?.close();
    await ctx?.close();
    await database?.drop();
  });

  async function statuses(): Promise<
    Map<
      number,
      { status: string; error: string | null; attempts: number; carrierId: string | null }
    >
  > {
    const rows = await ctx.store.db
      .selectFrom('messages')
      .select(['id', 'status', 'error_code', 'attempts', 'carrier_message_id'])
      .execute();
    return new Map(
      rows.map((r) => [
        r.id,
        {
          status: r.status,
          error: r.error_code,
          attempts: r.attempts,
          carrierId: r.carrier_message_id,
        },
      ]),
    );
  }

  it(
    `ends ${COUNT} messages delivered or properly failed, none twice`,
    async () => {
      const { maxAttempts } = DISPATCH_DEFAULTS;
      // Rounds: everything due now, then the clock moves on to the next retries.
      let now = START;
      for (let round = 0; round < 4 * maxAttempts; round++) {
        for (;;) {
          const counts = await dispatchDue(ctx, { now, limit: 200 });
          if (counts.claimed === 0) break;
        }
        const waiting = await ctx.store.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', 'in', ['queued', 'deferred', 'sending', 'submitted'])
          .executeTakeFirstOrThrow();
        if (Number(waiting.n) === 0) break;
        now = new Date(now.getTime() + ROUND_MS);
      }
      // The receipts of the last accepted messages.
      for (let i = 0; i < 600; i++) {
        await events.idle();
        const sent = [...(await statuses()).values()].filter((s) => s.status === 'sent').length;
        if (sent === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }

      const rows = await statuses();
      const submissions = new Map<string, SmscSubmission[]>();
      for (const s of fake.submissions()) {
        const tag = tagOf(s.text);
        expect(tag, `a submission names its message: ${s.text}`).not.toBeNull();
        const list = submissions.get(tag!);
        if (list) list.push(s);
        else submissions.set(tag!, [s]);
      }
      // Attempts Herald saw time out: the SMSC may have taken them (a stall, or a late answer
      // on a loaded machine).
      const timeouts = await ctx.store.db
        .selectFrom('message_events')
        .select((eb) => ['message_id', eb.fn.countAll<number>().as('n')])
        .where('detail', '=', 'CARRIER_TIMEOUT')
        .groupBy('message_id')
        .execute();
      const timedOut = new Map(timeouts.map((t) => [t.message_id, Number(t.n)]));
      const tally: Record<string, number> = {};
      for (const message of outbox.messages) {
        const row = rows.get(message.id)!;
        const seen = submissions.get(message.tag) ?? [];
        const accepted = seen.filter((s) => s.status === 0);
        const refused = seen.filter((s) => s.status === ESME_RSYSERR);
        const where = `${message.tag} (${message.purpose}) ${row.status} after ${seen.map((s) => s.status).join(',')}`;
        tally[`${message.purpose} ${row.status}`] =
          (tally[`${message.purpose} ${row.status}`] ?? 0) + 1;
        if (message.purpose === 'marketing') {
          // Never twice; and after an attempt whose outcome is unknown (a stall), nothing more:
          // every attempt but the last was refused, and the last is the one that went (or may have).
          expect(accepted.length, where).toBeLessThanOrEqual(1);
          expect(refused.length, where).toBeGreaterThanOrEqual(seen.length - 1);
          if (seen.some((s) => s.status === null)) expect(row.status, where).toBe('unknown');
          if (row.status === 'unknown') {
            expect(row.error, where).toBe('CARRIER_TIMEOUT');
            expect(seen.at(-1)!.status, where).not.toBe(ESME_RSYSERR);
            continue;
          }
        } else {
          // At most once, beyond the attempts whose outcome was unknown (retried under the same
          // message id: at-least-once is the contract for transactional traffic).
          expect(accepted.length, where).toBeLessThanOrEqual(1 + (timedOut.get(message.id) ?? 0));
        }
        if (row.status === 'delivered') {
          expect(
            accepted.map((s) => s.messageId),
            where,
          ).toContain(row.carrierId);
          continue;
        }
        // Properly failed: every attempt met a transient error or no answer, and they ran out.
        expect(row.status, where).toBe('failed');
        expect(row.error, where).toMatch(/^(ESME_RSYSERR|CARRIER_TIMEOUT)$/);
        expect(row.attempts, where).toBe(maxAttempts);
        expect(seen, where).toHaveLength(maxAttempts);
      }
      // The faults did happen, to both purposes, and most messages still went.
      const counts = fake.counts();
      expect(counts.transient).toBeGreaterThan(COUNT * 0.15);
      expect(counts.stalled).toBeGreaterThan(0);
      expect(tally['marketing unknown'] ?? 0).toBeGreaterThan(0);
      expect(
        (tally['marketing delivered'] ?? 0) + (tally['transactional delivered'] ?? 0),
      ).toBeGreaterThan(COUNT * 0.99);
      // Stalled transactional messages were retried and delivered (at-least-once).
      const retriedAfterStall = outbox.messages.filter(
        (m) =>
          m.purpose === 'transactional' &&
          (submissions.get(m.tag) ?? []).some((s) => s.status === null) &&
          rows.get(m.id)!.status === 'delivered',
      );
      expect(retriedAfterStall.length).toBeGreaterThan(0);
      console.log(
        `faults [${dialect}] ${COUNT} messages: ${JSON.stringify(tally)} smsc ${JSON.stringify(counts)}`,
      );
    },
    30 * 60_000,
  );
});
