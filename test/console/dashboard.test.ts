/**
 * The dashboard in a real Chromium, over a Herald whose dispatcher sends through two simulators
 * (one that delivers, one whose every message comes back undelivered): the figures match the
 * API, carrier errors show per carrier, the page is clean at a desktop's and a phone's width,
 * and a role that does not read reports gets the latest messages instead of figures.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  checkPage,
  createUser,
  DESKTOP,
  launchBrowser,
  PHONE,
  signedInPage,
  startHerald,
  type ApiSession,
  type Herald,
  type WatchedPage,
} from './harness.js';

interface Overview {
  timeZone: string;
  today: { total: number; byStatus: Record<string, number> };
  week: { total: number };
  rates: { sent: number; delivered: number; delivery: number };
  alerts: { carrierErrors: { items: { carrier: string; errorCode: string; failed: number }[] } };
}

const DELIVERED = ['+14155550131', '+14155550132', '+14155550133'];
const BOUNCING = ['+447400123456', '+447400123457'];

/** Waits until `check` holds (the seeding runs in Herald's own time), at most a minute. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('Herald did not finish sending the seeded messages');
}

describe('console dashboard', () => {
  let herald: Herald;
  let browser: Browser;
  let admin: ApiSession;
  let supportPassword: string;
  let analystPassword: string;

  const overview = (zone: string) =>
    admin.call<Overview>('GET', `/v1/analytics/overview?timeZone=${encodeURIComponent(zone)}`);
  /** A page signed in as a user; the sign-in page's own 401 (no session yet) is not a fault. */
  const signedIn = async (
    viewport: { width: number; height: number },
    username: string,
    password: string,
    locale?: string,
  ): Promise<WatchedPage> =>
    signedInPage(browser, herald.url, username, password, { viewport, locale });
  const zoneOf = (page: Page) =>
    page.evaluate<string>('Intl.DateTimeFormat().resolvedOptions().timeZone');

  beforeAll(async () => {
    herald = await startHerald({
      HERALD_CARRIERS: JSON.stringify([
        { name: 'flaky', type: 'simulator', settings: { deliveryRate: 0 } },
      ]),
      HERALD_ROUTING: JSON.stringify({ routes: [{ countries: ['GB'], carriers: ['flaky'] }] }),
    });
    browser = await launchBrowser();
    admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    supportPassword = await createUser(admin, 'sam', 'support');
    analystPassword = await createUser(admin, 'ana', 'analyst');
    const send = (to: string, purpose: string) =>
      admin.call('POST', '/v1/messages', { to, body: 'Your order A-17 has shipped', purpose });
    for (const to of [...DELIVERED, ...BOUNCING]) await send(to, 'transactional');
    // Marketing to a number nobody consented for: blocked at once.
    await send('+14155550139', 'marketing');
    // The dispatcher and the simulators' receipts finish in their own time.
    await until(async () => {
      const o = await overview('UTC');
      return (
        o.rates.sent === 5 && o.rates.delivered === 3 && o.alerts.carrierErrors.items.length > 0
      );
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  it('shows today’s figures, the rates and the carrier errors as the API counts them', async () => {
    const watched = await signedIn(DESKTOP, 'admin', herald.adminPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/dashboard`);
    const result = await checkPage(watched, 'dashboard', 'Dashboard');
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.overflow).toBeLessThanOrEqual(0);

    const api = await overview(await zoneOf(page));
    const stat = (label: string) =>
      page.locator('.stat', { has: page.getByText(label, { exact: true }) }).locator('.stat-value');
    expect(await stat('Messages today').textContent()).toBe(String(api.today.total));
    expect(api.today.total).toBe(6);
    expect(await stat('Messages this week').textContent()).toBe(String(api.week.total));
    expect(await stat('Delivery rate').textContent()).toBe('60%');

    const byStatus = page.getByRole('region', { name: 'Messages today and this week by status' });
    const blockedRow = byStatus.getByRole('row', { name: /Blocked/ });
    expect(await blockedRow.getByRole('cell').nth(1).textContent()).toBe('1');

    const errors = page.getByRole('region', { name: 'Carrier errors by carrier and error code' });
    const failedOnFlaky = api.alerts.carrierErrors.items
      .filter((e) => e.carrier === 'flaky')
      .reduce((s, e) => s + e.failed, 0);
    expect(failedOnFlaky).toBe(2);
    const shown = await errors.getByRole('row').filter({ hasText: 'flaky' }).all();
    let total = 0;
    for (const row of shown) total += Number(await row.getByRole('cell').nth(2).textContent());
    expect(total).toBe(failedOnFlaky);

    // Both charts are drawn (recharts renders an SVG with one bar group per series).
    expect(await page.getByRole('figure', { name: /per day over the last 14 days/ }).count()).toBe(
      1,
    );
    expect(await page.getByRole('figure', { name: /per hour today/ }).count()).toBe(1);
    expect(await page.getByText('No campaign is sending right now.').count()).toBe(1);

    // A carrier error opens the log filtered to its messages.
    const code = api.alerts.carrierErrors.items[0]!;
    await errors.getByRole('link', { name: code.errorCode }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    expect(new URL(page.url()).searchParams.get('carrier')).toBe(code.carrier);
    expect(await page.getByLabel('Carrier', { exact: true }).inputValue()).toBe(code.carrier);
    await watched.context.close();
  });

  it('fits a phone’s width', async () => {
    const watched = await signedIn(PHONE, 'admin', herald.adminPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/dashboard`);
    const result = await checkPage(watched, 'dashboard', 'Dashboard');
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.overflow).toBeLessThanOrEqual(0);
    await watched.context.close();
  });

  it('speaks Chinese', async () => {
    const watched = await signedIn(DESKTOP, 'admin', herald.adminPassword, 'zh-CN');
    const { page } = watched;
    await page.goto(`${herald.url}/dashboard`);
    const result = await checkPage(watched, 'dashboard-zh', '仪表盘');
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    await page.getByText('运营商错误（近 24 小时）').waitFor();
    await watched.context.close();
  });

  it('gives an analyst the figures but no way into the message log', async () => {
    const watched = await signedIn(DESKTOP, 'ana', analystPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/dashboard`);
    await page.getByText('Delivery rate', { exact: true }).waitFor();
    const errors = page.getByRole('region', { name: 'Carrier errors by carrier and error code' });
    await errors.waitFor();
    expect(await errors.getByRole('link').count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link', { name: 'Messages' }).count()).toBe(0);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('shows support the latest messages, masked, and no figures', async () => {
    const watched = await signedIn(DESKTOP, 'sam', supportPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/dashboard`);
    const result = await checkPage(watched, 'dashboard-support', 'Dashboard');
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    const table = page.getByRole('region', { name: 'Messages, newest first' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(7); // header and six messages
    expect(await page.getByText('Delivery rate').count()).toBe(0);
    const text = (await page.textContent('main')) ?? '';
    for (const number of [...DELIVERED, ...BOUNCING]) expect(text).not.toContain(number.slice(3));
    expect(text).toContain('+44 740***3456');
    await watched.context.close();
  });
});
