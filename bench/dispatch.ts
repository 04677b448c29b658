/**
 * Dispatch throughput: the same messages to the fake SMSC (test/fakes/smsc.ts: real SMPP 3.4 over
 * TCP on 127.0.0.1, a delivery receipt for every message accepted) sent four ways, one after the
 * other, each against a fresh fake:
 *   raw     the `smpp` package alone, one bind, a window of 10 (the link's limit);
 *   kannel  Debian's Kannel (bearerbox + smsbox, installed with apt-get when missing), fed
 *           through its sendsms HTTP interface, its own SMPP window of 10;
 *   sqlite  Herald end to end on the embedded default: one `herald worker` process re-decides
 *           each message, hands it over, records the carrier's id and the receipt;
 *   pg      the same on PostgreSQL (a fresh database) with two `herald worker` processes.
 * Half the messages are marketing to contacts with consent on record, half transactional, to
 * 10,000 US numbers (ten each); a receipt counts only once recorded (Herald) or acknowledged
 * (raw, Kannel). Rates are wall-clock from the moment the messages are due to the last receipt;
 * CPU time per message is that of the sending processes (Herald's workers; Kannel's boxes).
 *
 *   npm run bench -- dispatch [messages] [--only raw,kannel,sqlite,pg] [--cpu-prof DIR]
 *
 * Last line: `BENCH dispatch herald_sqlite_per_s=... herald_pg_2w_per_s=... raw_smpp_per_s=...
 * kannel_per_s=...`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import smpp from 'smpp';
import { openContext, type AppContext } from '../src/app-context.js';
import { setPolicyOverrides } from '../src/compliance/policies.js';
import { createContact } from '../src/contacts/contacts.js';
import { loadConfig } from '../src/config.js';
import { inspectText } from '../src/core/content/encoding.js';
import { createLogger } from '../src/logger.js';
import { FakeSmsc } from '../test/fakes/smsc.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const N = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--window') ?? 100_000);
const onlyArg = args[args.indexOf('--only') + 1];
const ONLY = args.includes('--only') && onlyArg ? onlyArg.split(',') : null;
// --cpu-prof DIR: the workers write V8 CPU profiles there (open them in Chrome's DevTools).
const PROFILE_DIR = args.includes('--cpu-prof') ? args[args.indexOf('--cpu-prof') + 1] : undefined;
const PG_BASE = 'postgres://postgres@127.0.0.1:5432';
const NUMBERS = 10_000;
// --window N: the SMPP window (submissions awaiting their answer) of every contender.
const WINDOW = args.includes('--window') ? Number(args[args.indexOf('--window') + 1]) : 10;
const SYSTEM_ID = 'herald';
const PASSWORD = 'secret';
// Handsets answer after a while: receipts come half a second after the submission.
const RECEIPT_DELAY_MS = 500;
const CLOCK_TICK = 100; // /proc/<pid>/stat counts in clock ticks of 10 ms

const MARKETING = 'Acme: spring sale, 20% off today. Reply STOP to opt out';
const TRANSACTIONAL = 'Acme: your order has shipped and arrives tomorrow.';

/** The i-th message: its number and text (the same for every contender). */
function message(i: number): { to: string; marketing: boolean; text: string } {
  const marketing = i % 2 === 0;
  return {
    to: `+1415${2_000_000 + (i % NUMBERS)}`,
    marketing,
    text: marketing ? MARKETING : TRANSACTIONAL,
  };
}

interface Figures {
  readonly perSecond: number;
  readonly seconds: number;
  /** CPU milliseconds per message of the sending processes, when measured. */
  readonly cpuMsPerMessage: number | null;
  readonly note: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** User + system CPU of processes, in ms, from /proc (0 for those gone). */
function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return (ticks * 1000) / CLOCK_TICK;
}

async function startFake(): Promise<FakeSmsc> {
  return FakeSmsc.start({
    systemId: SYSTEM_ID,
    password: PASSWORD,
    receipts: { delayMs: RECEIPT_DELAY_MS },
    recordLimit: N + 1_000,
  });
}

/** Waits until `done()` or `timeoutMs`, polling; throws on timeout with `what()`. */
async function until(
  done: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: () => string,
) {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await sleep(100);
  }
}

// --- (a) the raw link -------------------------------------------------------------------------

async function rawSmpp(): Promise<Figures> {
  const fake = await startFake();
  const session = smpp.connect({ host: '127.0.0.1', port: fake.port });
  await new Promise<void>((resolve, reject) => {
    session.on('error', reject);
    session.on('connect', () => {
      session.socket.setNoDelay(true);
      session.send(
        new smpp.PDU('bind_transceiver', { system_id: SYSTEM_ID, password: PASSWORD }),
        (pdu) => (pdu.command_status === 0 ? resolve() : reject(new Error('bind refused'))),
      );
    });
  });
  // What one burst of answers makes the client send leaves in one write (Herald's carrier does
  // the same), not one system call a PDU.
  let corked = false;
  const send = (pdu: smpp.PDU, onResponse?: (pdu: smpp.PDU) => void) => {
    if (!corked) {
      corked = true;
      session.socket.cork();
      process.nextTick(() => {
        corked = false;
        session.socket.uncork();
      });
    }
    session.send(pdu, onResponse);
  };
  let receipts = 0;
  session.on('deliver_sm', (pdu: smpp.PDU) => {
    receipts += 1;
    send(pdu.response());
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let answered = 0;
  await new Promise<void>((resolve) => {
    const submit = () => {
      const m = message(next++);
      send(
        new smpp.PDU('submit_sm', {
          destination_addr: m.to.slice(1),
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          source_addr: 'Acme',
          source_addr_ton: 5,
          registered_delivery: 1,
          short_message: m.text,
        }),
        () => {
          answered += 1;
          if (next < N) submit();
          else if (answered === N) resolve();
        },
      );
    };
    for (let i = 0; i < WINDOW && next < N; i++) submit();
  });
  await until(
    () => receipts >= N,
    120_000,
    () => `raw: ${receipts} receipts`,
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  session.close();
  await fake.close();
  return {
    perSecond: N / seconds,
    seconds,
    // The client and the fake share this process: their CPU together.
    cpuMsPerMessage: (cpu.user + cpu.system) / 1000 / N,
    note: `window ${WINDOW}; CPU: client and fake SMSC together`,
  };
}

// --- (b) Kannel -------------------------------------------------------------------------------

function ensureKannel(): string | null {
  const has = () => existsSync('/usr/sbin/bearerbox') && existsSync('/usr/sbin/smsbox');
  if (has()) return null;
  console.log('installing kannel and kannel-extras with apt-get ...');
  const r = spawnSync('apt-get', ['install', '-y', 'kannel', 'kannel-extras'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return r.status === 0 && has() ? null : 'apt-get install kannel failed';
}

/** Sends every URL with `lanes` requests in flight over kept-alive connections; posts the refusals. */
const KANNEL_DRIVER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { urls, lanes } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: lanes });
const get = (url) => new Promise((resolve, reject) => {
  http.get(url, { agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); })
    .on('error', reject);
});
let next = 0;
let refused = 0;
const lane = async () => {
  while (next < urls.length) if ((await get(urls[next++])) !== 202) refused += 1;
};
Promise.all(Array.from({ length: lanes }, lane)).then(() => {
  agent.destroy();
  parentPort.postMessage(refused);
});
`;

async function kannel(): Promise<Figures | string> {
  const missing = ensureKannel();
  if (missing) return missing;
  const fake = await startFake();
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-kannel-'));
  const [adminPort, boxPort, sendPort] = [await freePort(), await freePort(), await freePort()];
  const conf = path.join(dir, 'kannel.conf');
  writeFileSync(
    conf,
    `group = core
admin-port = ${adminPort}
admin-password = bench
admin-interface = 127.0.0.1
smsbox-port = ${boxPort}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "${dir}/bearerbox.log"
log-level = 2
access-log = "${dir}/access.log"
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = fake
host = 127.0.0.1
port = ${fake.port}
transceiver-mode = true
smsc-username = ${SYSTEM_ID}
smsc-password = ${PASSWORD}
system-type = ""
max-pending-submits = ${WINDOW}
source-addr-ton = 5
dest-addr-ton = 1
dest-addr-npi = 1
msg-id-type = 0x01

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${boxPort}
sendsms-port = ${sendPort}
sendsms-interface = 127.0.0.1
log-file = "${dir}/smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench
max-messages = 1
`,
  );
  const boxes: ChildProcess[] = [];
  try {
    boxes.push(spawn('/usr/sbin/bearerbox', [conf], { stdio: 'ignore' }));
    await sleep(500);
    boxes.push(spawn('/usr/sbin/smsbox', [conf], { stdio: 'ignore' }));
    await until(
      () => fake.counts().binds >= 1,
      20_000,
      () => 'kannel never bound',
    );
    // smsbox takes a moment to connect to bearerbox after the bind.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (url: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(url, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
    const url = (i: number) => {
      const m = message(i);
      const q = new URLSearchParams({
        username: 'bench',
        password: 'bench',
        from: 'Acme',
        to: m.to,
        text: m.text,
        'dlr-mask': '3',
      });
      return `http://127.0.0.1:${sendPort}/cgi-bin/sendsms?${q}`;
    };
    await until(
      async () => (await get(url(-1)).catch(() => 0)) === 202,
      20_000,
      () => 'smsbox never answered',
    );
    agent.destroy();
    await until(
      () => fake.counts().delivers >= 1,
      20_000,
      () => 'no warm-up receipt',
    );
    // The HTTP requests go from a thread of their own: on this process's event loop they would
    // hold back the fake SMSC's answers, and Kannel would wait on the bench, not on itself.
    const urls = Array.from({ length: N }, (_, i) => url(i));
    const pids = boxes.map((b) => b.pid!);
    const base = fake.counts();
    const cpu0 = cpuMs(pids);
    const t0 = performance.now();
    const refused = await new Promise<number>((resolve, reject) => {
      const driver = new Worker(KANNEL_DRIVER, { eval: true, workerData: { urls, lanes: 64 } });
      driver.once('message', (count: number) => resolve(count));
      driver.once('error', reject);
    });
    await until(
      () => fake.counts().accepted - base.accepted >= N - refused,
      300_000,
      () => `kannel: ${fake.counts().accepted - base.accepted} accepted`,
    );
    await until(
      () => fake.counts().delivers - base.delivers >= N - refused,
      120_000,
      () => `kannel: ${fake.counts().delivers - base.delivers} receipts`,
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuMs(pids) - cpu0;
    return {
      perSecond: (N - refused) / seconds,
      seconds,
      cpuMsPerMessage: cpu / N,
      note: `bearerbox+smsbox, max-pending-submits ${WINDOW}${refused ? `, ${refused} refused` : ''}; CPU: both boxes (the HTTP client and the fake not counted)`,
    };
  } finally {
    for (const box of boxes) box.kill('SIGTERM');
    await sleep(300);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- (c) Herald -------------------------------------------------------------------------------

interface HeraldSetup {
  readonly env: Record<string, string>;
  readonly drop: () => Promise<void>;
}

async function heraldDatabase(dialect: 'sqlite' | 'postgres'): Promise<HeraldSetup> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-dispatch-'));
  const env: Record<string, string> = {
    HERALD_DATA_DIR: dataDir,
    HERALD_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  if (dialect === 'sqlite') {
    return { env, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `herald_bench_dispatch_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  env.DATABASE_URL = `${PG_BASE}/${name}`;
  return {
    env,
    drop: async () => {
      const c = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A zone where it is around midday now: the US pack's legal hours (8 a.m. to 9 p.m. where the
 * person is) cannot be lifted by an override, and the bench runs at any hour.
 */
function middayZone(): string {
  const offset = ((12 - new Date().getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** Contacts with marketing consent, a lenient policy for the run, and N queued messages. */
async function seed(ctx: AppContext, dueAt: string): Promise<void> {
  // The bench runs at any hour and day: marketing allowed around the clock, ten a week.
  await setPolicyOverrides(
    ctx,
    'US',
    {
      quietHours: {
        marketing: { allowed: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }] },
      },
      holidays: { appliesTo: [], types: [] },
      frequency: { marketing: { max: 100, windowHours: 7 * 24, minGapHours: 0 } },
    },
    'bench',
  );
  const contactOf = new Map<string, number>();
  const numbers = Array.from({ length: NUMBERS }, (_, i) => message(i).to);
  for (let i = 0; i < numbers.length; i += 50) {
    const created = await Promise.all(
      numbers.slice(i, i + 50).map((phone) =>
        createContact(
          ctx,
          {
            phone,
            source: 'bench',
            timeZone: middayZone(),
            consents: [
              {
                purpose: 'marketing',
                action: 'grant',
                method: 'web_form',
                source: 'bench',
                at: new Date(Date.now() - 86_400_000),
              },
            ],
          },
          'bench',
        ),
      ),
    );
    created.forEach((c, j) => contactOf.set(numbers[i + j]!, c.id));
  }
  const segments = { m: inspectText(MARKETING).segments, t: inspectText(TRANSACTIONAL).segments };
  const now = new Date().toISOString();
  const enc = new Map(numbers.map((n) => [n, ctx.cipher.encrypt(n)]));
  const idx = new Map(numbers.map((n) => [n, ctx.cipher.blindIndex(n)]));
  for (let i = 0; i < N; i += 500) {
    const rows = Array.from({ length: Math.min(500, N - i) }, (_, j) => {
      const m = message(i + j);
      return {
        contact_id: contactOf.get(m.to)!,
        phone_index: idx.get(m.to)!,
        phone_enc: enc.get(m.to)!,
        purpose: m.marketing ? 'marketing' : 'transactional',
        kind: m.marketing ? 'campaign' : 'api',
        body: m.text,
        segments: m.marketing ? segments.m : segments.t,
        status: 'queued',
        carrier: null,
        pinned_carrier: null,
        carrier_message_id: null,
        error_code: null,
        not_before: dueAt,
        lease_until: null,
        campaign_id: null,
        created_at: now,
        sent_at: null,
        delivered_at: null,
        country: 'US',
        sender: null,
        brand: 'Acme',
        template: null,
        decision: null,
        idempotency_key: null,
        request_hash: null,
      };
    });
    await ctx.store.db.transaction().execute(async (tx) => {
      const ids = await tx.insertInto('messages').values(rows).returning('id').execute();
      await tx
        .insertInto('message_events')
        .values(ids.map(({ id }) => ({ message_id: id, at: now, status: 'queued' })))
        .execute();
    });
  }
}

async function herald(dialect: 'sqlite' | 'postgres', workers: number): Promise<Figures> {
  const fake = await startFake();
  const setup = await heraldDatabase(dialect);
  const logger = createLogger({ level: 'warn' });
  const children: ChildProcess[] = [];
  try {
    const ctx = await openContext(loadConfig(setup.env), logger, { migrate: true });
    const far = '2999-01-01T00:00:00.000Z';
    try {
      await seed(ctx, far);
    } finally {
      await ctx.close();
    }
    const workerEnv = {
      ...process.env,
      ...setup.env,
      HERALD_CARRIERS: JSON.stringify([
        {
          name: 'smpp',
          type: 'smpp',
          settings: {
            host: '127.0.0.1',
            port: fake.port,
            systemId: SYSTEM_ID,
            window: WINDOW,
            defaultSender: 'Acme',
          },
          secrets: { password: PASSWORD },
        },
      ]),
      HERALD_ROUTING: JSON.stringify({ routes: [{ carriers: ['smpp'] }] }),
    };
    for (let w = 0; w < workers; w++) {
      const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
      const child = spawn(
        process.execPath,
        [...profile, path.join(ROOT, 'bin', 'herald.js'), 'worker'],
        {
          env: workerEnv,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      children.push(child);
    }
    await until(
      () => fake.counts().binds >= workers,
      30_000,
      () => 'the workers never bound',
    );
    const check = await openContext(loadConfig(setup.env), logger, {});
    try {
      const db = check.store.db;
      const pids = children.map((c) => c.pid!);
      const cpu0 = cpuMs(pids);
      const t0 = performance.now();
      await db.updateTable('messages').set({ not_before: new Date().toISOString() }).execute();
      let settled = 0;
      const byStatus = async () =>
        (
          await db
            .selectFrom('messages')
            .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy('status')
            .execute()
        )
          .map((s) => `${s.status} ${Number(s.n)}`)
          .join(', ');
      // Herald answers a receipt's deliver_sm once it is recorded: the fake counts those answers
      // (no query of the database every 100 ms while the worker writes it); the database then
      // confirms.
      try {
        await until(
          () => fake.counts().deliverAcks >= N,
          60_000 + N * 5,
          () => `herald ${dialect}: ${fake.counts().deliverAcks} of ${N} receipts acknowledged`,
        );
        await until(
          async () => {
            const r = await db
              .selectFrom('messages')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('status', 'not in', ['queued', 'deferred', 'sending', 'submitted', 'sent'])
              .executeTakeFirstOrThrow();
            settled = Number(r.n);
            return settled >= N;
          },
          60_000 + N * 5,
          () => `herald ${dialect}: ${settled} of ${N} settled`,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message} (${await byStatus()})`);
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuMs(pids) - cpu0;
      const counts = fake.counts();
      if (counts.accepted !== N) {
        console.log(`  warning: the fake SMSC accepted ${counts.accepted} submissions for ${N}`);
      }
      return {
        perSecond: N / seconds,
        seconds,
        cpuMsPerMessage: cpu / N,
        note: `${workers} worker${workers > 1 ? 's' : ''}; ${await byStatus()}; fake accepted ${counts.accepted}`,
      };
    } finally {
      await check.close();
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
    );
    await fake.close();
    await setup.drop();
  }
}

// --- the run ----------------------------------------------------------------------------------

const wanted = (name: string) => !ONLY || ONLY.includes(name);
const fmt = (n: number | null | undefined) => (n == null ? 'n/a' : Math.round(n).toString());

console.log(
  `dispatch: ${N} messages to the fake SMSC over loopback, receipts after ${RECEIPT_DELAY_MS} ms`,
);
const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.js')], {
  stdio: 'inherit',
});
if (built.status !== 0) throw new Error('build failed');

const results: Record<string, Figures | string> = {};
const run = async (name: string, label: string, task: () => Promise<Figures | string>) => {
  if (!wanted(name)) return;
  try {
    results[name] = await task();
  } catch (err) {
    results[name] = `failed: ${(err as Error).message}`;
  }
  const r = results[name]!;
  console.log(
    typeof r === 'string'
      ? `  ${label.padEnd(28)} ${r}`
      : `  ${label.padEnd(28)} ${fmt(r.perSecond).padStart(6)} msg/s  ${r.seconds.toFixed(1)} s  ${r.cpuMsPerMessage?.toFixed(3) ?? 'n/a'} CPU-ms/msg  (${r.note})`,
  );
};
await run('raw', `raw smpp (window ${WINDOW})`, rawSmpp);
await run('kannel', 'kannel sendsms', kannel);
await run('sqlite', 'herald sqlite, 1 worker', () => herald('sqlite', 1));
await run('pg', 'herald postgres, 2 workers', () => herald('postgres', 2));

const rate = (name: string) => {
  const r = results[name];
  return r && typeof r !== 'string' ? r.perSecond : null;
};
const ratio = (a: string, b: string) => {
  const x = rate(a);
  const y = rate(b);
  return x !== null && y ? (x / y).toFixed(2) : 'n/a';
};
console.log(
  `  ratios: sqlite/raw ${ratio('sqlite', 'raw')}, sqlite/kannel ${ratio('sqlite', 'kannel')}, pg/raw ${ratio('pg', 'raw')}, pg/kannel ${ratio('pg', 'kannel')}`,
);
console.log(
  `BENCH dispatch herald_sqlite_per_s=${fmt(rate('sqlite'))} herald_pg_2w_per_s=${fmt(rate('pg'))} raw_smpp_per_s=${fmt(rate('raw'))} kannel_per_s=${fmt(rate('kannel'))}`,
);
