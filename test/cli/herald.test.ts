// The `herald` command as a user runs it: the built bin in a child process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = process.cwd();
const bin = path.join(root, 'bin', 'herald.js');
const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-cli-'));
  dirs.push(dir);
  return dir;
}

function herald(args: string[], env: Record<string, string> = {}, input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startAndWaitForHealth(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'start'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', PORT: String(port), ...env },
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const deadline = Date.now() + 60_000;
  let status = 0;
  while (Date.now() < deadline) {
    try {
      status = (await fetch(`http://127.0.0.1:${port}/health`)).status;
      if (status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { status, stdout };
}

beforeAll(() => {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-if-stale.js')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Each step starts the real bin (about a second of start-up each): a generous time per test.
describe('herald CLI', { timeout: 120_000 }, () => {
  it('prints help with every command and exits 0', () => {
    const r = herald(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'serve', 'worker', 'migrate', 'user', 'apikey', 'keys', 'audit']) {
      expect(r.stdout).toContain(cmd);
    }
    expect(herald(['audit', 'verify', '--help']).code).toBe(0);
  });

  it('exits 2 on a usage mistake', () => {
    expect(herald(['frobnicate']).code).toBe(2);
    expect(herald(['user', 'create', 'bob']).code).toBe(2); // --role missing
  });

  it('exits non-zero with one clear line on a nonsense DATABASE_URL', () => {
    const r = herald(['start'], { DATABASE_URL: 'nonsense', HERALD_DATA_DIR: dataDir() });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^herald: config: DATABASE_URL /);
  });

  it('says clearly when PostgreSQL cannot be reached', () => {
    const r = herald(['migrate'], {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      HERALD_MASTER_KEY: 'a'.repeat(64),
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/migration failed|cannot reach/);
  });

  it('migrates, creates users and keys, and verifies the audit chain until a row is changed', () => {
    const env = { HERALD_DATA_DIR: dataDir() };
    const m = herald(['migrate'], env);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain('0001-foundation');
    expect(herald(['migrate'], env).stdout).toContain('up to date');

    const u = herald(['user', 'create', 'li.na', '--role', 'marketer'], env);
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/password: \S{20,}/);
    const withPw = herald(
      ['user', 'create', 'wang', '--role', 'analyst', '--password-stdin'],
      env,
      'a very long password\n',
    );
    expect(withPw.code).toBe(0);
    expect(withPw.stdout).not.toContain('password:');
    expect(herald(['user', 'create', 'wang', '--role', 'analyst'], env).code).toBe(2);
    expect(herald(['user', 'create', 'x', '--role', 'emperor'], env).code).toBe(2);

    const k = herald(['apikey', 'create', '--name', 'shop', '--role', 'marketer'], env);
    expect(k.code).toBe(0);
    expect(k.stdout.trim()).toMatch(/^hk_[0-9A-Za-z]{12}_[0-9A-Za-z]{40}$/);

    const rot = herald(['keys', 'rotate'], env);
    expect(rot.code).toBe(0);
    expect(rot.stdout).toMatch(/^rotated k\d{8} -> k\d{8}-2/);

    const ok = herald(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit chain ok: [4-9] rows/);

    const db = new Database(path.join(env.HERALD_DATA_DIR, 'herald.db'));
    db.prepare('update audit_log set details = \'{"role":"admin"}\' where seq = 2').run();
    db.close();
    const broken = herald(['audit', 'verify'], env);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain('audit chain broken at row 2 (changed)');

    // A key for a job that ends: it stops working by itself.
    const shortLived = herald(
      [
        'apikey',
        'create',
        '--name',
        'campaign agency',
        '--role',
        'analyst',
        '--expires-in-days',
        '30',
      ],
      env,
    );
    expect(shortLived.code).toBe(0);
    const until = /until (\S+);/.exec(shortLived.stderr)?.[1];
    expect(Date.parse(until ?? '') - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(Date.parse(until ?? '') - Date.now()).toBeLessThan(31 * 86_400_000);
    const keys = new Database(path.join(env.HERALD_DATA_DIR, 'herald.db'));
    const stored = keys
      .prepare("select expires_at from api_keys where name = 'campaign agency'")
      .get() as { expires_at: string };
    keys.close();
    expect(stored.expires_at).toBe(until);
    expect(k.stderr).toContain('until revoked');
    for (const days of ['0', '3651', '1.5', 'soon']) {
      const bad = herald(
        ['apikey', 'create', '--name', 'x', '--role', 'analyst', '--expires-in-days', days],
        env,
      );
      expect(bad.code, days).toBe(2);
      expect(bad.stderr).toContain('--expires-in-days');
    }
  });

  it('starts on the embedded default, answers /health, and prints the first admin password once', async () => {
    const env = { HERALD_DATA_DIR: dataDir() };
    const first = await startAndWaitForHealth(env);
    expect(first.status).toBe(200);
    expect(first.stdout).toMatch(/user: +admin/);
    expect(first.stdout).toMatch(/password: +\S{20,}/);
    const second = await startAndWaitForHealth(env);
    expect(second.status).toBe(200);
    expect(second.stdout).not.toContain('password');
  });
});
