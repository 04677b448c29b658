import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

describe.each(DIALECTS)('[%s] content and template endpoints', (dialect) => {
  let t: TestApp;
  let h: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect);
    h = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    for (const [phone, city] of [
      ['+8613912345678', '常州'],
      ['+8613812345678', '乌鲁木齐市天山区'],
      ['+14155550123', 'San Francisco'],
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: h,
        payload: { phone, attributes: { city } },
      });
      expect(res.statusCode).toBe(201);
    }
  });
  afterAll(async () => t.close());

  const inspect = (text: unknown) =>
    t.app.inject({ method: 'POST', url: '/v1/content/inspect', headers: h, payload: { text } });

  it.each([
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['中'.repeat(70), 'UCS-2', 1],
    ['中'.repeat(71), 'UCS-2', 2],
    ['【小店】双11全场五折，回复TD退订', 'UCS-2', 1],
  ])('inspects %#: %s', async (text, encoding, segments) => {
    const res = await inspect(text);
    expect(res.statusCode).toBe(200);
    expect(res.json().inspection).toMatchObject({ encoding, segments });
  });

  it('suggests smart encoding that keeps a text in GSM-7', async () => {
    const res = await inspect('It’s “great” — 50% off…');
    expect(res.json().inspection.encoding).toBe('UCS-2');
    expect(res.json().smartEncoded).toMatchObject({
      text: 'It\'s "great" - 50% off...',
      inspection: { encoding: 'GSM-7' },
    });
  });

  it.each([{}, { text: 42 }, { text: 'x', extra: 1 }])(
    'answers bad input %j with 400 VALIDATION_FAILED',
    async (payload) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/content/inspect',
        headers: h,
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    },
  );

  it('previews a template for a contact, and names unknown variables', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/v1/contacts?country=CN', headers: h });
    const id = list.json().items[0].id as number;
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/templates/preview',
      headers: h,
      payload: { source: '【小店】{{ contact.city }}的朋友，周末特惠！回TD退订', contactId: id },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      text: '【小店】常州的朋友，周末特惠！回TD退订',
      variables: ['contact.city'],
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/templates/preview',
      headers: h,
      payload: { source: 'Hi {{ contact.phone }}', sample: {} },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('TEMPLATE_UNKNOWN_VARIABLE');
    const broken = await t.app.inject({
      method: 'POST',
      url: '/v1/templates/preview',
      headers: h,
      payload: { source: 'Hi {{ contact.city ' },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('TEMPLATE_INVALID');
  });

  it('counts segments for the costliest value over the audience', async () => {
    // In a Chinese (UCS-2) text the longest value costs most: 'San Francisco' (13) beats 8 hanzi.
    const zh = await t.app.inject({
      method: 'POST',
      url: '/v1/templates/worst-case',
      headers: h,
      payload: {
        source:
          '【小店】{{ contact.city }}的朋友，周末全场特惠，满199减100，满399减250，快来选购吧！回TD退订',
      },
    });
    expect(zh.statusCode).toBe(200);
    expect(zh.json().longestValues).toEqual({ 'contact.city': 'San Francisco' });
    expect(zh.json().inspection).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    // In a GSM-7 text a Chinese value costs most: it turns the whole message into UCS-2.
    const en = await t.app.inject({
      method: 'POST',
      url: '/v1/templates/worst-case',
      headers: h,
      payload: {
        source: `Hello {{ contact.city }}! ${'Weekend deals on everything in store. '.repeat(2)}Reply STOP to opt out`,
      },
    });
    expect(en.json().longestValues).toEqual({ 'contact.city': '乌鲁木齐市天山区' });
    expect(en.json().inspection).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    const cn = await t.app.inject({
      method: 'POST',
      url: '/v1/templates/worst-case',
      headers: h,
      payload: { source: 'Hi {{ contact.city }}', country: 'US' },
    });
    expect(cn.json().longestValues).toEqual({ 'contact.city': 'San Francisco' });
  });
});
