/**
 * What the console's browser tests stand on: Herald started as `npm start` starts it (the built
 * bin, `herald start`, SQLite in a fresh data folder, the simulator, the first admin printed
 * once), Debian's Chromium driven by playwright-core, and checks every page must pass: no
 * console errors, no serious or critical axe-core violation, a screenshot under
 * test-output/console/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { vi } from 'vitest';

// A browser test walks several pages, each checked at two widths; on a loaded two-core machine
// that takes longer than the suite's 30 s default (a compliance test timed out in CI).
vi.setConfig({ testTimeout: 120_000 });

const root = process.cwd();
const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.HERALD_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(root, 'test-output', 'console');
export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Builds the server and the console when their sources changed (as `npm start` does). */
export function buildIfStale(): void {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-if-stale.js')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Herald {
  readonly url: string;
  readonly adminPassword: string;
  readonly dataDir: string;
  /** Output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `herald start` on a free loopback port with its own data folder. */
export async function startHerald(env: Record<string, string> = {}): Promise<Herald> {
  buildIfStale();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-console-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, 'bin', 'herald.js'), 'start'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        LOG_LEVEL: 'warn',
        HERALD_DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        // The tests sign in many times a minute; the limit itself is tested in test/security.
        HERALD_LOGIN_MAX_PER_MINUTE: '1000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-50_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  let password: string | undefined;
  while (!password || !out.includes('listening')) {
    if (child.exitCode !== null) throw new Error(`herald start exited: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`herald start did not come up: ${out}`);
    }
    password = /password:\s+(\S+)/.exec(out)?.[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    adminPassword: password,
    dataDir,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A signed-in API session (cookie and CSRF token), for seeding what a test needs. */
export interface ApiSession {
  call<T = unknown>(method: string, url: string, body?: unknown): Promise<T>;
}

export async function apiSession(
  base: string,
  username: string,
  password: string,
): Promise<ApiSession> {
  const login = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return {
    async call<T>(method: string, url: string, body?: unknown): Promise<T> {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/** Creates a user of a role through the API and answers its password. */
export async function createUser(
  admin: ApiSession,
  username: string,
  role: string,
): Promise<string> {
  const password = `Correct-Horse-Battery-${username.length}-Staple`;
  await admin.call('POST', '/v1/users', { username, role, displayName: username, password });
  return password;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page of its own context, which records every console error and uncaught exception. */
export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and page errors so far. */
  readonly errors: string[];
}

export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
  locale = 'en-GB',
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, context, errors };
}

export async function signIn(page: Page, base: string, username: string, password: string) {
  await page.goto(base);
  await page.getByLabel(/User name|用户名/).fill(username);
  await page.getByLabel(/^Password$|^密码$/).fill(password);
  await page.getByRole('button', { name: /Sign in|登录/ }).click();
  const nav = page.getByRole('navigation', { name: /Main navigation|主导航/ });
  const refused = page.getByRole('alert');
  // Whichever comes first; the other wait ends quietly when its time is up.
  await Promise.race([nav.waitFor(), refused.waitFor()].map((p) => p.catch(() => undefined)));
  if (!(await nav.isVisible())) {
    const said = await refused.textContent({ timeout: 1000 }).catch(() => 'no answer');
    throw new Error(`sign-in of ${username} refused: ${said}`);
  }
}

/**
 * A page of its own context, signed in. What the browser said on the sign-in page is not the
 * signed-in page's (shell.test.ts checks the sign-in page itself), so the record starts after it.
 */
export async function signedInPage(
  browser: Browser,
  base: string,
  username: string,
  password: string,
  opts: {
    viewport?: { width: number; height: number };
    locale?: string;
    /** A step that never comes fails with its own locator before the test's time is up. */
    stepTimeoutMs?: number;
  } = {},
): Promise<WatchedPage> {
  const watched = await openPage(browser, opts.viewport, opts.locale);
  if (opts.stepTimeoutMs !== undefined) watched.context.setDefaultTimeout(opts.stepTimeoutMs);
  await signIn(watched.page, base, username, password);
  watched.errors.length = 0;
  return watched;
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // evaluate runs outside the page's CSP, which forbids injected script tags (as it should).
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe;
    const result = (await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })) as {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown[] }[];
      }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The checks every page passes at a given size: it shows its heading, logs no error, has no
 * serious accessibility violation and scrolls no wider than the window. Saves a screenshot.
 */
export async function checkPage(
  watched: WatchedPage,
  name: string,
  heading: RegExp | string,
): Promise<{ violations: AxeViolation[]; errors: string[]; overflow: number }> {
  const { page } = watched;
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.waitForLoadState('networkidle');
  const violations = await seriousViolations(page);
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  const size = page.viewportSize();
  await screenshot(page, `${name}-${size?.width ?? 0}`);
  return { violations, errors: [...watched.errors], overflow };
}
