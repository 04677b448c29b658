/**
 * Planning a campaign of N recipients (default 1,000,000) on the embedded default (SQLite): the
 * planner reads the audience in keyset batches, decides every recipient and writes the messages
 * with their history. The limit is measured in the same run: the same message and history rows
 * inserted raw (prepared statements of 100 rows, one transaction per batch, no decision, no
 * Kysely) into a fresh database with the same schema and indexes.
 *
 *   npm run bench -- plan [recipients] [batchSize]
 *
 * Last line: `BENCH plan seconds=<s> raw_insert_s=<s> ratio=<plan/raw> recipients=<n>`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { openContext } from '../src/app-context.js';
import { actOnCampaign, createCampaign } from '../src/campaigns/campaigns.js';
import { planCampaign, PLAN_DEFAULTS } from '../src/campaigns/planner.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';

const recipients = Number(process.argv[2] ?? 1_000_000);
const batchSize = Number(process.argv[3] ?? PLAN_DEFAULTS.batchSize);
const RAW_CHUNK = 100;
const NOW = new Date('2030-01-08T20:00:00.000Z'); // Tuesday noon in Los Angeles

let seed = 7;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}

const ZONES = ['America/Los_Angeles', 'America/New_York', 'America/Chicago', 'America/Denver'];
const AREAS = [415, 212, 312, 303, 206, 617, 305, 702, 512, 404];

function seedContacts(file: string, ctx: Awaited<ReturnType<typeof openContext>>): void {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF'); // consent events are not generated: the ledger's current state is enough
  const contact =
    db.prepare(`insert into contacts (id, phone_enc, phone_index, country, number_type,
    zones, own_zone, status, tags, custom, source, created_at, updated_at, locale, age_band)
    values (?, ?, ?, 'US', 'mobile', ?, null, 'active', '[]', '{}', 'bench', ?, ?, 'en', ?)`);
  const consent = db.prepare(`insert into contact_consents (contact_id, purpose, granted, method,
    source, event_id, at) values (?, 'marketing', 1, 'web_form', 'bench', ?, ?)`);
  const at = '2029-06-01T00:00:00.000Z';
  const insert = db.transaction((from: number, to: number) => {
    for (let id = from; id < to; id++) {
      const e164 = `+1${AREAS[id % AREAS.length]}${String(2_000_000 + id).padStart(7, '0')}`;
      contact.run(
        id,
        ctx.cipher.encrypt(e164),
        ctx.cipher.blindIndex(e164),
        JSON.stringify([ZONES[id % ZONES.length]]),
        at,
        at,
        random() < 0.5 ? '25-34' : '35-44',
      );
      // 5 % never gave marketing consent: blocked, with their reason.
      if (random() >= 0.05) consent.run(id, id, at);
    }
  });
  for (let from = 1; from <= recipients; from += 50_000) {
    insert(from, Math.min(recipients + 1, from + 50_000));
  }
  db.close();
}

/** The planned rows again, inserted raw into a fresh database with the same schema. */
function rawInsert(source: string, target: string): { seconds: number; cpu: number } {
  const src = new SqliteDatabase(source, { readonly: true });
  const dst = new SqliteDatabase(target);
  dst.pragma('journal_mode = WAL');
  dst.pragma('synchronous = NORMAL');
  dst.pragma('foreign_keys = OFF');
  // The contacts are copied first (not timed): the cap-marker trigger on messages (migration
  // 0018) then writes what it writes for the planner, on the message's own contact.
  dst.prepare('attach database ? as src').run(source);
  dst.exec('insert into contacts select * from src.contacts; detach database src');
  const columns = (
    src.prepare(`select name from pragma_table_info('messages') where name != 'id'`).all() as {
      name: string;
    }[]
  ).map((c) => c.name);
  // 100 rows a statement, prepared once per row count: a statement per row costs SQLite about
  // twice as much (each one that fires the cap-marker trigger opens a statement journal).
  const prepared = new Map<string, SqliteDatabase.Statement>();
  const insertRows = (table: string, names: readonly string[], rows: number, returning: string) => {
    const key = `${table}:${rows}`;
    let statement = prepared.get(key);
    if (statement === undefined) {
      const row = `(${names.map(() => '?').join(', ')})`;
      statement = dst.prepare(
        `insert into ${table} (${names.join(', ')}) values ${Array.from({ length: rows }, () => row).join(', ')} ${returning}`,
      );
      prepared.set(key, statement);
    }
    return statement;
  };
  const EVENT_COLUMNS = ['message_id', 'at', 'status', 'detail', 'carrier'];
  const read = src.prepare(`select * from messages where id > ? order by id limit ?`).raw(false);
  let after = 0;
  let seconds = 0;
  let cpu = 0;
  for (;;) {
    const rows = read.all(after, batchSize) as Record<string, unknown>[];
    if (rows.length === 0) break;
    after = rows.at(-1)!.id as number;
    const values = rows.map((r) => columns.map((c) => r[c]));
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    dst.transaction(() => {
      for (let at = 0; at < rows.length; at += RAW_CHUNK) {
        const part = rows.slice(at, at + RAW_CHUNK);
        const ids = insertRows('messages', columns, part.length, 'returning id')
          .all(values.slice(at, at + RAW_CHUNK).flat())
          .map((r) => (r as { id: number }).id);
        insertRows('message_events', EVENT_COLUMNS, part.length, '').run(
          part.flatMap((r, i) => [ids[i], r.created_at, r.status, r.error_code, null]),
        );
      }
    })();
    seconds += (performance.now() - started) / 1000;
    cpu += cpuSeconds(cpu0);
  }
  src.close();
  dst.close();
  return { seconds, cpu };
}

/** CPU seconds (user + system) of this process since `from`: what the work cost, whatever the load. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-plan-'));
  const logger = createLogger({ level: 'silent' });
  const key = randomBytes(32).toString('hex');
  try {
    const config = loadConfig({
      HERALD_DATA_DIR: path.join(dir, 'data'),
      HERALD_MASTER_KEY: key,
      LOG_LEVEL: 'silent',
    });
    const ctx = await openContext(config, logger, { migrate: true });
    const file = path.join(dir, 'data', 'herald.db');
    const t0 = performance.now();
    seedContacts(file, ctx);
    console.log(
      `seeded ${recipients} contacts in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const campaign = await createCampaign(
      ctx,
      {
        name: 'bench',
        purpose: 'marketing',
        audience: { filter: { kind: 'country', in: ['US'] } },
        variants: [
          { key: 'A', body: 'Acme: spring sale, 20% off today. Reply STOP to opt out' },
          { key: 'B', body: 'Acme: 20% off everything today only. Reply STOP to opt out' },
        ],
        schedule: { kind: 'now' },
        brand: 'Acme',
      },
      { actor: 'user:author', now: NOW },
    );
    await actOnCampaign(ctx, campaign.id, 'submit', { actor: 'user:author', now: NOW });
    await actOnCampaign(ctx, campaign.id, 'approve', { actor: 'user:approver', now: NOW });
    await actOnCampaign(ctx, campaign.id, 'schedule', { actor: 'user:author', now: NOW });
    await actOnCampaign(ctx, campaign.id, 'start', { actor: 'system:bench', now: NOW });

    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const progress = await planCampaign(ctx, campaign.id, { now: NOW, batchSize });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(cpu0);
    const planned = progress.queued + progress.deferred + progress.blocked;
    console.log(
      `planned ${planned} messages in ${seconds.toFixed(2)} s, ${cpu.toFixed(2)} CPU-s (${progress.batches} batches of ${batchSize}):`,
      JSON.stringify({
        queued: progress.queued,
        deferred: progress.deferred,
        blocked: progress.blocked,
      }),
    );
    if (planned !== recipients) throw new Error(`planned ${planned} of ${recipients}`);
    await ctx.close();

    const target = loadConfig({
      HERALD_DATA_DIR: path.join(dir, 'raw'),
      HERALD_MASTER_KEY: key,
      LOG_LEVEL: 'silent',
    });
    const empty = await openContext(target, logger, { migrate: true });
    await empty.close();
    const raw = rawInsert(file, path.join(dir, 'raw', 'herald.db'));
    console.log(
      `raw insert of the same ${planned} messages and history rows: ${raw.seconds.toFixed(2)} s, ${raw.cpu.toFixed(2)} CPU-s`,
    );
    console.log(
      `BENCH plan seconds=${seconds.toFixed(2)} raw_insert_s=${raw.seconds.toFixed(2)} ratio=${(seconds / raw.seconds).toFixed(2)} cpu_s=${cpu.toFixed(2)} raw_cpu_s=${raw.cpu.toFixed(2)} recipients=${recipients}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
