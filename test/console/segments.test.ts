/**
 * The segments area in a real Chromium: the list with its empty state, the builder whose live
 * count follows the rules as they are added, a masked sample, the API's errors beside their
 * rule, save / edit / delete, and what a role without segments:write gets (a read-only view,
 * no sample). Also: the builder offers exactly the fields and comparisons the server's filter
 * language has.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_BANDS, GENDERS } from '../../src/core/attributes.js';
import { CONSENT_METHODS } from '../../src/core/policy/consent.js';
import { PURPOSES } from '../../src/core/policy/purposes.js';
import {
  ATTRIBUTE_OPS,
  CONDITION_SCHEMAS,
  ENGAGEMENT_ACTIONS,
  MAX_DEPTH,
  OPS_BY_TYPE,
} from '../../src/core/segments.js';
import { builtInAttributes } from '../../src/core/attributes.js';
import * as model from '../../web/src/pages/segments/model.js';
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
  { phone: '+8613800138000', attributes: { region: '广东省', age_band: '25-34', tags: ['vip'] } },
  { phone: '+8613912345678', attributes: { region: '江苏省', age_band: '25-34' } },
  { phone: '+8613700001111', attributes: { region: '广东省', age_band: '35-44' } },
  { phone: '+8615012345678', attributes: { age_band: '18-24' } },
  { phone: '+14155551000', attributes: { age_band: '25-34', tags: ['vip'] } },
  { phone: '+14155551001', attributes: { age_band: '45-54' } },
];

describe('console: segments', () => {
  let herald: Herald;
  let browser: Browser;
  let mia: ApiSession;
  let miaPassword: string;
  let annPassword: string;

  beforeAll(async () => {
    herald = await startHerald();
    browser = await launchBrowser();
    const admin = await apiSession(herald.url, 'admin', herald.adminPassword);
    miaPassword = await createUser(admin, 'mia', 'marketer');
    annPassword = await createUser(admin, 'ann', 'analyst');
    mia = await apiSession(herald.url, 'mia', miaPassword);
    for (const c of CONTACTS) await mia.call('POST', '/v1/contacts', { ...c, consents: GRANT });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await herald?.stop();
  });

  const enter = (viewport: typeof DESKTOP | typeof PHONE, user: string, password: string) =>
    signedInPage(browser, herald.url, user, password, { viewport });

  const liveCount = (page: Page) =>
    page.getByRole('status', { name: 'Matching contacts' }).textContent();

  it('offers exactly the fields, values and comparisons of the filter language', () => {
    const fields = Object.fromEntries(
      Object.entries(CONDITION_SCHEMAS).map(([k, s]) => [k, Object.keys(s.properties)]),
    );
    expect(model.CONDITION_FIELDS).toEqual(fields);
    expect(model.AGE_BANDS).toEqual(AGE_BANDS);
    expect(model.GENDERS).toEqual(GENDERS);
    expect(model.CONSENT_METHODS).toEqual(CONSENT_METHODS);
    expect(model.PURPOSES).toEqual(PURPOSES);
    expect(model.ENGAGEMENT_ACTIONS).toEqual(ENGAGEMENT_ACTIONS);
    expect(model.ATTRIBUTE_OPS).toEqual(ATTRIBUTE_OPS);
    expect(model.OPS_BY_TYPE).toEqual(OPS_BY_TYPE);
    expect(model.MAX_DEPTH).toBe(MAX_DEPTH);
    expect(model.BUILT_IN_ATTRIBUTES.map((a) => [a.name, a.type, a.values])).toEqual(
      builtInAttributes(2030).map((a) => [a.name, a.type, a.values]),
    );
  });

  it('builds a segment whose live count follows the rules, then saves, edits and deletes it', async () => {
    const watched = await enter(DESKTOP, 'mia', miaPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/segments`);
    const empty = await checkPage(watched, 'segments-empty', 'Segments');
    expect(empty).toMatchObject({ violations: [], errors: [] });
    expect(empty.overflow).toBeLessThanOrEqual(0);
    await page.getByText('No segments yet.').waitFor();

    await page.getByRole('link', { name: 'New segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    await expect.poll(() => liveCount(page)).toBe('6');

    // A rule: Chinese numbers only. The count follows as the code is typed.
    await page.getByRole('button', { name: 'Add rule' }).first().click();
    const first = page.getByRole('listitem', { name: /^Rule 1/ });
    await first.getByLabel('Country codes').fill('cn');
    await expect.poll(() => liveCount(page)).toBe('4');

    // A second rule: aged 25–34 (all of these).
    await page.getByRole('button', { name: 'Add rule' }).first().click();
    const second = page.getByRole('listitem', { name: /^Rule 2/ });
    await second.getByLabel('Rule').selectOption('age_band');
    await second.getByLabel('25-34').check();
    await expect.poll(() => liveCount(page)).toBe('2');

    // The sample shows masked numbers only.
    const sample = page.getByRole('region', { name: 'A sample of the matching contacts' });
    await expect.poll(() => sample.getByRole('row').count()).toBe(3);
    const text = (await sample.textContent()) ?? '';
    expect(text).toContain('****');
    for (const c of CONTACTS) expect(await page.content()).not.toContain(c.phone.slice(3));

    // A group: or-ed with the builder's whole tree changes nothing until it says something.
    await page.getByRole('button', { name: 'Add group' }).first().click();
    const group = page.getByRole('group', { name: 'Group of rules' });
    await group.getByLabel('Rule', { exact: true }).selectOption('tag');
    await group.getByLabel('Tags').fill('vip');
    await expect.poll(() => liveCount(page)).toBe('1');

    const builder = await checkPage(watched, 'segments-builder', 'New segment');
    expect(builder).toMatchObject({ violations: [], errors: [] });
    expect(builder.overflow).toBeLessThanOrEqual(0);

    // Saving without a name is refused beside the field.
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByText('Give the segment a name.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Guangdong VIPs');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segments' }).waitFor();
    const row = page.getByRole('row', { name: /Guangdong VIPs/ });
    await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toBe('1');
    const saved = await mia.call<{ items: { id: number; filter: unknown }[] }>(
      'GET',
      '/v1/segments',
    );
    const { and } = saved.items[0]!.filter as { and: unknown[] };
    expect(and).toHaveLength(3);
    expect(and).toEqual(
      expect.arrayContaining([
        { kind: 'age_band', in: ['25-34'] },
        { kind: 'country', in: ['CN'] },
        { kind: 'tag', in: ['vip'] },
      ]),
    );

    // Edit: any of the rules instead of all of them.
    await row.getByRole('link', { name: 'Edit: Guangdong VIPs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segment: Guangdong VIPs' }).waitFor();
    await expect.poll(() => liveCount(page)).toBe('1');
    await page.getByLabel('Contacts who match').first().selectOption('or');
    await expect.poll(() => liveCount(page)).toBe('5');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /Guangdong VIPs/ })
          .getByRole('cell')
          .nth(2)
          .textContent(),
      )
      .toBe('5');

    // Delete.
    await page.getByRole('link', { name: 'Edit: Guangdong VIPs' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete segment' }).click();
    await page.getByText('Segment “Guangdong VIPs” deleted.').waitFor();
    expect((await mia.call<{ items: unknown[] }>('GET', '/v1/segments')).items).toEqual([]);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('shows the API’s reasons beside the rule they are about, and works at a phone’s width', async () => {
    const watched = await enter(PHONE, 'mia', miaPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/segments/new`);
    await expect.poll(() => liveCount(page)).toBe('6');
    await page.getByRole('button', { name: 'Add rule' }).first().click();
    const rule = page.getByRole('listitem', { name: /^Rule 1/ });
    await rule.getByLabel('Rule').selectOption('purchase');
    await expect.poll(() => liveCount(page)).toBe('0');
    const phone = await checkPage(watched, 'segments-builder', 'New segment');
    expect(phone).toMatchObject({ violations: [], errors: [] });
    expect(phone.overflow).toBeLessThanOrEqual(0);

    // A spend range without a currency cannot be added up: the API says so, at the rule.
    await rule.getByLabel('Spent, at least').fill('100');
    await rule
      .getByRole('alert')
      .getByText(/"sum" needs a "currency"/)
      .waitFor();
    await rule.getByLabel('Currency').fill('cny');
    await expect.poll(() => rule.getByRole('alert').count()).toBe(0);
    await expect.poll(() => liveCount(page)).toBe('0');
    // The refused preview is the only complaint in the browser's console.
    expect(watched.errors.every((e) => e.includes('400'))).toBe(true);
    await watched.context.close();
  });

  it('gives an analyst the segments to look at, without a way to change them or see contacts', async () => {
    const created = await mia.call<{ id: number }>('POST', '/v1/segments', {
      name: 'US numbers',
      filter: { kind: 'country', in: ['US'] },
    });
    const watched = await enter(DESKTOP, 'ann', annPassword);
    const { page } = watched;
    await page.goto(`${herald.url}/segments`);
    await page.getByRole('link', { name: 'US numbers' }).first().waitFor();
    expect(await page.getByRole('link', { name: 'New segment' }).count()).toBe(0);
    await page.goto(`${herald.url}/segments/new`);
    await page.getByText('Your role may not use this page.').waitFor();
    await page.goto(`${herald.url}/segments`);
    await page.getByRole('link', { name: 'Open: US numbers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segment: US numbers' }).waitFor();
    await page.getByText('Your role may look at segments but not change them.').waitFor();
    await expect.poll(() => liveCount(page)).toBe('2');
    await page.getByText('Your role sees counts only, not contacts.').waitFor();
    expect(await page.getByRole('button', { name: 'Save segment' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add rule' }).count()).toBe(0);
    expect(await page.getByLabel('Country codes').isDisabled()).toBe(true);
    const view = await checkPage(watched, 'segments-readonly', 'Segment: US numbers');
    expect(view).toMatchObject({ violations: [], errors: [] });
    await mia.call('DELETE', `/v1/segments/${created.id}`);
    await watched.context.close();
  });
});
