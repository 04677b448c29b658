/**
 * The message log, a message's page and the inbox in a real Chromium, over messages sent through
 * the API to the simulator (the started Herald dispatches them) and replies injected as if from
 * phones: filters narrow the log, pages turn, a message's history opens, the inbox shows a STOP
 * as an opt-out; numbers stay masked; a role without messages:read gets neither page.
 */
import type { Browser } from 'playwright-core';
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

interface MessagePage {
  items: { id: number; status: string; kind: string }[];
}

// 24 transactional messages (delivered by the simulator) and 2 marketing ones without consent
// (blocked): with the replies Herald owes (an opt-out confirmation, a help text), two pages.
const CUSTOMERS = Array.from({ length: 24 }, (_, i) => `+1415555${String(1000 + i)}`);
const STRANGERS = ['+14155552001', '+14155552002'];
const STOPPER = '+14155553001';
const ASKER = '+14155553002';

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('Herald did not finish sending the seeded messages');
}

describe('console messages and inbox', () => {
  let herald: Herald;
  let browser: Browser;
  let admin: ApiSession;
  let supportPassword: string;
  let analystPassword: string;
  let allIds: number[];

  const signedIn = async (
    viewport: { width: number; height: number },
    username = 'admin',
    password = herald.adminPassword,
  ): Promise<WatchedPage> => signedInPage(browser, herald.url, username, password, { viewport });
  const clean = async (watched: WatchedPage, name: string, heading: string | RegExp) => {
    const result = await checkPage(watched, name, heading);
    expect(result.violations).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.overflow).toBeLessThanOrEqual(0);
  };
  const noClearNumber = async (watched: WatchedPage) => {
    const text = (await watched.page.textContent('main')) ?? '';
    for (const n of [...CUSTOMERS, ...STRANGERS, STOPPER, ASKER]) {
      expect(text).not.toContain(n);
      expect(text).not.toContain(n.slice(2));
    }
  };

  beforeAll(async () => {
    herald = await startHerald();
    browser = await launchBrowser();
    admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    supportPassword = await createUser(admin, 'sam', 'support');
    analystPassword = await createUser(admin, 'ana', 'analyst');
    for (const to of CUSTOMERS) {
      await admin.call('POST', '/v1/messages', {
        to,
        body: 'Your order has shipped',
        purpose: 'transactional',
      });
    }
    for (const to of STRANGERS) {
      await admin.call('POST', '/v1/messages', {
        to,
        body: 'Acme: spring sale, 20% off. Reply STOP to opt out',
        purpose: 'marketing',
      });
    }
    await admin.call('POST', '/v1/simulator/inbound', { from: STOPPER, text: 'STOP' });
    await admin.call('POST', '/v1/simulator/inbound', { from: ASKER, text: 'HELP' });
    await admin.call('POST', '/v1/simulator/inbound', {
      from: ASKER,
      text: 'When does the sale end?',
    });
    await until(async () => {
      const page = await admin.call<MessagePage>('GET', '/v1/messages?status=delivered&limit=100');
      return page.items.length === CUSTOMERS.length + 2;
    });
    allIds = (await admin.call<MessagePage>('GET', '/v1/messages?limit=100')).items.map(
      (m) => m.id,
    );
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  it('lists messages masked, narrows them by status and reason, and turns pages', async () => {
    expect(allIds).toHaveLength(28);
    const watched = await signedIn(DESKTOP);
    const { page } = watched;
    await page.goto(`${herald.url}/messages`);
    await clean(watched, 'messages', 'Messages');
    await noClearNumber(watched);
    const table = page.getByRole('region', { name: 'Messages, newest first' });
    const rows = table.getByRole('row');
    expect(await rows.count()).toBe(26); // header and a page of 25
    expect(
      await table.getByRole('link', { name: `Message ${allIds[0]}`, exact: true }).count(),
    ).toBe(1);

    await page.getByRole('button', { name: 'Next' }).click();
    await table.getByRole('link', { name: `Message ${allIds[27]}`, exact: true }).waitFor();
    expect(await rows.count()).toBe(4);
    await page.getByRole('button', { name: 'Previous' }).click();
    await table.getByRole('link', { name: `Message ${allIds[0]}`, exact: true }).waitFor();

    await page.getByLabel('Status').selectOption('blocked');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=blocked/);
    await expect.poll(() => rows.count()).toBe(3);
    for (const row of (await rows.all()).slice(1)) {
      expect(await row.textContent()).toContain('Blocked');
      expect(await row.textContent()).toContain('No consent');
    }
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);

    await page.getByLabel('Reason or error code').fill('quiet_hours');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No messages match these filters.').waitFor();

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(26);

    // A time range that ends before it starts is refused with a message, not sent.
    await page.getByLabel('Created from').fill('2030-01-02T10:00');
    await page.getByLabel('Created before').fill('2030-01-01T10:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('alert').getByText('must come after its start').waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('opens a message with its history, carrier and decision', async () => {
    const watched = await signedIn(DESKTOP);
    const { page } = watched;
    const delivered = await admin.call<MessagePage>('GET', '/v1/messages?status=delivered');
    const id = delivered.items.find((m) => m.kind === 'api')!.id;
    await page.goto(`${herald.url}/messages?status=delivered`);
    await page.getByRole('link', { name: `Message ${id}`, exact: true }).click();
    await clean(watched, 'message', `Message ${id}`);
    const history = page.getByRole('region', { name: 'Status changes, oldest first' });
    const statuses = await history.getByRole('row').allTextContents();
    expect(statuses[1]).toContain('Queued');
    expect(statuses.at(-1)).toContain('Delivered');
    expect(statuses.join(' ')).toContain('simulator');
    await page.getByText('Your order has shipped').waitFor();
    await noClearNumber(watched);

    // A blocked message names its reason.
    const blocked = await admin.call<MessagePage>('GET', '/v1/messages?status=blocked');
    await page.goto(`${herald.url}/messages/${blocked.items[0]!.id}`);
    const decision = page.getByRole('region', { name: 'Send decision' });
    await decision.getByText('No consent').first().waitFor();
    await page.goto(`${herald.url}/messages/999999`);
    await page.getByRole('alert').getByText('NOT_FOUND').waitFor();
    await watched.context.close();
  });

  it('fits the log, a message and the inbox into a phone’s width', async () => {
    const watched = await signedIn(PHONE);
    const { page } = watched;
    await page.goto(`${herald.url}/messages`);
    await clean(watched, 'messages', 'Messages');
    await page.getByRole('link', { name: `Message ${allIds[0]}`, exact: true }).click();
    await clean(watched, 'message', `Message ${allIds[0]}`);
    await page.goto(`${herald.url}/inbox`);
    await clean(watched, 'inbox', 'Inbox');
    await watched.context.close();
  });

  it('shows the inbox: the STOP as an opt-out, what Herald did, by classification', async () => {
    const watched = await signedIn(DESKTOP, 'sam', supportPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/inbox`);
    await clean(watched, 'inbox', 'Inbox');
    await noClearNumber(watched);
    const list = page.getByRole('list', { name: 'Inbound messages, newest first' });
    expect(await list.getByRole('listitem').count()).toBe(3);
    const stop = list.getByRole('listitem').filter({ hasText: 'STOP' });
    expect(await stop.textContent()).toContain('Opt-out');
    expect(await stop.textContent()).toContain('Opted out, confirmation sent');
    expect(await stop.textContent()).toContain('+1 415***3001');

    await page.getByRole('button', { name: 'Opt-out' }).click();
    await page.waitForURL(/intent=opt_out/);
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(await list.textContent()).toContain('STOP');
    await page.getByRole('button', { name: 'Confirmation' }).click();
    await page.getByText('No inbound messages of this kind.').waitFor();
    await page.getByRole('button', { name: 'Help' }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(await list.textContent()).toContain('Help text sent');
    await watched.context.close();
  });

  it('gives a role without messages:read neither the log nor the inbox', async () => {
    const watched = await signedIn(DESKTOP, 'ana', analystPassword);
    const { page } = watched;
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link', { name: 'Messages' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Inbox' }).count()).toBe(0);
    for (const path of ['/messages', `/messages/${allIds[0]}`, '/inbox']) {
      await page.goto(`${herald.url}${path}`);
      await page.getByText('This page does not exist.').waitFor();
    }
    // And the API says no as well.
    const res = await fetch(`${herald.url}/v1/inbound`, {
      headers: {
        cookie: (await watched.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; '),
      },
    });
    expect(res.status).toBe(403);
    await watched.context.close();
  });
});
