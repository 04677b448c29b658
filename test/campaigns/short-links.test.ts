import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackLinks } from '../../src/campaigns/short-links.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe.each(DIALECTS)('[%s] short links', (dialect) => {
  let t: TestApp;
  let marketer: Record<string, string>;
  beforeAll(async () => {
    t = await openTestApp(dialect, {
      HERALD_LINK_DOMAINS: 'shop.example, example.cn',
      HERALD_PUBLIC_URL: 'https://go.example',
    });
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
  });
  afterAll(async () => t.close());

  const make = (target: string) =>
    t.app.inject({ method: 'POST', url: '/v1/links', headers: marketer, payload: { target } });

  it.each([
    ['javascript:alert(1)', 'scheme'],
    ['https://evil.example/x', 'domain'],
    ['https://shop.example@evil.example/x', 'userinfo'],
    ['https://shop.example.evil.example/', 'domain'],
    ['ftp://shop.example/file', 'scheme'],
  ])('refuses %s with LINK_NOT_ALLOWED (%s)', async (target, reason) => {
    const res = await make(target);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'LINK_NOT_ALLOWED', details: { reason } });
  });

  it('redirects a real code to its stored target and counts people, not preview bots', async () => {
    const res = await make('https://www.shop.example/sale?utm=sms');
    expect(res.statusCode).toBe(201);
    const { code, url } = res.json() as { code: string; url: string };
    expect(code).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(url).toBe(`https://go.example/s/${code}`);

    // An empty user agent: every browser sends one, so this is a script.
    const click = (ua: string, ip: string) =>
      t.app.inject({
        method: 'GET',
        url: `/s/${code}`,
        headers: { 'user-agent': ua },
        remoteAddress: ip,
      });
    const first = await click(PHONE_UA, '203.0.113.7');
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe('https://www.shop.example/sale?utm=sms');
    await click(PHONE_UA, '203.0.113.7');
    await click(PHONE_UA, '198.51.100.2');
    const bot = await click('facebookexternalhit/1.1 Facebot Twitterbot/1.0', '203.0.113.9');
    expect(bot.statusCode).toBe(302);
    await click('', '203.0.113.10');

    const admin = { authorization: `Bearer ${await t.keyFor('analyst')}` };
    const stats = await t.app.inject({ method: 'GET', url: `/v1/links/${code}`, headers: admin });
    expect(stats.json().clicks).toEqual({ total: 3, unique: 2, bots: 2 });
  });

  it.each(['/s/nope', '/s/AAAAAAAAAA', '/s/..%2F..%2Fevil', '/s/https%3A%2F%2Fevil.example'])(
    'answers %s with 404 and never redirects',
    async (path) => {
      const res = await t.app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(404);
      expect(res.headers.location).toBeUndefined();
    },
  );

  it('rewrites every link of a message to its own attributed short link', async () => {
    const body = '【小店】双11特惠 https://shop.example/a 和 https://example.cn/b?x=1 回TD退订';
    const rewritten = await trackLinks(t.ctx, body, { campaignId: 7, variant: 'B' });
    const codes = [...rewritten.matchAll(/https:\/\/go\.example\/s\/([0-9A-Za-z]{10})/g)].map(
      (m) => m[1],
    );
    expect(codes).toHaveLength(2);
    expect(rewritten).toMatch(
      /^【小店】双11特惠 https:\/\/go\.example\/s\/\w{10} 和 https:\/\/go\.example\/s\/\w{10} 回TD退订$/,
    );
    const res = await t.app.inject({
      method: 'GET',
      url: `/s/${codes[1]}`,
      headers: { 'user-agent': PHONE_UA },
    });
    expect(res.headers.location).toBe('https://example.cn/b?x=1');
  });
});
