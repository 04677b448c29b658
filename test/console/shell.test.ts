/**
 * The console's shell in a real Chromium: sign-in, navigation by role, both languages, the
 * page paths served on reload, and the checks every page passes (no console error, no serious
 * accessibility violation, nothing wider than a phone's screen).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  checkPage,
  createUser,
  DESKTOP,
  launchBrowser,
  openPage,
  PHONE,
  signIn,
  startHerald,
  type Herald,
} from './harness.js';

describe('console shell', () => {
  let herald: Herald;
  let browser: Browser;
  let marketerPassword: string;
  let leoPassword: string;

  beforeAll(async () => {
    herald = await startHerald();
    browser = await launchBrowser();
    const admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    marketerPassword = await createUser(admin, 'mia', 'marketer');
    leoPassword = await createUser(admin, 'leo', 'analyst');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  for (const viewport of [DESKTOP, PHONE]) {
    it(`signs in at ${viewport.width}×${viewport.height}, with a clean, accessible sign-in page`, async () => {
      const watched = await openPage(browser, viewport);
      const { page } = watched;
      await page.goto(herald.url);
      const login = await checkPage(watched, 'login', 'Sign in to Herald');
      expect(login.violations).toEqual([]);
      expect(login.overflow).toBeLessThanOrEqual(0);

      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toMatch(/INVALID_CREDENTIALS|password/i);

      await page.getByLabel('Password').fill(herald.adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const nav = page.getByRole('navigation', { name: 'Main navigation' });
      await nav.waitFor();
      for (const area of ['Dashboard', 'Contacts', 'Campaigns', 'Compliance', 'Settings']) {
        expect(await nav.getByRole('link', { name: area }).count(), area).toBe(1);
      }
      // The failed sign-in's 401 is the browser's only complaint.
      expect(watched.errors.filter((e) => !e.includes('401'))).toEqual([]);
      expect(watched.errors.length).toBeLessThanOrEqual(1);
      await watched.context.close();
    });
  }

  it('offers a marketer only the pages of the role, and does not route the others', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await signIn(page, herald.url, 'mia', marketerPassword);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link', { name: 'Campaigns' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Compliance' }).count()).toBe(0);
    await page.goto(`${herald.url}/settings`);
    await page.getByText('This page does not exist.').waitFor();
    await watched.context.close();
  });

  it('switches to Chinese and keeps the choice across a reload', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await signIn(page, herald.url, 'admin', herald.adminPassword);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    const nav = page.getByRole('navigation', { name: '主导航' });
    await nav.getByRole('link', { name: '营销活动' }).waitFor();
    await page.reload();
    await page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('link', { name: '联系人' })
      .waitFor();
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('zh-CN');
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await watched.context.close();
  });

  it('serves the console on a reload of any of its paths, and keeps /v1 a JSON API', async () => {
    const deep = await fetch(`${herald.url}/campaigns/7/results`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
    const unknown = await fetch(`${herald.url}/v1/no-such-thing`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const html = await deep.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${herald.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    // No way out of the console's folder (fetch would resolve plain dots itself).
    const escape = await fetch(`${herald.url}/assets/..%2F..%2Fpackage.json`);
    expect(escape.status).not.toBe(200);
    expect(await escape.text()).not.toContain('"name": "herald"');
  });

  it('signs out back to the sign-in page', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await signIn(page, herald.url, 'admin', herald.adminPassword);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    await watched.context.close();
  });

  for (const viewport of [DESKTOP, PHONE]) {
    it(`shows the account page at ${viewport.width}×${viewport.height}, clean and accessible`, async () => {
      const watched = await openPage(browser, viewport);
      const { page } = watched;
      await signIn(page, herald.url, 'mia', marketerPassword);
      await page.getByRole('link', { name: 'mia' }).click();
      const account = await checkPage(watched, 'account', 'My account');
      expect(account.violations).toEqual([]);
      expect(account.overflow).toBeLessThanOrEqual(0);
      expect(account.errors).toEqual([]);
      await watched.context.close();
    });
  }

  it('lets a person change their own password: rules in their language, other sessions end', async () => {
    const other = await openPage(browser);
    await signIn(other.page, herald.url, 'leo', leoPassword);
    const watched = await openPage(browser);
    const { page } = watched;
    await signIn(page, herald.url, 'leo', leoPassword);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    await page.getByRole('link', { name: 'leo' }).click();
    await page.getByRole('heading', { level: 1, name: '我的账户' }).waitFor();
    await page.getByLabel('当前密码').fill(leoPassword);
    await page.getByLabel('新密码', { exact: true }).fill('password1234');
    await page.getByLabel('再次输入新密码').fill('password1234');
    await page.getByRole('button', { name: '修改密码' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('该密码过于常见');

    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    const fresh = 'lanterns over the quiet canal';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('New password again').fill(fresh);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. 1 other session was ended.').waitFor();

    // The other browser's session is gone; this one stays; only the new password signs in.
    await other.page.reload();
    await other.page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    await other.context.close();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, herald.url, 'leo', fresh);
    await page.getByRole('link', { name: 'leo' }).waitFor();
    // The wrong-password and weak-password answers (400) are the browser's only complaints.
    expect(watched.errors.filter((e) => !e.includes('400'))).toEqual([]);
    await watched.context.close();
  });
});
