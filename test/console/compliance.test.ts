/**
 * The console's compliance area in a real Chromium: suppressions blocked and unblocked through
 * the UI (each confirmed), consent text versions with their hash, a data-subject export (the
 * JSON downloaded, the audit entry seen on the audit page) and an erasure, the audit chain's
 * badge, the compliance report equal to the API's JSON, and the pages a role may not use.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiSession,
  checkPage,
  createUser,
  DESKTOP,
  launchBrowser,
  openPage,
  PHONE,
  screenshot,
  seriousViolations,
  signIn,
  startHerald,
  type ApiSession,
  type Herald,
  type WatchedPage,
} from './harness.js';

const SUBJECT = '+8613912345678';
const ERASED = '+8613912345679';
const BLOCKED = '+44 7911 123456';

type User = 'admin' | 'carla' | 'sam';

describe('console: compliance', () => {
  let herald: Herald;
  let browser: Browser;
  let admin: ApiSession;
  let carla: ApiSession;
  let carlaPassword: string;
  let samPassword: string;
  let subjectId: number;
  let erasedId: number;

  beforeAll(async () => {
    herald = await startHerald();
    browser = await launchBrowser();
    admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    carlaPassword = await createUser(admin, 'carla', 'compliance');
    samPassword = await createUser(admin, 'sam', 'support');
    carla = await apiSession(herald.url, 'carla', carlaPassword);
    const contact = (phone: string) =>
      admin.call<{ id: number }>('POST', '/v1/contacts', {
        phone,
        country: 'CN',
        consents: [{ purpose: 'marketing', action: 'grant', method: 'web_form', source: 'signup' }],
      });
    subjectId = (await contact(SUBJECT)).id;
    erasedId = (await contact(ERASED)).id;
    // An opt-out reply, honoured at once: the report counts it.
    await admin.call('POST', '/v1/simulator/inbound', { from: SUBJECT, text: 'TD' });
    await admin.call('POST', '/v1/consent-texts', {
      key: 'signup.checkout',
      purpose: 'marketing',
      locale: 'en',
      body: 'Yes, send me offers by SMS. Reply STOP to opt out.',
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  // One signed-in context per person (sign-ins are rate-limited); each check gets a new page.
  const contexts = new Map<string, BrowserContext>();
  const passwordOf = (user: User) =>
    user === 'admin' ? herald.adminPassword : user === 'carla' ? carlaPassword : samPassword;

  const open = async (
    user: User,
    viewport: { width: number; height: number } = DESKTOP,
  ): Promise<WatchedPage> => {
    let context = contexts.get(user);
    if (!context) {
      const first = await openPage(browser, DESKTOP);
      await signIn(first.page, herald.url, user, passwordOf(user));
      await first.page.close();
      context = first.context;
      contexts.set(user, context);
    }
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(herald.url);
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    return { page, context, errors };
  };

  /** The page's checks at both sizes: clean, accessible, nothing wider than the window. */
  const checkBothSizes = async (
    user: User,
    path: string,
    name: string,
    heading: RegExp | string,
    ready?: (page: Page) => Promise<unknown>,
  ) => {
    const watched = await open(user);
    for (const viewport of [DESKTOP, PHONE]) {
      await watched.page.setViewportSize(viewport);
      await watched.page.goto(`${herald.url}${path}`);
      await ready?.(watched.page);
      const result = await checkPage(watched, name, heading);
      const at = `${name} at ${viewport.width}`;
      expect(result.violations, at).toEqual([]);
      expect(result.errors, at).toEqual([]);
      expect(result.overflow, `${at}: ${await wideElements(watched.page)}`).toBeLessThanOrEqual(0);
    }
    await watched.page.close();
  };

  /** For a failure message: the elements that reach past the window's right edge. */
  const wideElements = (page: Page) =>
    page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .filter((e) => {
        for (let p = e.parentElement; p; p = p.parentElement) {
          if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
        }
        return true;
      })
      .slice(0, 8)
      .map((e) => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
      .join(', ')`);

  /** The notes in the suppression list as the page shows them. */
  const listedNotes = async (page: Page) => {
    const table = page.getByRole('region', { name: 'Suppressions, newest first' });
    if ((await table.count()) === 0) return [];
    return table.locator('tbody tr td:nth-child(4)').allTextContents();
  };

  it('blocks and unblocks a number, each confirmed, and the list follows', async () => {
    const watched = await open('carla');
    const { page } = watched;
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Compliance' })
      .click();
    await page.waitForURL(/\/compliance\/suppressions$/);
    const sections = page.getByRole('navigation', { name: 'Compliance sections' });
    expect(await sections.getByRole('link').allTextContents()).toEqual([
      'Suppressions',
      'Consent texts',
      'Data-subject requests',
      'Audit log',
      'Compliance report',
    ]);
    await page.getByRole('heading', { level: 1, name: 'Suppressions' }).waitFor();
    expect(await listedNotes(page)).not.toContain('regulator complaint 42');

    // Block: the form is checked first, then reviewed, and only the second click writes.
    await page.getByRole('button', { name: 'Block a number', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Block a number' });
    await dialog.getByRole('button', { name: 'Review' }).click();
    await dialog.getByText('Enter a phone number.').waitFor();
    await dialog.getByText('Write at least 3 characters.').waitFor();
    await dialog.getByLabel('Phone number', { exact: true }).fill(BLOCKED);
    await dialog.getByLabel('Country (optional)').fill('gb');
    await dialog.getByLabel('Scope').selectOption('all');
    await dialog.getByLabel('Reason').selectOption('complaint');
    await dialog.getByLabel('Why (kept in the audit log)').fill('regulator complaint 42');
    await dialog.getByRole('button', { name: 'Review' }).click();
    await dialog.getByText(`Block ${BLOCKED} for All messages, reason “Complaint”.`).waitFor();
    expect(
      (await carla.call<{ items: unknown[] }>('GET', '/v1/suppressions?reason=complaint')).items,
    ).toHaveLength(0);
    await screenshot(page, 'compliance-block-dialog-1280');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Block this number' }).click();
    await page.getByText('Blocked. The number is on the suppression list.').waitFor();
    await expect.poll(() => listedNotes(page)).toContain('regulator complaint 42');
    const row = page
      .getByRole('region', { name: 'Suppressions, newest first' })
      .getByRole('row', { name: /regulator complaint 42/ });
    expect(await row.textContent()).toContain('Complaint');
    expect(await row.textContent()).toContain('user:carla');
    expect(await page.locator('main').textContent()).not.toContain('7911 123456');

    // Filters: by reason it stays, by another scope it goes.
    await page
      .getByRole('group', { name: 'Filters' })
      .getByLabel('Reason')
      .selectOption('complaint');
    await expect.poll(() => listedNotes(page)).toEqual(['regulator complaint 42']);
    await page
      .getByRole('group', { name: 'Filters' })
      .getByLabel('Scope')
      .selectOption('marketing');
    await page.getByText('No suppression matches these filters.').waitFor();
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Scope').selectOption('');
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Reason').selectOption('');

    // Unblock from a check of the number: reviewed, then confirmed.
    const check = page.getByRole('region', { name: 'Check a number' });
    await check.getByLabel('Phone number', { exact: true }).fill('+447911123456');
    await check.getByRole('button', { name: 'Check' }).click();
    await check.getByRole('button', { name: 'Unblock' }).click();
    const unblock = page.getByRole('dialog', { name: 'Unblock a number' });
    expect(await unblock.getByLabel('Phone number', { exact: true }).inputValue()).toBe(
      '+447911123456',
    );
    await unblock
      .getByLabel('Why it may be texted again (kept in the audit log)')
      .fill('complaint withdrawn');
    await unblock.getByRole('button', { name: 'Review' }).click();
    await unblock.getByText('Lift the “All messages” suppression of +447911123456.').waitFor();
    await unblock.getByRole('button', { name: 'Unblock this number' }).click();
    await page.getByText('Unblocked. The suppression was lifted and audited.').waitFor();
    await expect.poll(() => listedNotes(page)).not.toContain('regulator complaint 42');
    await check.getByText('This number is not suppressed.').waitFor();

    // Unblocking a number that is not blocked answers Herald's own error.
    await page.getByRole('button', { name: 'Unblock a number' }).click();
    await unblock.getByLabel('Phone number', { exact: true }).fill('+447911123456');
    await unblock.getByLabel('Why it may be texted again (kept in the audit log)').fill('again');
    await unblock.getByRole('button', { name: 'Review' }).click();
    await unblock.getByRole('button', { name: 'Unblock this number' }).click();
    await unblock
      .getByRole('alert')
      .getByText(/NOT_FOUND/)
      .waitFor();
    await unblock.getByRole('button', { name: 'Close' }).click();
    // The browser reports the refused call itself; nothing else went wrong.
    expect(watched.errors).toEqual([expect.stringContaining('404')]);
    watched.errors.splice(0);

    const audit = await carla.call<{ items: { action: string; details: { note: string } }[] }>(
      'GET',
      '/v1/audit?actor=user%3Acarla&limit=10',
    );
    expect(audit.items.map((e) => e.action).slice(0, 2)).toEqual([
      'suppression.unblock',
      'suppression.block',
    ]);
    expect(watched.errors).toEqual([]);
    await watched.page.close();
    await checkBothSizes(
      'carla',
      '/compliance/suppressions',
      'compliance-suppressions',
      'Suppressions',
    );
  });

  it('publishes a consent text version and shows its hash; a role without consent:write only reads', async () => {
    const watched = await open('admin');
    const { page } = watched;
    await page.goto(`${herald.url}/compliance/consent-texts`);
    const form = page.getByRole('region', { name: 'Publish a new version' });
    await form.getByLabel('Key').fill('signup.checkout');
    await form.getByLabel('Text shown to the person').fill('short');
    await form.getByRole('button', { name: 'Publish version' }).click();
    await form.getByText('Write at least 10 characters.').waitFor();
    const body =
      'Yes, send me offers and news by SMS, at most twice a week. Reply STOP to opt out.';
    await form.getByLabel('Text shown to the person').fill(body);
    await form.getByRole('button', { name: 'Publish version' }).click();
    await form.getByText('Published signup.checkout version 2.').waitFor();

    const texts = await admin.call<{ items: { id: number; version: number; hash: string }[] }>(
      'GET',
      '/v1/consent-texts',
    );
    const v2 = texts.items.find((c) => c.version === 2)!;
    expect(await form.getByText(v2.hash).count()).toBe(1);
    const table = page.getByRole('region', { name: 'All versions' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);

    await form.getByRole('link', { name: 'Published signup.checkout version 2.' }).click();
    await page.getByRole('heading', { level: 1, name: 'signup.checkout · version 2' }).waitFor();
    expect(await page.getByText(v2.hash).count()).toBe(1);
    expect(await page.locator('blockquote').textContent()).toBe(body);
    expect(watched.errors).toEqual([]);
    await watched.page.close();

    // Compliance may read consent texts but not publish them.
    const reader = await open('carla');
    await reader.page.goto(`${herald.url}/compliance/consent-texts`);
    await reader.page.getByText('Your role may read consent texts').waitFor();
    expect(await reader.page.getByRole('region', { name: 'Publish a new version' }).count()).toBe(
      0,
    );
    await reader.page.close();

    await checkBothSizes(
      'admin',
      '/compliance/consent-texts',
      'compliance-consent-texts',
      'Consent texts',
      (p) => p.getByRole('region', { name: 'All versions' }).waitFor(),
    );
    await checkBothSizes(
      'carla',
      `/compliance/consent-texts/${v2.id}`,
      'compliance-consent-text',
      'signup.checkout · version 2',
    );
  });

  it('exports a contact as JSON, and the export appears on the audit page with an intact chain', async () => {
    const watched = await open('carla');
    const { page } = watched;
    await page.goto(`${herald.url}/compliance/requests`);
    const card = page.getByRole('region', { name: 'Export a person’s data' });
    await card.getByLabel('By contact number').check();
    await card.getByLabel('Contact number', { exact: true }).fill('x');
    await card.getByRole('button', { name: 'Export' }).click();
    await card.getByText('Enter a contact number').waitFor();
    await card.getByLabel('Contact number', { exact: true }).fill(String(subjectId));
    await card
      .getByLabel('Reason (optional, kept in the audit log)')
      .fill('access request 2026-17');
    await card.getByRole('button', { name: 'Export' }).click();
    await card.getByText(`Contact #${subjectId}`).waitFor();
    expect(
      await card
        .locator('.stat', { hasText: 'Consent records' })
        .locator('.stat-value')
        .textContent(),
    ).toBe('2');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'Download JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^herald-export-contact-${subjectId}-`),
    );
    const doc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      format: string;
      subject: { phone: string; found: boolean };
      consent: { history: { action: string }[] };
    };
    expect(doc.format).toBe('herald.subject-export.v1');
    expect(doc.subject).toEqual({ phone: SUBJECT, found: true });
    expect(doc.consent.history.map((e) => e.action)).toEqual(['grant', 'revoke']);
    // The clear number is in the file, never on the screen.
    expect(await page.locator('main').textContent()).not.toContain('13912345678');

    await page
      .getByRole('navigation', { name: 'Compliance sections' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const chain = page.getByRole('status').filter({ hasText: 'Chain intact' });
    await chain.waitFor();
    expect(await chain.textContent()).toMatch(/\d+ rows verified/);
    const filters = page.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('Action').fill('privacy.export');
    await filters.getByRole('button', { name: 'Apply' }).click();
    const table = page.getByRole('region', { name: 'Entries, newest first' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    const entry = await table.locator('tbody tr').first().textContent();
    expect(entry).toContain('user:carla');
    expect(entry).toContain(`contact:${subjectId}`);
    expect(entry).toContain('access request 2026-17');
    await filters.getByLabel('Action').fill('no.such.action');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No audit entry matches these filters.').waitFor();
    await filters.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(10);

    // Paging: ten rows a page, Next continues below the last row seen, Previous comes back.
    const seqs = async () =>
      (await table.locator('tbody tr td:first-child').allTextContents()).map(Number);
    const everything = await seqs();
    await page.getByLabel('Rows per page').selectOption('10');
    await expect.poll(seqs).toEqual(everything.slice(0, 10));
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(seqs).toEqual(everything.slice(10, 20));
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(seqs).toEqual(everything.slice(0, 10));
    expect(watched.errors).toEqual([]);
    await watched.page.close();

    await checkBothSizes('carla', '/compliance/audit', 'compliance-audit', 'Audit log', (p) =>
      p.getByText('Chain intact').waitFor(),
    );
  });

  it('erases a number only after the typed confirmation, and shows what was erased', async () => {
    const watched = await open('carla');
    const { page } = watched;
    await page.goto(`${herald.url}/compliance/requests`);
    const card = page.getByRole('region', { name: 'Erase a person’s data' });
    await card.getByLabel('Phone number', { exact: true }).fill(ERASED);
    await card
      .getByLabel('Reason (optional, kept in the audit log)')
      .fill('erasure request 2026-18');
    const erase = card.getByRole('button', { name: 'Erase for good' });
    expect(await erase.isDisabled()).toBe(true);
    await card.getByLabel('Type ERASE to confirm').fill('erase');
    expect(await erase.isDisabled()).toBe(true);
    await card.getByLabel('Type ERASE to confirm').fill('ERASE');
    await erase.click();
    const result = card.getByRole('region', { name: 'What was erased' });
    await result.waitFor();
    expect(await result.getByRole('row', { name: /Contacts deleted/ }).textContent()).toContain(
      '1',
    );
    expect(
      await result.getByRole('row', { name: /Consent records deleted/ }).textContent(),
    ).toContain('1');
    await expect(carla.call('GET', `/v1/contacts/${erasedId}`)).rejects.toThrow(/404/);
    expect(watched.errors).toEqual([]);
    await watched.page.close();

    await checkBothSizes(
      'carla',
      '/compliance/requests',
      'compliance-requests',
      'Data-subject requests',
    );
  });

  it('shows the compliance report with the same figures as the API’s JSON for the period', async () => {
    const watched = await open('carla');
    const { page } = watched;
    await page.goto(`${herald.url}/compliance/report`);
    await page.getByRole('heading', { level: 1, name: 'Compliance report' }).waitFor();
    await page.locator('[data-part="opt-outs"]').waitFor();
    const href = await page.getByRole('link', { name: 'JSON', exact: true }).getAttribute('href');
    expect(href).toMatch(/^\/v1\/reports\/compliance\?from=.+&to=.+&format=json$/);
    const report = await carla.call<{
      marketing: { checked: number; compliant: number; problems: Record<string, number> };
      optOuts: {
        replies: number;
        honoured: number;
        notHonoured: number;
        latency: { p50Seconds: number | null; p99Seconds: number | null };
      };
      staffNumberAccess: { actor: string; action: string; n: number }[];
    }>('GET', href!);
    const figure = (part: string, label: string) =>
      page
        .locator(`[data-part="${part}"] .stat`)
        .filter({ has: page.locator('.stat-label', { hasText: new RegExp(`^${label}$`) }) })
        .locator('.stat-value')
        .textContent();
    const n = (v: number) => v.toLocaleString('en-GB');
    const s = (v: number | null) =>
      v === null ? '–' : `${v.toLocaleString('en-GB', { maximumFractionDigits: 1 })} s`;
    const m = report.marketing;
    expect(await figure('marketing', 'Checked')).toBe(n(m.checked));
    expect(await figure('marketing', 'Compliant')).toBe(n(m.compliant));
    expect(await figure('marketing', 'Consent at send time')).toBe(
      n(m.checked - (m.problems.no_consent ?? 0) - (m.problems.unverifiable ?? 0)),
    );
    expect(await figure('marketing', 'Sent while suppressed')).toBe(n(m.problems.suppressed ?? 0));
    expect(await figure('marketing', 'In quiet hours')).toBe(n(m.problems.quiet_hours ?? 0));
    expect(await figure('marketing', 'On a holiday')).toBe(n(m.problems.holiday ?? 0));
    const o = report.optOuts;
    expect(o.replies).toBe(1);
    expect(await figure('opt-outs', 'Opt-out replies')).toBe(n(o.replies));
    expect(await figure('opt-outs', 'Honoured')).toBe(n(o.honoured));
    expect(await figure('opt-outs', 'Not honoured')).toBe(n(o.notHonoured));
    expect(await figure('opt-outs', 'Honoured in \\(median, p50\\)')).toBe(s(o.latency.p50Seconds));
    expect(await figure('opt-outs', 'Honoured in \\(p99\\)')).toBe(s(o.latency.p99Seconds));

    // Staff access: the export above, by carla, as the API counts it.
    expect(report.staffNumberAccess).toContainEqual(
      expect.objectContaining({ actor: 'user:carla', action: 'privacy.export', n: 1 }),
    );
    const staff = page.getByRole('region', { name: 'Reveals and exports by person' });
    const rows = await staff.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(report.staffNumberAccess.length);
    for (const a of report.staffNumberAccess) {
      expect(rows.some((r) => r.startsWith(`${a.actor}${a.action}${n(a.n)}`))).toBe(true);
    }

    // The other forms of the same report are links to the same period.
    const csv = await page.getByRole('link', { name: /^CSV/ }).getAttribute('href');
    const html = await page.getByRole('link', { name: 'Print-ready page' }).getAttribute('href');
    expect(csv).toBe(href!.replace('format=json', 'format=csv'));
    expect(html).toBe(href!.replace('format=json', 'format=html'));
    const printable = await page.request.get(`${herald.url}${html}`);
    expect(printable.status()).toBe(200);
    expect(await printable.text()).toContain('Compliance report');

    // A period the wrong way round is refused before anything is asked.
    await page.getByLabel('From (first day)').fill('2026-03-10');
    await page.getByLabel('To (last day)').fill('2026-03-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('The first day must not be after the last day.').waitFor();
    expect(watched.errors).toEqual([]);
    await watched.page.close();

    await checkBothSizes(
      'carla',
      '/compliance/report',
      'compliance-report',
      'Compliance report',
      (p) => p.locator('[data-part="opt-outs"]').waitFor(),
    );
  });

  it('speaks Chinese: the audit page, its badge and the sections', async () => {
    const watched = await open('carla');
    const { page } = watched;
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    await page.goto(`${herald.url}/compliance/audit`);
    await page.getByRole('heading', { level: 1, name: '审计日志' }).waitFor();
    const sections = page.getByRole('navigation', { name: '合规栏目' });
    expect(await sections.getByRole('link').allTextContents()).toEqual([
      '屏蔽名单',
      '同意文本',
      '个人信息请求',
      '审计日志',
      '合规报告',
    ]);
    await page.getByText('哈希链完整').waitFor();
    const result = await checkPage(watched, 'compliance-audit-zh', '审计日志');
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.overflow).toBeLessThanOrEqual(0);
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await watched.page.close();
  });

  it('offers a role without audit:read neither the audit page nor the area', async () => {
    const watched = await open('sam');
    const { page } = watched;
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link', { name: 'Contacts' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Compliance' }).count()).toBe(0);
    await page.goto(`${herald.url}/compliance/audit`);
    await page.getByText('This page does not exist.').waitFor();
    expect(await page.getByText('Chain intact').count()).toBe(0);
    await expect(
      (await apiSession(herald.url, 'sam', samPassword)).call('GET', '/v1/audit'),
    ).rejects.toThrow(/403/);
    await watched.page.close();
  });
});
