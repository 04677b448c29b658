/**
 * The contacts area in a real Chromium: the masked list with its filters, a look-up by number
 * in another writing, the contact's page (consent timeline, messages, events), an audited reveal
 * by a compliance officer, no reveal for a marketer, a manual opt-out on the timeline, a block.
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

interface Contact {
  id: number;
  phone: string;
}

describe('console: contacts', () => {
  let herald: Herald;
  let browser: Browser;
  let admin: ApiSession;
  const passwords: Record<string, string> = {};
  let tea: Contact;
  let leeds: Contact;

  const contactUrl = (c: Contact) => `${herald.url}/contacts/${c.id}`;
  const heading = (c: Contact) => `Contact ${c.phone}`;

  async function as(
    username: string,
    viewport: { width: number; height: number } = DESKTOP,
    locale = 'en-GB',
  ) {
    const password = username === 'admin' ? herald.adminPassword : passwords[username]!;
    return signedInPage(browser, herald.url, username, password, { viewport, locale });
  }

  const timeline = (page: Page) => page.getByRole('list', { name: 'Consent timeline' });

  beforeAll(async () => {
    // Each test signs in afresh: more than the default 10 sign-ins a minute from one address.
    herald = await startHerald({ HERALD_LOGIN_MAX_PER_MINUTE: '100' });
    browser = await launchBrowser();
    admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    for (const [name, role] of [
      ['cora', 'compliance'],
      ['mia', 'marketer'],
      ['sam', 'support'],
    ] as const) {
      passwords[name] = await createUser(admin, name, role);
    }
    const create = (phone: string, attributes: object, marketing: boolean) =>
      admin.call<Contact>('POST', '/v1/contacts', {
        phone,
        attributes,
        source: 'console test',
        consents: marketing
          ? [
              {
                purpose: 'marketing',
                action: 'grant',
                method: 'web_form',
                source: 'spring sign-up form',
                formUrl: 'https://shop.example/signup',
                evidence: { form: 'spring-2026', checkbox: 'marketing-sms' },
              },
            ]
          : [],
      });
    tea = await create('+86 139 1234 5678', { city: '杭州', tags: ['tea', 'vip'] }, true);
    await create('+86 138 0013 8000', { city: '上海', tags: ['coffee'] }, true);
    leeds = await create('+44 7400 123456', { city: 'Leeds' }, false);
    await admin.call('POST', '/v1/messages', {
      to: '+8613912345678',
      purpose: 'transactional',
      body: 'Your order A-17 has shipped',
    });
    await admin.call('POST', '/v1/events', {
      events: [
        {
          type: 'purchase',
          contact: { id: tea.id },
          occurredAt: '2026-03-01T10:00:00Z',
          properties: { amount: 99, currency: 'CNY', category: 'tea' },
        },
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  it('lists contacts masked, filters them by tag, and passes the page checks at both sizes', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const watched = await as('admin', viewport);
      const { page } = watched;
      await page.goto(`${herald.url}/contacts`);
      const list = page.getByRole('region', { name: 'Contacts, numbers masked' });
      await list.getByRole('link', { name: leeds.phone }).waitFor();
      expect(await list.getByRole('row').count()).toBe(4);
      const checks = await checkPage(watched, 'contacts-list', 'Contacts');
      expect(checks.violations).toEqual([]);
      expect(checks.errors).toEqual([]);
      expect(checks.overflow).toBeLessThanOrEqual(0);
      expect(await page.content()).not.toContain('12345678');
      await watched.context.close();
    }

    const { page, context } = await as('mia');
    await page.goto(`${herald.url}/contacts`);
    await page.getByLabel('Tag').fill('vip');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/tag=vip/);
    const list = page.getByRole('region', { name: 'Contacts, numbers masked' });
    await expect.poll(() => list.getByRole('row').count()).toBe(2);
    await list.getByRole('link', { name: tea.phone }).waitFor();
    await list.getByText('Marketing: granted').waitFor();
    await context.close();
  });

  it('finds a contact by its number in another writing and opens its page', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const watched = await as('admin', viewport);
      const { page } = watched;
      await page.goto(`${herald.url}/contacts`);
      await page.getByLabel('Phone number').fill('139-1234-5678');
      await page.getByLabel('Country for national numbers').fill('cn');
      await page.getByRole('button', { name: 'Find' }).click();
      await page
        .getByRole('region', { name: 'Look-up result' })
        .getByRole('link', { name: tea.phone })
        .click();
      await page.getByRole('heading', { level: 1, name: heading(tea) }).waitFor();
      // Its consent, message and event, and nothing in clear.
      await timeline(page).getByText('spring sign-up form').waitFor();
      await timeline(page)
        .getByText(/form: spring-2026/)
        .waitFor();
      await page
        .getByRole('region', { name: 'Messages to this contact' })
        .getByText('Your order A-17 has shipped')
        .waitFor();
      await page.getByRole('region', { name: 'Behaviour events' }).getByText('purchase').waitFor();
      const checks = await checkPage(watched, 'contacts-detail', heading(tea));
      expect(checks.violations).toEqual([]);
      expect(checks.errors).toEqual([]);
      expect(checks.overflow).toBeLessThanOrEqual(0);
      expect(await page.content()).not.toContain('12345678');
      await watched.context.close();
    }
  });

  it('reads in Chinese on a phone, as clean as in English', async () => {
    const watched = await as('cora', PHONE, 'zh-CN');
    const { page } = watched;
    await page.goto(contactUrl(tea));
    await page.getByRole('list', { name: '授权记录' }).getByText('spring sign-up form').waitFor();
    await page.getByRole('button', { name: '查看完整号码' }).waitFor();
    const checks = await checkPage(watched, 'contacts-detail-zh', `联系人 ${tea.phone}`);
    expect(checks.violations).toEqual([]);
    expect(checks.errors).toEqual([]);
    expect(checks.overflow).toBeLessThanOrEqual(0);
    await watched.context.close();
  });

  it('lets a compliance officer reveal a number with a reason, and the audit log has it', async () => {
    const watched = await as('cora');
    const { page, context } = watched;
    await page.goto(contactUrl(tea));
    await page.getByRole('heading', { level: 1, name: heading(tea) }).waitFor();
    await page.getByRole('button', { name: 'Reveal number' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reveal the full number' });
    await dialog.getByRole('button', { name: 'Reveal' }).click();
    await dialog.getByText('Give a reason of at least 3 characters.').waitFor();
    await dialog.getByLabel('Reason').fill('customer called about order A-17');
    await dialog.getByRole('button', { name: 'Reveal' }).click();
    await page.getByText('Full number: +8613912345678').waitFor();
    expect(await dialog.isVisible()).toBe(false);
    const checks = await checkPage(watched, 'contacts-revealed', heading(tea));
    expect(checks.violations).toEqual([]);
    expect(checks.errors).toEqual([]);

    const cora = await apiSession(herald.url, 'cora', passwords.cora!);
    const audit = await cora.call<{ items: { actor: string; target: string; details: unknown }[] }>(
      'GET',
      '/v1/audit?action=contact.reveal',
    );
    expect(audit.items[0]).toMatchObject({
      actor: 'user:cora',
      target: `contact:${tea.id}`,
      details: { reason: 'customer called about order A-17' },
    });
    await context.close();
  });

  it('shows a marketer no reveal and no block button, and the API refuses a forced reveal', async () => {
    const watched = await as('mia');
    const { page, context } = watched;
    await page.goto(contactUrl(tea));
    await page.getByRole('heading', { level: 1, name: heading(tea) }).waitFor();
    await timeline(page).waitFor();
    expect(await page.getByRole('button', { name: 'Reveal number' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Block number' }).count()).toBe(0);
    expect(watched.errors).toEqual([]);
    const mia = await apiSession(herald.url, 'mia', passwords.mia!);
    await expect(
      mia.call('POST', `/v1/contacts/${tea.id}/reveal`, { reason: 'just curious' }),
    ).rejects.toThrow(/403/);
    await context.close();
  });

  it('records a manual opt-out from support, and it appears on the consent timeline', async () => {
    const watched = await as('sam');
    const { page, context } = watched;
    await page.goto(`${herald.url}/contacts`);
    // Support looks numbers up; it gets no list.
    await page.getByText('Your role may look up one number at a time').waitFor();
    await page.getByLabel('Phone number').fill('+86 139 1234 5678');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: tea.phone }).click();
    await page.getByRole('heading', { level: 1, name: heading(tea) }).waitFor();
    await timeline(page).getByText('Marketing: granted').waitFor();
    expect(await page.getByRole('button', { name: 'Reveal number' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Record opt-out' }).click();
    const dialog = page.getByRole('dialog', { name: 'Record an opt-out' });
    await dialog.getByLabel('Reason').fill('asked on the phone to stop offers');
    await dialog.getByRole('button', { name: 'Record opt-out' }).click();
    await page.getByText('The opt-out was recorded.').waitFor();
    const newest = timeline(page).getByRole('listitem').first();
    await newest.getByText('Marketing: revoked').waitFor();
    await newest.getByText('asked on the phone to stop offers').waitFor();
    expect(await newest.textContent()).toContain('support');
    const state = page.getByRole('region', { name: 'Where this contact stands' });
    await state.getByText('opted out').waitFor();
    expect(await page.getByRole('button', { name: 'Record opt-out' }).count()).toBe(0);
    expect(watched.errors).toEqual([]);
    await context.close();
  });

  it('blocks a number with a reason, confirmed in a dialog, and shows it suppressed', async () => {
    const watched = await as('admin');
    const { page, context } = watched;
    await page.goto(contactUrl(leeds));
    await page.getByRole('heading', { level: 1, name: heading(leeds) }).waitFor();
    await page.getByText('not suppressed').waitFor();
    await page.getByRole('button', { name: 'Block number' }).click();
    const dialog = page.getByRole('dialog', { name: 'Block this number' });
    await dialog.getByLabel('Why').selectOption('complaint');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await dialog.getByText('Give a reason of at least 3 characters.').waitFor();
    await dialog.getByLabel('Note').fill('complained to the regulator');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await page.getByText('The number was blocked.').waitFor();
    await page.getByText('suppressed: all messages (complaint)').waitFor();
    expect(await page.getByRole('button', { name: 'Block number' }).count()).toBe(0);
    expect(watched.errors).toEqual([]);
    await context.close();
  });
});
