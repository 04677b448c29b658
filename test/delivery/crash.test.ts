/**
 * Issue 5's crash acceptance, with real processes: `herald worker` (the built bin) sends a large
 * outbox of marketing and transactional messages over SMPP to the fake SMSC on 127.0.0.1, gets
 * `kill -9` once the SMSC has accepted a good share, and is started again. Afterwards nothing is
 * left queued or claimed, every message ended (delivered, or `unknown` for a marketing message
 * the dead worker had handed over without hearing back), the SMSC accepted no marketing message
 * twice, and none was lost. A transactional message in flight at the crash may reach the SMSC
 * twice: it is retried under the same message (its idempotency reference), and only then.
 *
 * SQLite with one worker; PostgreSQL (DATABASE_URL) with two workers, one of them killed.
 * HERALD_TEST_CRASH_MESSAGES sets the number of messages (default 1,000 in npm test; the
 * acceptance size is 100,000).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { FakeSmsc, type SmscSubmission } from '../fakes/smsc.js';
import { openTestContext } from '../helpers/context.js';
import { DIALECTS, PG_URL, type TestDatabase } from '../helpers/databases.js';
import { afternoonZoneAt, seedBulkOutbox, tagOf, type BulkOutbox } from './bulk-outbox.js';

const COUNT = Number(process.env.HERALD_TEST_CRASH_MESSAGES ?? 1_000);
const KILL_AT = 0.3; // share of the messages the SMSC has accepted when the worker is killed
// The lease a worker holds its claims for (HERALD_TEST_CRASH_LEASE_SECONDS; short, so the restart
// finds the dead worker's claims expired soon).
const LEASE_SECONDS = Number(process.env.HERALD_TEST_CRASH_LEASE_SECONDS ?? 5);
const OPEN = ['queued', 'deferred', 'sending', 'submitted'];
const root = process.cwd();
const bin = path.join(root, 'bin', 'herald.js');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [bin, 'worker'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, stderr: () => stderr };
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  // A worker finishes its batch before it stops; one that takes too long is killed.
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), 30_000);
  await worker.exited;
  clearTimeout(timer);
}

beforeAll(() => {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-if-stale.js')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
}, 300_000);

describe.each(DIALECTS)('[%s] kill -9 of a worker in the middle of the outbox', (dialect) => {
  const workerCount = dialect === 'postgres' ? 2 : 1;
  let ctx: AppContext;
  let database: TestDatabase;
  let fake: FakeSmsc;
  let outbox: BulkOutbox;
  let env: Record<string, string>;
  const workers: Worker[] = [];

  beforeAll(async () => {
    // Receipts wait for a bind across the restart, as a store-and-forward SMSC's do, and go
    // out ten at a time, each sent again if its answer takes over a minute.
    fake = await FakeSmsc.start({
      receipts: { delayMs: 0 },
      holdForBindMs: 120_000,
      deliverWindow: 10,
      deliverTimeoutMs: 60_000,
      recordLimit: COUNT * 2,
    });
    const opened = await openTestContext(dialect);
    ctx = opened.ctx;
    database = opened.database;
    outbox = await seedBulkOutbox(ctx, {
      count: COUNT,
      now: new Date(),
      zone: afternoonZoneAt(new Date()),
    });
    env = {
      HERALD_DATA_DIR: database.dataDir,
      HERALD_MASTER_KEY: database.config.masterKey!,
      HERALD_DISPATCH_LEASE_SECONDS: String(LEASE_SECONDS),
      HERALD_CARRIERS: JSON.stringify([
        {
          name: 'smsc',
          type: 'smpp',
          settings: { host: '127.0.0.1', port: fake.port, systemId: 'herald', window: 10 },
          secrets: { password: 'secret' },
        },
      ]),
      HERALD_ROUTING: JSON.stringify({ routes: [{ carriers: ['smsc'] }] }),
      ...(database.schema
        ? {
            DATABASE_URL: `${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}options=${encodeURIComponent(
              `-c search_path=${database.schema}`,
            )}`,
            HERALD_PG_POOL_SIZE: '4',
          }
        : {}),
    };
  }, 600_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await fake?.close();
    await ctx?.close();
    await database?.drop();
  });

  async function statusCounts(): Promise<Record<string, number>> {
    const rows = await ctx.store.db
      .selectFrom('messages')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  it(
    `ends every one of ${COUNT} messages after kill -9 and a restart, no marketing twice, none lost`,
    async () => {
      const started = Date.now();
      for (let i = 0; i < workerCount; i++) workers.push(startWorker(env));
      const victim = workers[0]!;
      while (fake.counts().accepted < COUNT * KILL_AT) {
        if (victim.child.exitCode !== null) throw new Error(`worker died: ${victim.stderr()}`);
        await sleep(20);
      }
      victim.child.kill('SIGKILL');
      await victim.exited;
      const atKill = fake.counts().accepted;
      const openAtKill = await statusCounts();
      workers.push(startWorker(env));

      // Until nothing is open and the receipts have stopped coming.
      let last = '';
      let quietSince = Date.now();
      for (;;) {
        await sleep(1_000);
        const counts = await statusCounts();
        const open = OPEN.reduce((n, s) => n + (counts[s] ?? 0), 0);
        const now = JSON.stringify(counts);
        if (now !== last) quietSince = Date.now();
        last = now;
        if (open === 0 && (counts.sent ?? 0) === 0) break;
        // Receipts that stopped coming: the assertions below say which messages lack one.
        if (Date.now() - quietSince > 60_000) break;
        for (const w of workers.slice(1)) {
          if (w.child.exitCode !== null) throw new Error(`worker died: ${w.stderr()}`);
        }
      }
      const seconds = (Date.now() - started) / 1000;

      const rows = await ctx.store.db
        .selectFrom('messages')
        .select(['id', 'status', 'error_code', 'carrier_message_id'])
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const submitted = await ctx.store.db
        .selectFrom('message_events')
        .select((eb) => ['message_id', eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'submitted')
        .groupBy('message_id')
        .execute();
      const handOffs = new Map(submitted.map((r) => [r.message_id, Number(r.n)]));
      const seen = new Map<string, SmscSubmission[]>();
      for (const s of fake.submissions()) {
        const tag = tagOf(s.text);
        expect(tag, `a submission names its message: ${s.text}`).not.toBeNull();
        const list = seen.get(tag!);
        if (list) list.push(s);
        else seen.set(tag!, [s]);
      }

      const tally: Record<string, number> = {};
      let resent = 0;
      for (const message of outbox.messages) {
        const row = byId.get(message.id)!;
        const copies = seen.get(message.tag) ?? [];
        const accepted = copies.filter((s) => s.status === 0);
        const where = `${message.tag} (${message.purpose}) ${row.status}, ${copies.length} submissions`;
        tally[`${message.purpose} ${row.status}`] =
          (tally[`${message.purpose} ${row.status}`] ?? 0) + 1;
        // Nothing stays queued or claimed, nothing was refused or given up, no receipt was lost.
        expect(['delivered', 'unknown'], where).toContain(row.status);
        if (message.purpose === 'marketing') {
          // Never twice: at most one submit_sm per marketing message, ever.
          expect(copies.length, where).toBeLessThanOrEqual(1);
          if (row.status === 'unknown') expect(row.error_code, where).toBe('lease_expired');
          else expect(accepted, where).toHaveLength(1);
        } else {
          // Lost by none: every transactional message reached the SMSC, and a second copy
          // only where the worker died between handing it over and recording the answer.
          expect(row.status, where).not.toBe('unknown');
          expect(accepted.length, where).toBeGreaterThanOrEqual(1);
          if (copies.length > 1) {
            resent += 1;
            expect(handOffs.get(message.id), where).toBe(copies.length);
          }
        }
        if (row.status !== 'unknown') {
          expect(
            accepted.map((s) => s.messageId),
            where,
          ).toContain(row.carrier_message_id);
        }
      }
      // Every receipt the SMSC sent was taken in the end (the fake gives up after 20 refusals).
      const smsc = fake.counts();
      // What stays held: receipts of ids the dead worker never wrote (its unrecorded answers).
      const held = await ctx.store.db
        .selectFrom('held_receipts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      console.log(
        `crash [${dialect}, ${workerCount} worker(s)] ${COUNT} messages in ${seconds.toFixed(0)} s; ` +
          `lease ${LEASE_SECONDS} s; killed at ${atKill} accepted (${JSON.stringify(openAtKill)}); ` +
          `ended ${JSON.stringify(tally)}; transactional sent twice: ${resent}; ` +
          `receipts sent ${smsc.delivers} (refused ${smsc.deliverRefusals}), ` +
          `held unmatched ${Number(held.n)}`,
      );
      expect(smsc.deliverDrops).toBe(0);
      // Only what the dead worker held can be unknown or resent: a few batches' worth. (A live
      // worker's hand-off whose answer takes longer than the last fifth of the lease ends
      // `unknown` too: on a machine loaded far beyond its cores, give the test a longer lease.)
      const inFlightBound = 500;
      expect(tally['marketing unknown'] ?? 0).toBeLessThanOrEqual(inFlightBound);
      expect(resent).toBeLessThanOrEqual(inFlightBound);
    },
    600_000 + COUNT * 30,
  );
});
