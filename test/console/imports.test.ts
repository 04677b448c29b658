/**
 * The imports area in a real Chromium: a CSV with a few bad lines uploaded through the page,
 * its columns mapped, a marketing import without a consent basis refused with Herald's error,
 * then the import with its basis: progress, the counts by outcome matching the file, the
 * row-level report read in the page and downloaded as CSV and JSON, and the list of imports.
 */
import { readFileSync } from 'node:fs';
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
} from './harness.js';

// Line 1 is the header. What each line must become:
const CSV = [
  'Mobile,Home city,Tags,Loyalty card', // 1
  '+86 139 1234 5678,Hangzhou,tea,A-1', // 2 created
  '+86 138 0013 8000,Shanghai,coffee,A-2', // 3 merged (already a contact)
  '+86 139 1234 5678,Hangzhou,tea,A-1', // 4 duplicate of line 2
  '12345,Nowhere,,A-3', // 5 invalid
  'not a number,Paris,,A-4', // 6 invalid
  '+44 7400 123456,Leeds,,A-5', // 7 suppressed
  '+1 415 555 0123,San Francisco,,A-6', // 8 created
].join('\n');
const EXPECTED = { created: 2, merged: 1, duplicate: 1, invalid: 2, suppressed: 1, refused: 0 };

describe('console: imports', () => {
  let herald: Herald;
  let browser: Browser;
  let admin: ApiSession;
  let miaPassword: string;

  const asMia = (viewport: { width: number; height: number } = DESKTOP) =>
    signedInPage(browser, herald.url, 'mia', miaPassword, { viewport });

  async function chooseFile(page: Page) {
    await page.getByLabel('CSV file').setInputFiles({
      name: 'spring-fair.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV, 'utf8'),
    });
    await page.getByText('4 columns found in the header').waitFor();
  }

  const stat = (page: Page, label: string) =>
    page
      .locator('.stat')
      .filter({ has: page.getByText(label, { exact: true }) })
      .locator('.stat-value');

  beforeAll(async () => {
    herald = await startHerald({ HERALD_LOGIN_MAX_PER_MINUTE: '100' });
    browser = await launchBrowser();
    admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    miaPassword = await createUser(admin, 'mia', 'marketer');
    await admin.call('POST', '/v1/consent-texts', {
      key: 'spring-fair',
      purpose: 'marketing',
      locale: 'en',
      body: 'Yes, text me offers from Herald Tea. Reply STOP to opt out.',
    });
    await admin.call('POST', '/v1/contacts', { phone: '+86 138 0013 8000', source: 'shop' });
    await admin.call('POST', '/v1/suppressions', {
      phone: '+44 7400 123456',
      scope: 'all',
      reason: 'complaint',
      note: 'complained to the regulator',
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  it('shows an empty list and the new-import page, clean at both sizes', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const watched = await asMia(viewport);
      const { page } = watched;
      await page.goto(`${herald.url}/imports`);
      await page.getByText('No import yet.').waitFor();
      let checks = await checkPage(watched, 'imports-list-empty', 'Imports');
      expect(checks.violations).toEqual([]);
      expect(checks.errors).toEqual([]);
      expect(checks.overflow).toBeLessThanOrEqual(0);

      await page.getByRole('link', { name: 'New import' }).click();
      await chooseFile(page);
      checks = await checkPage(watched, 'imports-new', 'Import contacts from a CSV file');
      expect(checks.violations).toEqual([]);
      expect(checks.errors).toEqual([]);
      expect(checks.overflow).toBeLessThanOrEqual(0);
      await watched.context.close();
    }
  });

  it('refuses a marketing import without a consent basis, with Herald’s error', async () => {
    const watched = await asMia();
    const { page } = watched;
    await page.goto(`${herald.url}/imports/new`);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByText('Choose a CSV file.').waitFor();
    await page.getByText('Say where these numbers come from.').waitFor();
    await chooseFile(page);
    await page.getByLabel('Source').fill('Bought from a list broker');
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByRole('alert').filter({ hasText: 'CONSENT_BASIS_MISSING' }).waitFor();
    expect(
      await page.getByRole('alert').filter({ hasText: 'CONSENT_BASIS_MISSING' }).textContent(),
    ).toMatch(/Bought or unproven lists are refused for marketing/);
    expect(page.url()).toMatch(/\/imports\/new$/);
    const imports = await admin.call<{ items: unknown[] }>('GET', '/v1/imports');
    expect(imports.items).toEqual([]);
    await watched.context.close();
  });

  it('imports a CSV with bad lines, and its counts and report match the file', async () => {
    const watched = await asMia();
    const { page } = watched;
    await page.goto(`${herald.url}/imports/new`);
    await chooseFile(page);
    // Herald guessed the phone and tags columns; the home city is mapped by hand.
    expect(await page.getByLabel('Read as: Mobile').inputValue()).toBe('phone');
    expect(await page.getByLabel('Read as: Tags').inputValue()).toBe('tags');
    expect(await page.getByLabel('Read as: Home city').inputValue()).toBe('');
    await page.getByLabel('Read as: Home city').selectOption('city');
    // Tags left out on purpose: Herald must not read the column by its name after all.
    await page.getByLabel('Read as: Tags').selectOption('');
    // The sample numbers are masked.
    expect(await page.content()).not.toContain('1234 5678');

    await page.getByLabel('Source').fill('Spring tea fair sign-up sheets');
    await page.getByLabel('Consent method').selectOption('paper');
    await page.getByLabel('Consent text').selectOption({ label: 'spring-fair v1 (en)' });
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.waitForURL(/\/imports\/\d+$/);
    await page.getByText('done', { exact: true }).waitFor();

    for (const [outcome, count] of Object.entries(EXPECTED)) {
      const label = outcome[0]!.toUpperCase() + outcome.slice(1);
      expect(await stat(page, label).textContent(), outcome).toBe(String(count));
    }
    expect(await stat(page, 'Lines').textContent()).toBe('7');
    await page.getByText('Home city → city').waitFor();
    const importId = Number(/\/imports\/(\d+)$/.exec(page.url())![1]);
    const record = await admin.call<{ mapping: Record<string, string>; ignoredColumns: string[] }>(
      'GET',
      `/v1/imports/${importId}`,
    );
    expect(record.mapping).toEqual({ phone: 'Mobile', city: 'Home city' });
    expect(record.ignoredColumns).toEqual(['Tags', 'Loyalty card']);
    await page.getByText('spring-fair v1 (en)').waitFor();

    const report = page.getByRole('region', { name: 'What happened to each line of the file' });
    const outcomes = async () => {
      const rows = await report.locator('tbody tr').all();
      return Promise.all(
        rows.map(async (r) => (await r.locator('td').allTextContents()).join(' ')),
      );
    };
    const rows = await outcomes();
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatch(/^2 Created/);
    expect(rows[1]).toMatch(/^3 Merged/);
    expect(rows[2]).toMatch(/^4 Duplicate/);
    expect(rows[3]).toMatch(/^5 Invalid/);
    expect(rows[3]).toContain('no country code, and no country for national numbers');
    expect(rows[5]).toMatch(/^7 Suppressed/);
    expect(rows.join('\n')).not.toContain('1234 5678');

    await page.getByLabel('Show lines').selectOption('invalid');
    await expect.poll(async () => (await outcomes()).length).toBe(2);
    expect((await outcomes()).map((r) => r.split(' ')[0])).toEqual(['5', '6']);
    await page.getByLabel('Show lines').selectOption('');
    await expect.poll(async () => (await outcomes()).length).toBe(7);

    const csvDownload = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    const csv = readFileSync((await (await csvDownload).path())!, 'utf8');
    expect(csv.trim().split(/\r?\n/)).toHaveLength(8);
    expect(csv).toContain('suppressed');
    expect(csv).not.toContain('1234 5678');

    const jsonDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download JSON' }).click();
    const lines = JSON.parse(readFileSync((await (await jsonDownload).path())!, 'utf8')) as {
      line: number;
      outcome: string;
    }[];
    expect(lines.map((l) => l.outcome)).toEqual([
      'created',
      'merged',
      'duplicate',
      'invalid',
      'invalid',
      'suppressed',
      'created',
    ]);

    const checks = await checkPage(watched, 'imports-detail', /^Import #\d+$/);
    expect(checks.violations).toEqual([]);
    expect(checks.errors).toEqual([]);
    expect(checks.overflow).toBeLessThanOrEqual(0);
    await watched.context.close();
  });

  it('lists the import and opens it at a phone’s width', async () => {
    const watched = await asMia(PHONE);
    const { page } = watched;
    await page.goto(`${herald.url}/imports`);
    const list = page.getByRole('region', { name: 'Past imports, newest first' });
    await list.getByText('spring-fair.csv').waitFor();
    const checks = await checkPage(watched, 'imports-list', 'Imports');
    expect(checks.violations).toEqual([]);
    expect(checks.errors).toEqual([]);
    expect(checks.overflow).toBeLessThanOrEqual(0);
    await list.getByRole('link', { name: /^#\d+$/ }).click();
    const detail = await checkPage(watched, 'imports-detail', /^Import #\d+$/);
    expect(detail.violations).toEqual([]);
    expect(detail.errors).toEqual([]);
    expect(detail.overflow).toBeLessThanOrEqual(0);
    await watched.context.close();
  });
});
