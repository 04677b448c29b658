/**
 * Import throughput on the embedded default: a generated CSV of 1,000,000 rows (85% distinct
 * valid numbers from CN, US, GB, DE, FR, SG, IN, AU and JP in their usual writings, 10% invalid,
 * 5% repeats of earlier numbers in another writing) imported as a marketing list with a consent
 * basis into a fresh SQLite data folder, end to end (file fingerprint, parse workers, every
 * write), in a child process so that its peak memory (VmHWM: main thread and workers) is the
 * import's alone. Then the single-core rate of parsePhone over the same written numbers: the
 * parse limit the import is compared with.
 *
 *   npm run bench -- import [rows]
 *
 * Last line: `BENCH import rows_per_s=<int> peak_rss_mb=<int> parse_limit_per_s=<int> ratio=<x.xx>`.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parsePhone, type CountryCode } from '../src/core/phone.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const DIST = pathToFileURL(path.join(ROOT, 'dist') + '/').href;

// A seeded generator (mulberry32), so every run imports the same file. Integer arithmetic via
// Math.imul: a float LCG past 2^53 loses bits and falls into short cycles.
let seed = 20_251_201;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += Math.floor(random() * 10);
  return out;
}

interface Number_ {
  cc: string;
  country: CountryCode;
  /** National significant number. */
  nsn: string;
}

/** Writings of a number as people type them: [phone cell, country cell]. */
type Writer = (n: Number_) => [string, string];

const FULL_WIDTH = (s: string) =>
  s.replace(/[0-9+]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const group = (s: string, sizes: number[], sep = ' ') => {
  const parts: string[] = [];
  let i = 0;
  for (const size of sizes) {
    parts.push(s.slice(i, i + size));
    i += size;
  }
  if (i < s.length) parts.push(s.slice(i));
  return parts.filter(Boolean).join(sep);
};

interface Market {
  country: CountryCode;
  cc: string;
  share: number;
  make(): string;
  writers: readonly Writer[];
  cities: readonly string[];
}

const intl: Writer = (n) => [`+${n.cc} ${n.nsn}`, ''];
const MARKETS: readonly Market[] = [
  {
    country: 'CN',
    cc: '86',
    share: 0.4,
    make: () =>
      random() < 0.9
        ? pick([
            '130',
            '131',
            '132',
            '135',
            '136',
            '137',
            '138',
            '139',
            '150',
            '151',
            '152',
            '155',
            '156',
            '157',
            '158',
            '159',
            '180',
            '181',
            '186',
            '187',
            '188',
            '189',
            '198',
            '199',
          ]) + digits(8)
        : pick(['10', '21']) + pick(['5', '6', '8']) + digits(7),
    writers: [
      (n) => [`+86 ${group(n.nsn, [3, 4, 4])}`, ''],
      (n) => [n.nsn.startsWith('1') && n.nsn.length === 11 ? n.nsn : `0${n.nsn}`, 'CN'],
      (n) => [
        n.nsn.length === 11 ? group(n.nsn, [3, 4, 4], '-') : `0${group(n.nsn, [2, 4, 4], '-')}`,
        'CN',
      ],
      (n) => [`0086 ${group(n.nsn, [3, 4, 4])}`, 'CN'],
      (n) => [FULL_WIDTH(`+86 ${group(n.nsn, [3, 4, 4])}`), ''],
      (n) => [`(+86) ${group(n.nsn, [3, 4, 4])}`, ''],
    ],
    cities: ['北京', '上海', '广州', '深圳', '杭州', '成都'],
  },
  {
    country: 'US',
    cc: '1',
    share: 0.15,
    make: () =>
      pick(['212', '415', '312', '303', '617', '305', '206', '713', '404', '702']) +
      pick(['2', '3', '4', '5', '6', '7', '8', '9']) +
      pick(['0', '2', '3', '4', '5', '6', '7', '8', '9']) +
      digits(5),
    writers: [
      (n) => [`+1 ${n.nsn.slice(0, 3)}-${n.nsn.slice(3, 6)}-${n.nsn.slice(6)}`, ''],
      (n) => [`(${n.nsn.slice(0, 3)}) ${n.nsn.slice(3, 6)}-${n.nsn.slice(6)}`, 'US'],
      (n) => [group(n.nsn, [3, 3, 4], '.'), 'US'],
      (n) => [`1-${group(n.nsn, [3, 3, 4], '-')}`, 'US'],
      (n) => [
        `+1 (${n.nsn.slice(0, 3)}) ${n.nsn.slice(3, 6)}-${n.nsn.slice(6)} ext. ${digits(2)}`,
        '',
      ],
    ],
    cities: ['New York', 'San Francisco', 'Chicago', 'Denver', 'Boston'],
  },
  {
    country: 'GB',
    cc: '44',
    share: 0.08,
    make: () => pick(['740', '750', '751', '752', '780', '781', '790', '791']) + digits(7),
    writers: [
      (n) => [`+44 ${group(n.nsn, [4, 6])}`, ''],
      (n) => [`0${group(n.nsn, [4, 6])}`, 'GB'],
      (n) => [`0044 ${group(n.nsn, [4, 6])}`, 'GB'],
      (n) => [`0${group(n.nsn, [4, 3, 3], '-')}`, 'GB'],
    ],
    cities: ['London', 'Leeds', 'Manchester'],
  },
  {
    country: 'DE',
    cc: '49',
    share: 0.08,
    make: () => pick(['151', '152', '157', '160', '170', '171', '175', '176']) + digits(8),
    writers: [
      (n) => [`+49 ${group(n.nsn, [3, 8])}`, ''],
      (n) => [`0${group(n.nsn, [3, 8])}`, 'DE'],
      (n) => [`0049 ${group(n.nsn, [3, 4, 4])}`, 'DE'],
    ],
    cities: ['Berlin', 'München', 'Hamburg'],
  },
  {
    country: 'FR',
    cc: '33',
    share: 0.07,
    make: () => pick(['6', '7']) + pick(['1', '2', '3', '5', '6', '7', '8']) + digits(7),
    writers: [
      (n) => [`0${group(n.nsn, [1, 2, 2, 2, 2])}`, 'FR'],
      (n) => [`+33 ${group(n.nsn, [1, 2, 2, 2, 2])}`, ''],
      (n) => [`0033 (0)${group(n.nsn, [1, 2, 2, 2, 2], '.')}`, 'FR'],
    ],
    cities: ['Paris', 'Lyon', 'Marseille'],
  },
  {
    country: 'SG',
    cc: '65',
    share: 0.05,
    make: () => pick(['8', '9']) + pick(['1', '2', '3', '4', '6', '7', '8']) + digits(6),
    writers: [
      intl,
      (n) => [group(n.nsn, [4, 4]), 'SG'],
      (n) => [`+65 ${group(n.nsn, [4, 4], '-')}`, ''],
    ],
    cities: ['Singapore'],
  },
  {
    country: 'IN',
    cc: '91',
    share: 0.07,
    make: () => pick(['98', '99', '97', '96', '94', '93', '90', '88', '70']) + digits(8),
    writers: [
      (n) => [`+91 ${group(n.nsn, [5, 5])}`, ''],
      (n) => [`0${group(n.nsn, [5, 5])}`, 'IN'],
      (n) => [n.nsn, 'IN'],
    ],
    cities: ['Mumbai', 'Delhi', 'Bengaluru'],
  },
  {
    country: 'AU',
    cc: '61',
    share: 0.05,
    make: () => '4' + pick(['0', '1', '2', '3', '4', '5', '7', '8', '9']) + digits(7),
    writers: [
      (n) => [`0${group(n.nsn, [3, 3, 3])}`, 'AU'],
      (n) => [`+61 ${group(n.nsn, [3, 3, 3])}`, ''],
      (n) => [`0011 61 ${group(n.nsn, [3, 3, 3])}`, 'AU'],
    ],
    cities: ['Sydney', 'Melbourne', 'Perth'],
  },
  {
    country: 'JP',
    cc: '81',
    share: 0.05,
    make: () =>
      pick(['90', '80', '70']) + pick(['1', '2', '3', '4', '5', '6', '7', '8', '9']) + digits(7),
    writers: [
      (n) => [`0${group(n.nsn, [2, 4, 4], '-')}`, 'JP'],
      (n) => [`+81 ${group(n.nsn, [2, 4, 4])}`, ''],
      (n) => [FULL_WIDTH(`0${group(n.nsn, [2, 4, 4], '-')}`), 'JP'],
    ],
    cities: ['東京', '大阪', '名古屋'],
  },
];

// What makes a cell invalid, as it happens in real lists.
const INVALID: readonly (() => [string, string])[] = [
  () => [digits(3 + Math.floor(random() * 3)), pick(['CN', 'US', 'GB'])], // too short
  () => [`138 ${digits(4)} ${digits(1)}ooo`, 'CN'], // letters for zeros
  () => [`+86 11${digits(1)} ${digits(4)} ${digits(4)}`, ''], // unallocated CN range
  () => [`+1 1${digits(2)} 555 ${digits(4)}`, ''], // area codes never start with 1
  () => ['', 'GB'], // empty cell
  () => [`07${pick(['4', '5'])}${digits(2)} ${digits(6)}`, ''], // national, no country
  () => [`+999 ${digits(8)}`, ''], // no such calling code
];

function marketOf(): Market {
  let r = random();
  for (const market of MARKETS) {
    r -= market.share;
    if (r < 0) return market;
  }
  return MARKETS[0]!;
}

/** The file's data rows: 85% distinct valid numbers, 10% invalid, 5% earlier numbers again. */
function* generateRows(count: number): Generator<string> {
  const used = new Set<string>();
  const earlier: [Market, Number_][] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    let phone: string;
    let country: string;
    let market: Market;
    if (r < 0.1) {
      [phone, country] = pick(INVALID)();
      market = MARKETS[0]!;
    } else if (r < 0.15 && earlier.length > 0) {
      let number: Number_;
      [market, number] = pick(earlier);
      [phone, country] = pick(market.writers)(number);
    } else {
      market = marketOf();
      let number: Number_;
      for (;;) {
        number = { cc: market.cc, country: market.country, nsn: market.make() };
        const e164 = `+${number.cc}${number.nsn}`;
        if (used.has(e164)) continue;
        const check = parsePhone(e164);
        if (!check.ok) continue;
        used.add(e164);
        break;
      }
      earlier.push([market, number]);
      [phone, country] = pick(market.writers)(number);
    }
    const city = random() < 0.6 ? pick(market.cities) : '';
    const tags = random() < 0.3 ? pick(['vip', 'new', '"vip;new"', 'trade-show']) : '';
    yield `${phone},${country},${city},${tags}\n`;
  }
}

async function generate(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write('phone,country,city,tags\n');
  let buffer = '';
  for (const row of generateRows(rows)) {
    buffer += row;
    if (buffer.length > 1 << 16) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

/**
 * The child: the production build (dist/, so the parse workers load as they do in production,
 * without tsx) imports the file into a fresh data folder and prints its figures as JSON.
 */
const CHILD = `
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
const [file, dataDir, dist] = process.argv.slice(2);
const load = (m) => import(new URL(m, dist).href);
const { loadConfig } = await load('config.js');
const { openContext } = await load('app-context.js');
const { createLogger } = await load('logger.js');
const { insertConsentText } = await load('store/consents.js');
const { startImport } = await load('contacts/import/importer.js');
const { runImportDetached } = await load('contacts/import/detached.js');
const config = loadConfig({
  HERALD_DATA_DIR: dataDir,
  HERALD_MASTER_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'silent',
});
const ctx = await openContext(config, createLogger({ level: 'silent' }), { migrate: true });
const text = await insertConsentText(ctx.store.db, {
  key: 'bench-signup', version: 1, purpose: 'marketing', locale: 'en',
  body: 'Yes, send me offers by SMS. Reply STOP to opt out.', hash: 'bench',
  created_by: 'bench', created_at: new Date().toISOString(),
});
let rss = 0;
const sampler = setInterval(() => { rss = Math.max(rss, process.memoryUsage().rss); }, 100);
const started = performance.now();
const cpuAtStart = process.cpuUsage();
// As \`herald import\` and the API run it: planned here, run on its own thread.
const plan = await startImport(ctx, {
  file, actor: 'bench', source: 'bench: generated sign-up sheets', purpose: 'marketing',
  consentMethod: 'paper', consentText: text.id,
});
const result = await runImportDetached(ctx, plan);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
clearInterval(sampler);
await ctx.close();
// VmHWM: the process's peak resident set, main thread and worker threads together.
const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(JSON.stringify({ seconds, cpuSeconds, peak: Math.max(rss, hwm * 1024), result }) + '\\n');
`;

/** Single-core parsePhone rate over the file's own written numbers (first `limit` rows). */
async function parseLimit(file: string, limit: number): Promise<number> {
  const cells: [string, CountryCode | undefined][] = [];
  const lines = createInterface({ input: createReadStream(file) });
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false;
      continue;
    }
    // The generator quotes nothing in the first two columns.
    const [phone = '', country = ''] = line.split(',', 2);
    cells.push([phone, country === '' ? undefined : (country as CountryCode)]);
    if (cells.length >= limit) break;
  }
  lines.close();
  for (let i = 0; i < 20_000; i++)
    parsePhone(cells[i % cells.length]![0], cells[i % cells.length]![1]);
  const started = performance.now();
  let valid = 0;
  for (const [phone, country] of cells) if (parsePhone(phone, country).ok) valid++;
  const seconds = (performance.now() - started) / 1000;
  if (valid === 0) throw new Error('no valid numbers parsed');
  return cells.length / seconds;
}

async function main(): Promise<void> {
  const [, , mode] = process.argv;
  const rows = Number(mode ?? 1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-import-'));
  try {
    const file = path.join(dir, 'contacts.csv');
    const t0 = performance.now();
    await generate(file, rows);
    console.log(
      `generated ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${file}`,
    );
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.js')], {
      stdio: 'inherit',
    });
    if (built.status !== 0) throw new Error('the build failed');
    const script = path.join(dir, 'child.mjs');
    writeFileSync(script, CHILD);
    const child = spawnSync(process.execPath, [script, file, path.join(dir, 'data'), DIST], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`import failed (exit ${child.status})`);
    const figures = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      seconds: number;
      /** The whole process: every thread, start to end of the import. */
      cpuSeconds: number;
      peak: number;
      result: {
        processedRows: number;
        counts: Record<string, number>;
        cpu?: { writer: number; parse: number };
      };
    };
    const imported = figures.result.processedRows;
    const rowsPerSecond = imported / figures.seconds;
    console.log(
      `imported ${imported} rows in ${figures.seconds.toFixed(1)} s:`,
      JSON.stringify(figures.result.counts),
    );
    // CPU-µs per row, the figure that does not depend on what else the machine runs.
    const perRow = (seconds: number) => ((seconds * 1e6) / imported).toFixed(1);
    const threads = figures.result.cpu;
    const cpuPerRow = perRow(figures.cpuSeconds);
    console.log(
      `CPU per row: ${cpuPerRow} µs in all` +
        (threads === undefined
          ? ''
          : ` (writer thread ${perRow(threads.writer)}, parse workers ${perRow(threads.parse)}, the rest ${perRow(figures.cpuSeconds - threads.writer - threads.parse)})`),
    );
    const limit = await parseLimit(file, 300_000);
    console.log(`parsePhone on one core: ${Math.round(limit)}/s`);
    console.log(
      `BENCH import rows_per_s=${Math.round(rowsPerSecond)} peak_rss_mb=${Math.round(figures.peak / 2 ** 20)} parse_limit_per_s=${Math.round(limit)} ratio=${(rowsPerSecond / limit).toFixed(2)} cpu_us_per_row=${cpuPerRow}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
