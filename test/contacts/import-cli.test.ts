// `herald import` as a user runs it: the built bin in a child process, on both dialects.
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/commands/import.js';
import { openContext } from '../../src/app-context.js';
import { hashConsentText } from '../../src/contacts/consent.js';
import { runImport, startImport } from '../../src/contacts/import/importer.js';
import { createLogger } from '../../src/logger.js';
import { insertConsentText } from '../../src/store/consents.js';
import { findImport } from '../../src/store/imports.js';
import { DIALECTS, PG_URL, createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const root = process.cwd();
const bin = path.join(root, 'bin', 'herald.js');
const fixtures = path.join(root, 'test', 'fixtures');
const numbers = path.join(fixtures, 'numbers.csv');
const PROVENANCE = [
  '--source',
  '2025 trade show sign-up sheets',
  '--purpose',
  'marketing',
  '--consent-method',
  'paper',
  '--consent-text',
  'trade-show',
];

beforeAll(() => {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-if-stale.js')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
}, 180_000);

describe.each(DIALECTS)('[%s] herald import', (dialect) => {
  let database: TestDatabase;
  let env: Record<string, string>;

  const herald = (args: string[]) => {
    const result = spawnSync(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const withContext = async <T>(
    fn: (ctx: Awaited<ReturnType<typeof openContext>>) => Promise<T>,
  ) => {
    const ctx = await openContext(database.config, createLogger({ level: 'silent' }), {
      storeOptions: database.schema ? { searchPath: database.schema } : {},
    });
    try {
      return await fn(ctx);
    } finally {
      await ctx.close();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    env = {
      HERALD_DATA_DIR: database.dataDir,
      HERALD_MASTER_KEY: database.config.masterKey ?? '',
      LOG_LEVEL: 'warn',
      ...(dialect === 'postgres'
        ? {
            DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${database.schema}`)}`,
          }
        : {}),
    };
    const store = await database.open();
    const body = 'Yes, text me offers. Reply STOP to opt out.';
    await insertConsentText(store.db, {
      key: 'trade-show',
      version: 1,
      purpose: 'marketing',
      locale: 'en',
      body,
      hash: hashConsentText(body),
      created_by: 'test',
      created_at: new Date().toISOString(),
    });
    await store.destroy();
  });
  afterAll(async () => database.drop());

  it('imports with a summary line on stdout, no progress in a pipe, and a CSV report', () => {
    const report = path.join(database.dataDir, 'report.csv');
    const r = herald(['import', numbers, ...PROVENANCE, '--report', report]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'import 1 done: 95 rows, created 34, merged 0, duplicate 35, invalid 26, suppressed 0, refused 0\n',
    );
    const lines = readFileSync(report, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(96);
    // The masked number starts with +: the CSV neutralises it so a spreadsheet shows it as text.
    expect(lines[1]).toMatch(/^2,created,,'\+86 138\*\*\*\*8000,\d+$/);
    expect(statSync(report).mode & 0o777).toBe(0o600);
  });

  it('changes nothing on a re-run, and writes a JSON report', () => {
    const report = path.join(database.dataDir, 'report.json');
    const r = herald(['import', numbers, ...PROVENANCE, '--report', report]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^import 2 done: 95 rows, created 0, merged 34, duplicate 35,/);
    const doc = JSON.parse(readFileSync(report, 'utf8'));
    expect(doc.import).toMatchObject({ id: 2, status: 'done', fileName: 'numbers.csv' });
    expect(doc.lines).toHaveLength(95);
    expect(doc.lines[0]).toMatchObject({ line: 2, outcome: 'merged', reason: 'no change' });
  });

  it('reads GBK with an explicit encoding and mapping', () => {
    const r = herald([
      'import',
      path.join(fixtures, 'import', 'contacts-zh-gbk.csv'),
      '--source',
      'shop counter forms',
      '--purpose',
      'transactional',
      '--encoding',
      'gbk',
      '--map',
      'phone=手机号,city=城市',
      '--country',
      'CN',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^import 3 done: 12 rows, created \d+, merged \d+, duplicate 2, invalid 2,/,
    );
  });

  it.each([
    [
      ['--source', 'bought list', '--purpose', 'marketing'],
      /Bought or unproven lists are refused for marketing/,
    ],
    [['--purpose', 'marketing'], /needs --source and --purpose/],
    [[...PROVENANCE, '--report', 'out.txt'], /--report must name a \.csv or \.json file/],
    [[...PROVENANCE, '--country', 'Narnia'], /country/],
    [['--resume', '1', '--purpose', 'marketing'], /give only FILE and --resume/],
    [['--resume', '1', '--ignore', '城市'], /give only FILE and --resume/],
    [[...PROVENANCE, '--ignore', 'phone'], /No column holds the phone number/],
    [[...PROVENANCE, '--ignore', '省份'], /no column "省份"/],
  ])('exits 2 with one line for %j', (args, message) => {
    const r = herald(['import', numbers, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('draws a progress bar on a terminal (stderr), the summary still on stdout', async () => {
    let drawn = '';
    const terminal = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          drawn += chunk.toString();
          done();
        },
      }),
      { isTTY: true, columns: 100 },
    );
    let out = '';
    await withContext((ctx) =>
      importCommand(
        ctx,
        numbers,
        {
          source: 'sheets',
          purpose: 'transactional',
          consentMethod: undefined,
          consentText: undefined,
        },
        { out: { write: (text: string) => (out += text) }, progress: terminal, actor: 'test' },
      ),
    );
    expect(drawn).toContain('importing |');
    expect(drawn).toContain('95/95 rows');
    expect(out).toMatch(/^import \d+ done: 95 rows, /);
  });

  it('resumes a stopped import from its checkpoint', async () => {
    const id = await withContext(async (ctx) => {
      const plan = await startImport(ctx, {
        file: numbers,
        actor: 'test',
        source: 'sheets',
        purpose: 'marketing',
        consentMethod: 'paper',
        consentText: 'trade-show',
      });
      await runImport(ctx, plan, {
        workers: 0,
        batchRows: 20,
        beforeCommit: ({ index }) => {
          if (index === 2) throw new Error('killed');
        },
      }).catch(() => undefined);
      return plan.record.id;
    });
    const r = herald(['import', numbers, '--resume', String(id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^import ${id} done: 95 rows, `));
    const record = await withContext(async (ctx) => findImport(ctx.store.db, id));
    expect(record).toMatchObject({ status: 'done', processed_rows: 95 });
    const other = herald([
      'import',
      path.join(fixtures, 'import', 'contacts-zh.csv'),
      '--resume',
      String(id),
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/already done/);
  });
});
