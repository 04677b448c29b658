/**
 * The console's settings area in a real Chromium: every section passes the page checks at a
 * desktop's and a phone's size; a carrier secret goes in and never comes out (not in the page,
 * not in any answer the page loaded); routes, a policy override, a user who signs in with the
 * password shown once, an API key that works until it is revoked, a webhook and its deliveries,
 * and the geo-permissions, each driven through the UI and checked against the API.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  signedInPage,
  startHerald,
  type ApiSession,
  type Herald,
} from './harness.js';

const AUTH_TOKEN = 'tw-secret-7f3a9c0e5b1d42a8-never-shown';
const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);

const SECTIONS: [path: string, heading: string][] = [
  ['carriers', 'Carriers'],
  ['carriers/new', 'New carrier account'],
  ['routes', 'Routes'],
  ['policies', 'Policy packs'],
  ['policies/CN', 'Policy pack: CN · China (PIPL, MIIT)'],
  ['users', 'Users and roles'],
  ['api-keys', 'API keys'],
  ['webhooks', 'Webhooks'],
  ['abuse', 'Abuse protection'],
];

// Each test drives several pages through a real browser: more than vitest's default 30 s on a
// busy machine.
describe('console settings', { timeout: 120_000 }, () => {
  let herald: Herald;
  let browser: Browser;
  let admin: ApiSession;
  let receiver: Server;
  let receiverUrl: string;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/herald`;
    herald = await startHerald({ HERALD_OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
    browser = await launchBrowser();
    admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    // One attempt the pumping guard blocks: a sign-up to a country no pack covers.
    const text = await admin.call<{ id: number }>('POST', '/v1/consent-texts', {
      key: 'signup',
      purpose: 'marketing',
      locale: 'en',
      body: 'Yes, text me offers. Reply STOP to opt out.',
    });
    await admin.call('POST', '/v1/forms', {
      key: 'signup-form',
      name: 'Sign-up',
      consentTextId: text.id,
      brand: 'Flora',
    });
    const refused = await fetch(`${herald.url}/v1/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ formKey: 'signup-form', phone: '+23276123456' }),
    });
    expect(refused.status).toBe(403);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const adminPage = (viewport: { width: number; height: number } = DESKTOP) =>
    signedInPage(browser, herald.url, 'admin', herald.adminPassword, {
      viewport,
      stepTimeoutMs: 15_000,
    });

  for (const viewport of [DESKTOP, PHONE]) {
    it(`offers an admin every section, each clean and accessible at ${viewport.width}px`, async () => {
      const watched = await adminPage(viewport);
      const { page } = watched;
      await page.goto(`${herald.url}/settings`);
      const nav = page.getByRole('navigation', { name: 'Settings sections' });
      await nav.getByRole('link', { name: 'Carriers' }).waitFor();
      expect(await nav.getByRole('link').allTextContents()).toEqual([
        'Carriers',
        'Routes',
        'Policy packs',
        'Users and roles',
        'API keys',
        'Webhooks',
        'Abuse protection',
      ]);
      for (const [path, heading] of SECTIONS) {
        await page.goto(`${herald.url}/settings/${path}`);
        const result = await checkPage(watched, `settings-${path.replace('/', '-')}`, heading);
        expect(result.violations, path).toEqual([]);
        expect(result.errors, path).toEqual([]);
        expect(result.overflow, path).toBeLessThanOrEqual(0);
      }
      await watched.context.close();
    });
  }

  it('adds a carrier whose secret never shows again, routes through it, and keeps it while routed', async () => {
    const watched = await adminPage();
    const { page } = watched;
    const answers: Promise<string>[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/v1/')) answers.push(response.text().catch(() => ''));
    });
    await page.goto(`${herald.url}/settings/carriers`);
    await page.getByRole('link', { name: 'Add carrier account' }).click();
    await page.getByRole('heading', { level: 1, name: 'New carrier account' }).waitFor();
    await page.getByLabel('Name *').fill('twilio-test');
    await page.getByLabel('Type').selectOption('twilio');
    await page.getByLabel('accountSid *').fill(ACCOUNT_SID);
    await page.getByLabel('from', { exact: true }).fill('+14155550100');
    await page.getByLabel('Marketing').fill('+14155550101');
    await page.getByLabel('authToken *').fill(AUTH_TOKEN);
    // Typed, it is in the box only: the page's HTML never holds it.
    expect(await page.content()).not.toContain(AUTH_TOKEN);
    await page.getByRole('button', { name: 'Add account' }).click();
    await page
      .getByText('twilio-test is saved. It applies to sending from the next restart.')
      .waitFor();
    const card = page.getByRole('region', { name: 'twilio-test' });
    await card.getByText('authToken: set').waitFor();
    await card.getByText('after restart').waitFor();

    // Edit it without touching the secret: "leave empty to keep".
    await page.getByRole('link', { name: 'Edit twilio-test' }).click();
    await page.getByText('Set. Leave empty to keep it.').waitFor();
    expect(await page.getByLabel('authToken').inputValue()).toBe('');
    await page.getByLabel('from', { exact: true }).fill('+14155550199');
    await page.getByRole('button', { name: 'Save account' }).click();
    await page.getByText('twilio-test is saved.', { exact: false }).waitFor();
    const stored = await admin.call<{ settings: { from: string }; secrets: object }>(
      'GET',
      '/v1/carriers/twilio-test',
    );
    expect(stored.settings.from).toBe('+14155550199');
    expect(stored.secrets).toEqual({ authToken: 'set' });

    // A wrong setting is refused with Herald's own code, the field marked.
    await page.getByRole('link', { name: 'Edit twilio-test' }).click();
    await page.getByLabel('accountSid *').fill('AC-not-a-sid');
    await page.getByRole('button', { name: 'Save account' }).click();
    await page.getByRole('alert').getByText('CARRIER_SETTINGS_INVALID', { exact: false }).waitFor();
    expect(await page.getByLabel('accountSid *').getAttribute('aria-invalid')).toBe('true');

    // A route through it: marketing to the US, twilio-test first, the simulator as fail-over.
    await page.goto(`${herald.url}/settings/routes`);
    await page.getByRole('button', { name: 'Add route' }).click();
    const route = page.getByRole('region', { name: 'Route 1' });
    await route.getByLabel('Purpose').selectOption('marketing');
    await route.getByLabel('Destination countries').fill('us');
    await route.getByRole('button', { name: 'Add', exact: true }).first().click();
    await route.getByLabel('Add a carrier to this route').selectOption('twilio-test');
    await route.getByRole('button', { name: 'Add', exact: true }).last().click();
    await route.getByLabel('Add a carrier to this route').selectOption('simulator');
    await route.getByRole('button', { name: 'Add', exact: true }).last().click();
    await page.getByRole('button', { name: 'Save routes' }).click();
    await page.getByText('Routes saved. They apply from the next restart.').waitFor();
    const routing = await admin.call<{ routing: unknown }>('GET', '/v1/carriers/routing');
    expect(routing.routing).toEqual({
      routes: [{ purpose: 'marketing', countries: ['US'], carriers: ['twilio-test', 'simulator'] }],
    });

    // Routed, it cannot be removed: the refusal is shown as Herald says it.
    await page.goto(`${herald.url}/settings/carriers`);
    await page.getByRole('button', { name: 'Remove twilio-test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove twilio-test?' });
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.getByRole('alert').getByText('CONFLICT', { exact: false }).waitFor();

    expect(await page.content()).not.toContain(AUTH_TOKEN);
    const bodies = await Promise.all(answers);
    expect(bodies.length).toBeGreaterThan(8);
    for (const body of bodies) expect(body).not.toContain(AUTH_TOKEN);
    expect(watched.errors.filter((e) => !/409|400/.test(e))).toEqual([]);
    await watched.context.close();
  });

  it('saves a policy override that GET /v1/policies then returns', async () => {
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${herald.url}/settings/policies`);
    await page.getByRole('link', { name: 'Edit US United States (TCPA, CTIA)' }).click();
    await page.getByRole('heading', { level: 1, name: /Policy pack: US/ }).waitFor();
    await page.getByLabel('Messages at most').fill('1');
    await page.getByLabel('Replies that unsubscribe').fill('basta');
    await page.getByRole('button', { name: 'Add', exact: true }).first().click();
    await page.getByRole('button', { name: 'Save overrides' }).click();
    await page.getByText('Saved. New decisions follow it at once.').waitFor();

    const { items } = await admin.call<{
      items: {
        id: string;
        overrides: Record<string, unknown> | null;
        frequency: { marketing: { max: number } };
        keywords: { optOut: string[] };
      }[];
    }>('GET', '/v1/policies');
    const us = items.find((p) => p.id === 'US')!;
    expect(us.overrides).toEqual({
      frequency: { marketing: { max: 1, windowHours: 168, minGapHours: 24 } },
      keywords: { optOut: expect.arrayContaining(['STOP', 'BASTA']) },
    });
    expect(us.frequency.marketing.max).toBe(1);
    expect(us.keywords.optOut).toContain('BASTA');
    await page.getByRole('link', { name: 'All policy packs' }).click();
    await page
      .getByRole('region', { name: /United States/ })
      .getByText('customised')
      .waitFor();
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('creates a user who signs in with the password shown once, then ends their sessions', async () => {
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${herald.url}/settings/users`);
    await page.getByLabel('User name').fill('ursula');
    await page.getByLabel('Full name').fill('Ursula Analyst');
    await page.getByLabel('Role', { exact: true }).selectOption('analyst');
    await page.getByRole('button', { name: 'Create user' }).click();
    const password = await page.getByRole('textbox', { name: 'Password for ursula' }).inputValue();
    expect(password.length).toBeGreaterThanOrEqual(12);
    await page.getByRole('cell', { name: /Ursula Analyst/ }).waitFor();

    const second = await openPage(browser);
    await signIn(second.page, herald.url, 'ursula', password);
    const nav = second.page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByRole('link', { name: 'Settings' }).count()).toBe(0);

    await page.getByRole('button', { name: 'End sessions: ursula' }).click();
    await page
      .getByRole('dialog', { name: 'Sign ursula out everywhere?' })
      .getByRole('button', { name: 'End sessions' })
      .click();
    await page.getByText('ursula: 1 session(s) ended.').waitFor();
    await second.page.reload();
    await second.page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
    await second.context.close();

    await page.getByLabel('Role of ursula').selectOption('support');
    await page.getByRole('button', { name: 'Change role: ursula' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('ursula is now Support; their sessions ended.').waitFor();
    await page.getByRole('button', { name: 'Disable ursula' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await page.getByText('ursula is disabled.').waitFor();
    const { items } = await admin.call<{
      items: { username: string; role: string; disabled: boolean }[];
    }>('GET', '/v1/users');
    expect(items.find((u) => u.username === 'ursula')).toMatchObject({
      role: 'support',
      disabled: true,
    });
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('creates an API key shown once that calls the API, rotates it, and refuses it once revoked', async () => {
    const watched = await adminPage();
    const { page, context } = watched;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: herald.url });
    const campaigns = (key: string) =>
      fetch(`${herald.url}/v1/campaigns`, { headers: { authorization: `Bearer ${key}` } });

    await page.goto(`${herald.url}/settings/api-keys`);
    await page.getByLabel('Name', { exact: true }).fill('ci');
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('checkbox', { name: 'campaigns:read' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('textbox', { name: 'API key ci' });
    const key = await shown.inputValue();
    expect(key).toMatch(/^hk_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(key);
    expect((await campaigns(key)).status).toBe(200);
    // Its scopes are its scopes: a route that needs another permission refuses it.
    const users = await fetch(`${herald.url}/v1/users`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(users.status).toBe(403);

    await page.getByRole('button', { name: 'I have saved it' }).click();
    await page.getByRole('button', { name: 'Rotate ci' }).click();
    const rotate = page.getByRole('dialog', { name: 'Give ci a new secret?' });
    await rotate.getByLabel('Grace period for the old key (hours)').fill('0');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    const rotated = await page.getByRole('textbox', { name: 'API key ci' }).inputValue();
    expect(rotated).not.toBe(key);
    expect((await campaigns(key)).status).toBe(401);
    expect((await campaigns(rotated)).status).toBe(200);

    await page.getByRole('button', { name: 'Revoke ci' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke ci?' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await page.getByText('ci is revoked.').waitFor();
    await page.getByRole('cell', { name: 'revoked' }).waitFor();
    expect((await campaigns(rotated)).status).toBe(401);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('adds a webhook, lists it, and shows its deliveries with their status', async () => {
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${herald.url}/settings/webhooks`);
    await page.getByLabel('URL').fill('ftp://nope');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByText('Enter an absolute http:// or https:// URL').waitFor();
    await page.getByText('Choose at least one event.').waitFor();
    await page.getByLabel('URL').fill(receiverUrl);
    await page.getByLabel('Description').fill('Shop backend');
    await page.getByRole('checkbox', { name: /message\.inbound/ }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page
      .getByRole('textbox', { name: `Signing secret of ${receiverUrl}` })
      .inputValue();
    expect(secret).toMatch(/^whsec_/);
    const card = page.getByRole('region', { name: receiverUrl, exact: true });
    await card.getByText('Shop backend').waitFor();
    await card.getByText('message.inbound').waitFor();

    // An inbound SMS: Herald tells the endpoint, and the delivery shows as delivered.
    await admin.call('POST', '/v1/simulator/inbound', { from: '+14155550123', text: 'hello' });
    await page.getByRole('link', { name: `Deliveries: ${receiverUrl}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook deliveries' }).waitFor();
    const table = page.getByRole('table');
    await table.getByText('delivered', { exact: true }).waitFor({ timeout: 30_000 });
    expect(received.some((h) => String(h['herald-signature']).includes('v1='))).toBe(true);
    expect(received.some((h) => h['herald-event'] === 'message.inbound')).toBe(true);

    await page.getByRole('link', { name: 'All endpoints' }).click();
    await page.getByRole('button', { name: `Rotate secret: ${receiverUrl}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const next = await page
      .getByRole('textbox', { name: `Signing secret of ${receiverUrl}` })
      .inputValue();
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(secret);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('changes where one-time codes may go, and lists blocked attempts with masked numbers', async () => {
    const watched = await adminPage();
    const { page } = watched;
    await page.goto(`${herald.url}/settings/abuse`);
    const blocked = page.getByRole('region', { name: 'Recently blocked attempts' }).first();
    await blocked.getByRole('cell', { name: 'country not allowed' }).waitFor();
    expect(await blocked.textContent()).toContain('+232 7***3456');
    expect(await page.content()).not.toContain('76123456');

    const codes = page.getByRole('region', { name: 'One-time codes' });
    await codes.getByRole('button', { name: 'Remove United States (US)' }).click();
    await codes.getByLabel('Countries · One-time codes').fill('br');
    await codes.getByRole('button', { name: 'Add', exact: true }).click();
    await codes.getByRole('button', { name: 'Save countries: One-time codes' }).click();
    await page.getByText(/Saved: One-time codes may go to 35 countries/).waitFor();
    const { items } = await admin.call<{
      items: { kind: string; countries: string[]; source: string }[];
    }>('GET', '/v1/abuse/geo-permissions');
    const otp = items.find((i) => i.kind === 'one_time_code')!;
    expect(otp.source).toBe('custom');
    expect(otp.countries).toContain('BR');
    expect(otp.countries).not.toContain('US');
    expect(items.find((i) => i.kind === 'double_opt_in')!.source).toBe('default');
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('gives a marketer no settings: neither the pages nor the API', async () => {
    const password = await createUser(admin, 'mira', 'marketer');
    const watched = await openPage(browser);
    const { page } = watched;
    await signIn(page, herald.url, 'mira', password);
    for (const path of ['settings', 'settings/users', 'settings/carriers']) {
      await page.goto(`${herald.url}/${path}`);
      await page.getByText('This page does not exist.').waitFor();
    }
    expect(await page.getByRole('navigation', { name: 'Settings sections' }).count()).toBe(0);
    const marketer = await apiSession(herald.url, 'mira', password);
    for (const url of ['/v1/users', '/v1/carriers', '/v1/api-keys', '/v1/webhooks', '/v1/roles']) {
      await expect(marketer.call('GET', url), url).rejects.toThrow(/403/);
    }
    await watched.context.close();
  });
});
