/**
 * Segment count over a large database, on SQLite (the embedded default) and on PostgreSQL:
 * 1,000,000 contacts (CN 40%, US 20%, GB, DE, FR 10% each, JP 5%, SG 5%; seven age bands, one
 * contact in ten with a birth year instead; 3% invalid) and 5,000,000 events over the last year
 * (60% purchases with amount, currency and category, 40% custom events), all migrated by
 * Herald's own migrations. The segment is the three-condition one of issue 6:
 *
 *   { and: [ { kind: 'country', in: ['CN'] }, { kind: 'age_band', in: ['25-34'] },
 *            { kind: 'purchase', withinDays: 30 } ] }
 *
 * counted with countSegment(), the same call the API's preview makes. The data is generated in
 * SQL from the row number (the same formulas on both dialects, so both count the same rows):
 * the fastest bulk insert either database has. Each count runs once to warm the cache, then
 * five times; the figure is the median.
 *
 *   npm run bench -- segment [contacts] [events]
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of
 * its own that is dropped afterwards. Last line: `BENCH segment sqlite_s=<x.xxx> pg_s=<x.xxx>`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { SegmentFilter } from '../src/core/segments.js';
import { createStore, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { countSegment } from '../src/store/segments.js';

const CONTACTS = Number(process.argv[2] ?? 1_000_000);
const EVENTS = Number(process.argv[3] ?? 5_000_000);
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NOW = new Date('2026-11-29T12:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const RUNS = 5;

const SEGMENT: SegmentFilter = {
  and: [
    { kind: 'country', in: ['CN'] },
    { kind: 'age_band', in: ['25-34'] },
    { kind: 'purchase', withinDays: 30 },
  ],
};

// Pseudo-random but deterministic columns from the row number `i` (a multiplicative hash; the
// multipliers are odd and not multiples of 5, so `mod 10^k` spreads evenly). Plain integer SQL
// that SQLite and PostgreSQL evaluate alike.
const country = sql`case
  when (i * 7919) % 100 < 40 then 'CN' when (i * 7919) % 100 < 60 then 'US'
  when (i * 7919) % 100 < 70 then 'GB' when (i * 7919) % 100 < 80 then 'DE'
  when (i * 7919) % 100 < 90 then 'FR' when (i * 7919) % 100 < 95 then 'JP' else 'SG' end`;
const band = sql`case
  when (i * 104729) % 100 < 10 then null when (i * 104729) % 100 < 15 then '<18'
  when (i * 104729) % 100 < 30 then '18-24' when (i * 104729) % 100 < 55 then '25-34'
  when (i * 104729) % 100 < 75 then '35-44' when (i * 104729) % 100 < 87 then '45-54'
  when (i * 104729) % 100 < 95 then '55-64' else '65+' end`;
const birthYear = sql`case when (i * 104729) % 100 < 10 then 1940 + (i * 31) % 70 else null end`;
const status = sql`case when (i * 31) % 100 < 3 then 'invalid' else 'active' end`;
const eventType = sql`case when (i * 7) % 10 < 6 then 'purchase' else 'app_open' end`;
const category = sql`case (i * 11) % 5 when 0 then 'tea' when 1 then 'books' when 2 then 'shoes'
  when 3 then 'toys' else 'food' end`;
// Up to 365 days back, at any second of the day.
const secondsAgo = sql`((i * 48271) % 365) * 86400 + (i * 13) % 86400`;

function isoOf(postgres: boolean, epochSeconds: ReturnType<typeof sql>) {
  return postgres
    ? sql`to_char(to_timestamp(${epochSeconds}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${epochSeconds}, 'unixepoch')`;
}

function series(postgres: boolean, n: number) {
  return postgres
    ? sql`generate_series(1::bigint, ${sql.lit(n)}) as g(i)`
    : sql`(with recursive g(i) as (select 1 union all select i + 1 from g where i < ${sql.lit(n)}) select i from g) as g`;
}

interface Index {
  readonly name: string;
  readonly definition: string;
}

// The secondary indexes of the seeded tables, as the migrations made them: dropped while the
// rows go in and built again afterwards (one sort per index instead of millions of random
// inserts), so the benchmark measures Herald's own indexes without waiting an hour for them.
async function secondaryIndexes(store: Store): Promise<Index[]> {
  if (store.dialect === 'postgres') {
    const r = await sql<Index>`select c.relname as name, pg_get_indexdef(x.indexrelid) as definition
      from pg_index x join pg_class c on c.oid = x.indexrelid
      where x.indrelid in (${sql`'contacts'::regclass`}, ${sql`'events'::regclass`})
        and not x.indisprimary and not x.indisunique`.execute(store.db);
    return r.rows;
  }
  const r = await sql<Index>`select name, sql as definition from sqlite_master
    where type = 'index' and tbl_name in ('contacts', 'events') and sql is not null
      and sql not like 'create unique%' collate nocase`.execute(store.db);
  return r.rows;
}

async function seed(store: Store): Promise<void> {
  const postgres = store.dialect === 'postgres';
  const indexes = await secondaryIndexes(store);
  for (const x of indexes) await sql`drop index ${sql.id(x.name)}`.execute(store.db);
  const created = isoOf(postgres, sql`${sql.lit(NOW_S)} - 400 * 86400`);
  const t0 = performance.now();
  await store.db.transaction().execute(async (db) => {
    // PostgreSQL: no per-row foreign-key triggers while loading generated, consistent rows.
    if (postgres) await sql`set local session_replication_role = replica`.execute(db);
    // In chunks, so SQLite's recursive series stays small and progress shows.
    const chunk = 250_000;
    for (let from = 0; from < CONTACTS; from += chunk) {
      const n = Math.min(chunk, CONTACTS - from);
      await sql`insert into contacts (phone_enc, phone_index, country, number_type, zones, status,
          age_band, birth_year, tags, custom, source, created_at, updated_at)
        select 'bench', 'b' || i, ${country}, 'mobile', '[]', ${status}, ${band}, ${birthYear},
          '[]', '{}', 'bench', ${created}, ${created}
        from (select i + ${sql.lit(from)} as i from ${series(postgres, n)}) as s`.execute(db);
    }
    const t1 = performance.now();
    console.log(`  ${CONTACTS} contacts in ${((t1 - t0) / 1000).toFixed(1)} s`);
    const occurred = isoOf(postgres, sql`${sql.lit(NOW_S)} - ${secondsAgo}`);
    for (let from = 0; from < EVENTS; from += chunk) {
      const n = Math.min(chunk, EVENTS - from);
      await sql`insert into events (contact_id, type, occurred_at, amount, currency, category,
          properties, received_at)
        select 1 + (i * 2654435761) % ${sql.lit(CONTACTS)}, ${eventType}, o,
          case when (i * 7) % 10 < 6 then ((i * 13) % 20000) / 100.0 else null end,
          case when (i * 7) % 10 < 6 then 'CNY' else null end,
          case when (i * 7) % 10 < 6 then ${category} else null end, '{}', o
        from (select i, ${occurred} as o
              from (select i + ${sql.lit(from)} as i from ${series(postgres, n)}) as s) as e`.execute(
        db,
      );
      if ((from / chunk) % 4 === 3) {
        console.log(`  ${from + n} events, ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      }
    }
    console.log(`  ${EVENTS} events in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  });
  const t2 = performance.now();
  if (postgres) {
    // Replica mode skipped the triggers that keep contacts.last_purchase_at (0010): fill it as
    // the migration does for existing data. SQLite's triggers ran on every insert.
    await sql`update contacts c set last_purchase_at = m.at
      from (select contact_id, max(occurred_at) as at from events where type = 'purchase'
            group by contact_id) as m
      where m.contact_id = c.id`.execute(store.db);
    console.log(`  last purchases filled in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
  }
  for (const x of indexes) await sql.raw(x.definition).execute(store.db);
  const t3 = performance.now();
  console.log(`  ${indexes.length} indexes built in ${((t3 - t2) / 1000).toFixed(1)} s`);
  // What autovacuum does on a live PostgreSQL: statistics and the visibility map (index-only
  // scans need it).
  await sql.raw(postgres ? 'vacuum analyze contacts, events' : 'analyze').execute(store.db);
  console.log(`  (vacuum) analyze in ${((performance.now() - t3) / 1000).toFixed(1)} s`);
}

async function measure(store: Store): Promise<{ seconds: number; count: number }> {
  const warm = await countSegment(store.db, SEGMENT, { now: NOW });
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const n = await countSegment(store.db, SEGMENT, { now: NOW });
    times.push((performance.now() - t) / 1000);
    if (n !== warm) throw new Error('counts differ between runs');
  }
  times.sort((a, b) => a - b);
  console.log(`  runs (s): ${times.map((x) => x.toFixed(3)).join(' ')}; matching contacts ${warm}`);
  return { seconds: times[Math.floor(RUNS / 2)]!, count: warm };
}

async function onSqlite(): Promise<{ seconds: number; count: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-segment-'));
  const store = createStore({ dialect: 'sqlite', file: path.join(dir, 'herald.db') });
  try {
    await migrateToLatest(store);
    console.log('SQLite: seeding');
    await seed(store);
    return await measure(store);
  } finally {
    await store.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(): Promise<{ seconds: number; count: number }> {
  const schema = `bench_segment_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const store = createStore(
    { dialect: 'postgres', url: PG_URL, poolSize: 2 },
    { searchPath: schema },
  );
  try {
    await migrateToLatest(store);
    console.log('PostgreSQL: seeding');
    await seed(store);
    return await measure(store);
  } finally {
    await store.destroy();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

console.log(
  `segment count: ${CONTACTS} contacts, ${EVENTS} events; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const lite = await onSqlite();
const post = await onPostgres();
if (lite.count !== post.count) {
  throw new Error(`the dialects disagree: SQLite ${lite.count}, PostgreSQL ${post.count}`);
}
console.log(
  `load average at the end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(`BENCH segment sqlite_s=${lite.seconds.toFixed(3)} pg_s=${post.seconds.toFixed(3)}`);
