/**
 * The campaigns area in a real Chromium: compose a two-variant campaign (live counter that
 * switches to UCS-2 and more segments when an emoji is added, policy findings fixed by a click,
 * a preview for a chosen contact, the A/B test, the schedule), submit it, approve it as a second
 * person in the approval queue (the author of a campaign gets no approve button for it), schedule
 * it and watch its results page fill by itself with the figures GET /v1/analytics/campaigns/:id
 * answers. Roles without the permissions get neither the buttons nor the composer.
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
} from './harness.js';

const GRANT = [{ purpose: 'marketing', action: 'grant', method: 'web_form', source: 'test' }];
const CONTACTS = [
  { phone: '+14155552001', attributes: { city: 'Springfield' }, consents: GRANT },
  { phone: '+14155552002', attributes: { city: 'Shelbyville' }, consents: GRANT },
  { phone: '+14155552003', attributes: { city: 'Springfield' }, consents: GRANT },
  { phone: '+14155552004', attributes: { city: 'Ogdenville' }, consents: GRANT },
  { phone: '+14155552005', attributes: { city: 'Springfield' }, consents: GRANT },
  // No consent: blocked, with its reason.
  { phone: '+14155552006', attributes: { city: 'Springfield' } },
];
const BODY_A = 'Acme’s spring sale in {{ contact.city }}: 20% off today.';
const BODY_B =
  'Acme: our spring sale starts today, with 20% off everything in every store. Reply STOP to opt out';

const REASON_LABELS: Record<string, string> = {
  no_consent: 'No consent',
  content_noncompliant: 'Content not compliant',
};

interface Analytics {
  total: {
    audience: number;
    sent: number;
    delivered: number;
    clicks: { unique: number };
    converters: number;
    blocked: number;
    blockedByReason: Record<string, number>;
  };
  variants: { variant: string; audience: number; sent: number }[];
}

/** The Etc/GMT zone where it is now 13:xx (Etc/GMT-5 is UTC+5). */
function lunchZone(now = new Date()): string {
  const offset = ((13 - now.getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

describe('console: campaigns', { timeout: 90_000 }, () => {
  let herald: Herald;
  let browser: Browser;
  let admin: ApiSession;
  let mia: ApiSession;
  const passwords: Record<string, string> = {};
  let segmentId: number;

  beforeAll(async () => {
    herald = await startHerald();
    browser = await launchBrowser();
    admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    passwords.mia = await createUser(admin, 'mia', 'marketer');
    passwords.cora = await createUser(admin, 'cora', 'compliance');
    passwords.ann = await createUser(admin, 'ann', 'analyst');
    passwords.admin = herald.adminPassword;
    mia = await apiSession(herald.url, 'mia', passwords.mia);
    // Their own zone is where it is now about 1 p.m., inside the lawful hours whenever this runs.
    for (const c of CONTACTS)
      await mia.call('POST', '/v1/contacts', { ...c, timeZone: lunchZone() });
    segmentId = (
      await mia.call<{ id: number }>('POST', '/v1/segments', {
        name: 'US shoppers',
        filter: { kind: 'country', in: ['US'] },
      })
    ).id;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  const enter = (user: string, viewport: typeof DESKTOP | typeof PHONE = DESKTOP) =>
    signedInPage(browser, herald.url, user, passwords[user]!, { viewport, stepTimeoutMs: 15_000 });

  async function clean(
    watched: Awaited<ReturnType<typeof enter>>,
    name: string,
    h1: string | RegExp,
  ) {
    const result = await checkPage(watched, name, h1);
    expect(result.violations, name).toEqual([]);
    expect(result.errors, name).toEqual([]);
    expect(result.overflow, name).toBeLessThanOrEqual(0);
  }

  const counter = (page: Page, key: string) =>
    page.getByRole('status', { name: `Length of variant ${key}` });
  const variant = (page: Page, key: string) =>
    page.getByRole('region', { name: `Variant ${key}`, exact: true });

  let campaignId: number;

  it('composes a two-variant campaign with live counters, fixes and a preview, and submits it', async () => {
    const watched = await enter('mia');
    const { page } = watched;
    await page.goto(`${herald.url}/campaigns`);
    await clean(watched, 'campaigns-list-empty', 'Campaigns');
    await page.getByText('No campaigns yet.').waitFor();

    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { level: 1, name: 'New campaign' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Spring sale');
    await page.getByLabel('Audience').selectOption({ label: 'US shoppers' });
    await page.getByText('6 contacts match now.').waitFor();
    await page.getByLabel('Brand').fill('Acme');

    // Variant A: the policy pack wants the opt-out wording, and ’ forces UCS-2 needlessly.
    await page.getByLabel('Text of variant A').fill(BODY_A);
    const a = variant(page, 'A');
    await a.getByText('Policy checks (US)').waitFor();
    await a.getByRole('button', { name: 'Append the opt-out text' }).click();
    await expect.poll(() => page.getByLabel('Text of variant A').inputValue()).toContain('STOP');
    await expect.poll(() => counter(page, 'A').textContent()).toContain('UCS-2');
    expect(await a.getByText('’', { exact: true }).count()).toBe(1);
    await a.getByRole('button', { name: /Apply smart encoding \(GSM-7/ }).click();
    await expect.poll(() => counter(page, 'A').textContent()).toContain('GSM-7');
    await a.getByText('No findings').waitFor();
    expect(await page.getByLabel('Text of variant A').inputValue()).toContain("Acme's spring sale");

    // The preview renders the template for a contact chosen from the audience.
    const bubble = a.locator('.campaigns-bubble');
    await expect
      .poll(() => bubble.textContent())
      .toMatch(/^Acme's spring sale in (Springfield|Shelbyville|Ogdenville): 20% off today\./);
    const firstContact = a.getByLabel('For');
    const options = await firstContact.locator('option').allTextContents();
    expect(options.length).toBeGreaterThan(1);
    for (const o of options) expect(o).toMatch(/\*{3}/);

    // Variant B: GSM-7 in one segment, until an emoji makes it UCS-2 in two.
    await page.getByRole('button', { name: 'Add variant' }).click();
    await page.getByLabel('Text of variant B').fill(BODY_B);
    await expect.poll(() => counter(page, 'B').textContent()).toMatch(/GSM-7.*1 segment\b/);
    await page.getByLabel('Text of variant B').press('End');
    await page.getByLabel('Text of variant B').pressSequentially(' 🌸');
    await expect.poll(() => counter(page, 'B').textContent()).toMatch(/UCS-2.*2 segments/);
    await variant(page, 'B').locator('.campaigns-char', { hasText: '🌸' }).waitFor();

    // The A/B test: 80 % of the audience, by click rate, for two hours, A if nothing wins.
    await page.getByLabel(/Test the variants on part of the audience/).check();
    await page.getByLabel('Test group (% of the audience)').fill('80');
    await page.getByLabel('Test runs for (hours)').fill('2');
    await page.getByText('A 50%').waitFor();
    await page.getByLabel("Recipient's local time").check();
    await page.getByLabel('Now').check();
    await clean(watched, 'campaigns-composer', 'New campaign');

    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page
      .getByText('Submitted: someone else with the right to approve will look at it.')
      .waitFor();
    campaignId = Number(/\/campaigns\/(\d+)$/.exec(page.url())![1]);
    const saved = await mia.call<{
      status: string;
      variants: { key: string; body: string }[];
      experiment: unknown;
      brand: string;
    }>('GET', `/v1/campaigns/${campaignId}`);
    expect(saved).toMatchObject({
      status: 'submitted',
      brand: 'Acme',
      experiment: {
        testFraction: 0.8,
        metric: 'click_rate',
        durationHours: 2,
        defaultVariant: 'A',
      },
    });
    expect(saved.variants.map((v) => v.key)).toEqual(['A', 'B']);
    expect(saved.variants[1]!.body).toBe(`${BODY_B} 🌸`);
    // The author does not approve: no button, a word on who will.
    await page.getByText('You wrote this campaign: someone else must approve it.').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('shows the composer cleanly at a phone’s width, and says what is missing', async () => {
    const watched = await enter('mia', PHONE);
    const { page } = watched;
    await page.goto(`${herald.url}/campaigns/new`);
    await page.getByRole('heading', { level: 1, name: 'New campaign' }).waitFor();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Give the campaign a name.').first().waitFor();
    await page.getByText('Choose the audience.').first().waitFor();
    await clean(watched, 'campaigns-composer', 'New campaign');
    await watched.context.close();
  });

  it('lets a second person approve in the queue, never the author', async () => {
    // An admin's own campaign: the admin may approve campaigns, but not this one.
    const own = await admin.call<{ id: number }>('POST', '/v1/campaigns', {
      name: 'Admin’s own',
      purpose: 'marketing',
      audience: { segmentId },
      variants: [{ key: 'A', body: 'Acme: hello. Reply STOP to opt out' }],
      schedule: { kind: 'now' },
      brand: 'Acme',
    });
    await admin.call('POST', `/v1/campaigns/${own.id}/submit`, {});

    const adminPage = await enter('admin');
    await adminPage.page.goto(`${herald.url}/campaigns/approvals`);
    const mine = adminPage.page.getByRole('listitem', { name: 'Admin’s own' });
    await mine.getByText('You wrote this campaign: someone else must approve it.').waitFor();
    expect(await mine.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const theirs = adminPage.page.getByRole('listitem', { name: 'Spring sale' });
    expect(await theirs.getByRole('button', { name: 'Approve' }).count()).toBe(1);
    await adminPage.context.close();

    const watched = await enter('cora');
    const { page } = watched;
    await page.goto(`${herald.url}/campaigns/approvals`);
    await clean(watched, 'campaigns-approvals', 'Approval queue');
    const item = page.getByRole('listitem', { name: 'Spring sale' });
    await item.getByText(BODY_B.slice(0, 30)).waitFor();
    // The approver reads each variant against the rules of every audience country first.
    const check = await mia.call<{
      ok: boolean;
      countries: { country: string; contacts: number }[];
    }>('GET', `/v1/campaigns/${campaignId}/policy-check`);
    expect(check.countries.length).toBeGreaterThan(0);
    const policy = item.getByRole('region', { name: 'Policy check by audience country' });
    await policy
      .getByText(
        check.ok
          ? 'No errors in any country'
          : 'Errors: messages breaking a rule are blocked when sent',
      )
      .waitFor();
    for (const c of check.countries) {
      await policy.getByText(new RegExp(`^${c.country} · ${c.contacts} contacts? · `)).waitFor();
    }
    await item.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved.' }).waitFor();
    await expect.poll(() => page.getByRole('listitem', { name: 'Spring sale' }).count()).toBe(0);
    // The other one is still there, for someone to reject with a reason.
    const other = page.getByRole('listitem', { name: 'Admin’s own' });
    await other.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Say why, so the author can fix it.').waitFor();
    await page.getByLabel('Why (the author will read this)').fill('Say which products.');
    await page.getByRole('dialog').getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Nothing is waiting for approval.').waitFor();
    const approved = await mia.call<{ status: string; approver: string }>(
      'GET',
      `/v1/campaigns/${campaignId}`,
    );
    expect(approved).toMatchObject({ status: 'approved', approver: 'user:cora' });
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('schedules it, and the results page fills by itself with the figures of the analytics API', async () => {
    const watched = await enter('mia');
    const { page } = watched;
    await page.goto(`${herald.url}/campaigns/${campaignId}`);
    await page.getByRole('heading', { level: 1, name: 'Spring sale' }).waitFor();
    const funnel = page.getByRole('list', { name: 'Funnel' });
    const stage = (name: string) =>
      funnel.getByRole('listitem').filter({ hasText: name }).locator('.campaigns-funnel-value');
    expect(await stage('Audience').textContent()).toBe('0');

    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.getByText('Updating by itself while it sends').waitFor();
    // No reload: the lifecycle job plans the test group and the page follows.
    await expect
      .poll(async () => Number(await stage('Audience').textContent()), { timeout: 30_000 })
      .toBeGreaterThan(0);

    const shown = async () => ({
      audience: await stage('Audience').textContent(),
      sent: await stage('Sent').textContent(),
      delivered: await stage('Delivered').textContent(),
      clicked: await stage('Clicked').textContent(),
      converted: await stage('Converted').textContent(),
      blocked: await page
        .locator('.stat')
        .filter({ hasText: 'Blocked' })
        .locator('.stat-value')
        .textContent(),
      reasons: await page
        .getByRole('list', { name: 'Blocked, by reason' })
        .getByRole('listitem')
        .allTextContents()
        .then((r) => r.sort()),
    });
    const api = async () => {
      const a = await mia.call<Analytics>('GET', `/v1/analytics/campaigns/${campaignId}`);
      return {
        audience: String(a.total.audience),
        sent: String(a.total.sent),
        delivered: String(a.total.delivered),
        clicked: String(a.total.clicks.unique),
        converted: String(a.total.converters),
        blocked: String(a.total.blocked),
        reasons: Object.entries(a.total.blockedByReason)
          .map(([reason, n]) => `${REASON_LABELS[reason] ?? reason}${n}`)
          .sort(),
      };
    };
    // The page and the API agree once messages went out (both move while the simulator
    // delivers; the page catches up by itself).
    await expect
      .poll(
        async () => {
          const [page, answer] = [await shown(), await api()];
          return Number(answer.sent) > 0 && JSON.stringify(page) === JSON.stringify(answer);
        },
        { timeout: 45_000, interval: 500 },
      )
      .toBe(true);
    await page
      .getByRole('figure', { name: /per hour$/ })
      .first()
      .waitFor();

    // The variants table lists the test group's variants with their rates.
    const a = await mia.call<Analytics>('GET', `/v1/analytics/campaigns/${campaignId}`);
    const table = page.getByRole('region', { name: 'Figures per variant' });
    for (const v of a.variants) {
      await table
        .getByRole('row', { name: new RegExp(`^${v.variant}\\b`) })
        .first()
        .waitFor();
    }
    await page.getByRole('heading', { name: 'The A/B test' }).waitFor();
    const csv = await page
      .getByRole('link', { name: 'Download the figures (CSV)' })
      .getAttribute('href');
    expect(csv).toBe(`/v1/analytics/campaigns/${campaignId}?format=csv`);
    await clean(watched, 'campaigns-results', 'Spring sale');

    // Pause holds it (the page stops asking by itself), resume lets it go on.
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused: waiting messages are held.').waitFor();
    await page.getByText('Paused by a person.').waitFor();
    expect(await page.getByText('Updating by itself while it sends').count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Updating by itself while it sends').waitFor();
    expect(
      (await mia.call<{ status: string }>('GET', `/v1/campaigns/${campaignId}`)).status,
    ).toMatch(/^(scheduled|sending|completed)$/);
    await watched.context.close();

    const phone = await enter('mia', PHONE);
    await phone.page.goto(`${herald.url}/campaigns/${campaignId}`);
    await phone.page.getByRole('list', { name: 'Funnel' }).waitFor();
    await clean(phone, 'campaigns-results', 'Spring sale');
    await phone.page.goto(`${herald.url}/campaigns`);
    await phone.page.getByRole('link', { name: 'Spring sale' }).waitFor();
    await clean(phone, 'campaigns-list', 'Campaigns');
    await phone.context.close();
  });

  it("shows a recipient's STOP reply on their contact page, where a marketer cannot reveal the number", async () => {
    // A recipient of the campaign answers STOP (the simulator stands for the carrier).
    const reply = await admin.call<{ intent: string; action: string }>(
      'POST',
      '/v1/simulator/inbound',
      { from: CONTACTS[0]!.phone, text: 'STOP' },
    );
    expect(reply.intent).toBe('opt_out');
    const found = await mia.call<{ items: { id: number }[] }>(
      'GET',
      `/v1/contacts?phone=${encodeURIComponent(CONTACTS[0]!.phone)}`,
    );
    const watched = await enter('mia');
    const { page } = watched;
    await page.goto(`${herald.url}/contacts/${found.items[0]!.id}`);
    const newest = page
      .getByRole('list', { name: 'Consent timeline' })
      .getByRole('listitem')
      .first();
    await newest.getByText('Marketing: revoked').waitFor();
    expect(await newest.textContent()).toMatch(/keyword/i);
    await page
      .getByRole('region', { name: 'Where this contact stands' })
      .getByText('opted out')
      .waitFor();
    // A marketer sees the number masked and gets no way to reveal it.
    expect(await page.getByRole('button', { name: 'Reveal number' }).count()).toBe(0);
    expect(await page.content()).not.toContain('4155552001');
    await clean(watched, 'contact-after-stop', /\*{3}/);
    await watched.context.close();
  });

  it('cancels a draft, after asking', async () => {
    const watched = await enter('mia');
    const { page } = watched;
    await page.goto(`${herald.url}/campaigns`);
    await page.getByRole('link', { name: 'Admin’s own' }).click();
    await page.getByText('Rejected: Say which products.').waitFor();
    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this campaign?' });
    await dialog.getByLabel('Note (optional)').fill('Not this season.');
    await dialog.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByText('Cancelled.', { exact: true }).waitFor();
    await page.locator('.campaigns-status-line').getByText('Cancelled').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel campaign' }).count()).toBe(0);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('gives an analyst the results without the buttons of those who write campaigns', async () => {
    const watched = await enter('ann');
    const { page } = watched;
    await page.goto(`${herald.url}/campaigns/${campaignId}`);
    await page.getByRole('list', { name: 'Funnel' }).waitFor();
    expect(await page.getByRole('link', { name: 'New campaign' }).count()).toBe(0);
    for (const name of ['Pause', 'Cancel campaign', 'Approve', 'Schedule']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    }
    await page.goto(`${herald.url}/campaigns/new`);
    await page.getByText('Your role may not use this page.').waitFor();
    await page.goto(`${herald.url}/campaigns`);
    await page.getByRole('link', { name: 'Spring sale' }).waitFor();
    await clean(watched, 'campaigns-list-analyst', 'Campaigns');
    // The status cards filter the list.
    await page
      .getByRole('group', { name: 'Campaigns by status' })
      .getByRole('button', { name: /Cancelled/ })
      .click();
    await expect.poll(() => page.getByRole('link', { name: 'Spring sale' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Admin’s own' }).waitFor();
    await watched.context.close();
  });
});
