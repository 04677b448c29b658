import { describe, expect, it, vi } from 'vitest';
import { HeraldError } from '../../../src/core/errors.js';
import {
  SHORT_CODE_ALPHABET,
  checkLinkTarget,
  findLinks,
  isLinkPreviewBot,
  isValidShortCode,
  locateLinks,
  rewriteLinks,
  shortCodeFromBytes,
} from '../../../src/core/content/links.js';

function caught(fn: () => unknown): HeraldError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected a HeraldError');
}

describe('findLinks', () => {
  // prettier-ignore
  it.each<[string, string, string[]]>([
    ['one link', 'Sale: https://example.com/a', ['https://example.com/a']],
    ['Chinese text glued on both sides', '点击https://shop.example.com/a领取，回TD退订', ['https://shop.example.com/a']],
    ['Chinese full stop after the link', '详情见https://t.cn/A6abc。', ['https://t.cn/A6abc']],
    ['query string, sentence full stop', 'Go to https://x.com/path?q=1&r=2. Thanks', ['https://x.com/path?q=1&r=2']],
    ['balanced parentheses stay, the closing one goes', '(see https://en.wikipedia.org/wiki/Foo_(bar))', ['https://en.wikipedia.org/wiki/Foo_(bar)']],
    ['two links and an exclamation mark', 'Two: http://a.com and https://b.com/x!', ['http://a.com', 'https://b.com/x']],
    ['upper-case scheme', 'HTTPS://EXAMPLE.COM/A', ['HTTPS://EXAMPLE.COM/A']],
    ['quoted', '"https://example.com/q"', ['https://example.com/q']],
    ['a repeated link appears twice', 'https://e.com/a and https://e.com/a', ['https://e.com/a', 'https://e.com/a']],
    ['Chinese marketing with signature', '【品牌】新品上市https://m.example.cn/p?id=1&c=sms，回复TD退订', ['https://m.example.cn/p?id=1&c=sms']],
    ['no scheme, other scheme', 'no link here, www.example.com, ftp://x.com', []],
    ['a scheme with nothing after it', 'http:// alone', []],
  ])('%s', (_name, text, expected) => {
    expect(findLinks(text)).toEqual(expected);
  });

  it('locates links by UTF-16 offsets', () => {
    expect(locateLinks('Go https://example.com/a.')).toEqual([
      { url: 'https://example.com/a', start: 3, end: 24 },
    ]);
    expect(locateLinks('点击https://e.com领取')).toEqual([
      { url: 'https://e.com', start: 2, end: 15 },
    ]);
  });
});

describe('checkLinkTarget', () => {
  // prettier-ignore
  it.each<[string, string, string[], string]>([
    ['the domain itself', 'https://example.com/sale', ['example.com'], 'https://example.com/sale'],
    ['a subdomain, case-folded', 'https://Shop.Example.com/sale', ['example.com'], 'https://shop.example.com/sale'],
    ['plain http', 'http://example.com', ['example.com'], 'http://example.com/'],
    ['a deep subdomain with query and fragment', 'https://a.b.example.com/x?y=1#z', ['example.com'], 'https://a.b.example.com/x?y=1#z'],
    ['an IDN host against a Unicode domain', 'https://BÜCHER.de/x', ['bücher.de'], 'https://xn--bcher-kva.de/x'],
    ['a punycode host against a Unicode domain', 'https://xn--bcher-kva.de/', ['BÜCHER.DE'], 'https://xn--bcher-kva.de/'],
    ['a trailing dot on the host', 'https://example.com./x', ['example.com'], 'https://example.com./x'],
    ['a wildcard-style allowed domain', 'https://shop.example.com', ['*.example.com'], 'https://shop.example.com/'],
    ['a port', 'https://example.com:8443/p', ['example.com'], 'https://example.com:8443/p'],
    ['the second allowed domain', 'https://other.org/x', ['example.com', 'other.org'], 'https://other.org/x'],
    ['an ideographic full stop, as a browser reads it', 'https://example。com/x', ['example.com'], 'https://example.com/x'],
  ])('accepts %s', (_name, url, allowed, expected) => {
    expect(checkLinkTarget(url, allowed)).toBe(expected);
  });

  // prettier-ignore
  it.each<[string, string, string[], string]>([
    ['user info that looks like the host', 'https://example.com@evil.com/', ['example.com'], 'userinfo'],
    ['user and password', 'https://user:pass@example.com/', ['example.com'], 'userinfo'],
    ['javascript:', 'javascript:alert(1)', ['example.com'], 'scheme'],
    ['JAVASCRIPT: in capitals', 'JAVASCRIPT:alert(1)', ['example.com'], 'scheme'],
    ['data:', 'data:text/html,<script>alert(1)</script>', ['example.com'], 'scheme'],
    ['ftp:', 'ftp://example.com/file', ['example.com'], 'scheme'],
    ['the domain only in the query', 'https://evil.com/?r=example.com', ['example.com'], 'domain'],
    ['the domain as a prefix of another', 'https://example.com.evil.com/', ['example.com'], 'domain'],
    ['the domain as a suffix of a word', 'https://evilexample.com/', ['example.com'], 'domain'],
    ['a Cyrillic look-alike', 'https://аpple.com/', ['apple.com'], 'domain'],
    ['an IP address', 'https://192.168.0.1/', ['example.com'], 'domain'],
    ['no allowed domains at all', 'https://example.com/x', [], 'domain'],
    ['not a URL', 'not a url', ['example.com'], 'invalid'],
    ['a scheme-relative URL', '//example.com/x', ['example.com'], 'invalid'],
  ])('refuses %s', (_name, url, allowed, reason) => {
    const error = caught(() => checkLinkTarget(url, allowed));
    expect(error.code).toBe('LINK_NOT_ALLOWED');
    expect(error.details).toMatchObject({ url, reason });
  });

  it('names the host it refused', () => {
    expect(caught(() => checkLinkTarget('https://аpple.com/', ['apple.com'])).details).toEqual({
      url: 'https://аpple.com/',
      reason: 'domain',
      host: 'xn--pple-43d.com',
    });
  });

  it.each(['https://example.com/', 'example.com/path', 'user@example.com', ''])(
    'refuses the allowed domain %j as configuration',
    (domain) => {
      expect(caught(() => checkLinkTarget('https://example.com/', [domain])).code).toBe(
        'VALIDATION_FAILED',
      );
    },
  );
});

describe('rewriteLinks', () => {
  // prettier-ignore
  it.each<[string, string, string, Array<{ from: string; count: number }>]>([
    ['one link', 'Sale: https://example.com/a', 'Sale: <https://example.com/a>', [{ from: 'https://example.com/a', count: 1 }]],
    ['a repeated link', 'https://e.com/a or https://e.com/a', '<https://e.com/a> or <https://e.com/a>', [{ from: 'https://e.com/a', count: 2 }]],
    ['two links in order', 'https://b.com and https://a.com', '<https://b.com> and <https://a.com>', [{ from: 'https://b.com', count: 1 }, { from: 'https://a.com', count: 1 }]],
    ['Chinese text glued on', '点击https://e.com/a领取', '点击<https://e.com/a>领取', [{ from: 'https://e.com/a', count: 1 }]],
    ['sentence punctuation stays outside', 'Go https://e.com/a.', 'Go <https://e.com/a>.', [{ from: 'https://e.com/a', count: 1 }]],
    ['no link', 'Hello 回复TD退订', 'Hello 回复TD退订', []],
  ])('%s', (_name, text, expected, replacements) => {
    const result = rewriteLinks(text, (url) => `<${url}>`);
    expect(result.text).toBe(expected);
    expect(result.replacements).toEqual(replacements.map((r) => ({ ...r, to: `<${r.from}>` })));
  });

  it('asks for one short link per distinct URL', () => {
    const shorten = vi.fn((url: string) => `https://h.example/s/${url.length}`);
    rewriteLinks('https://e.com/a https://e.com/a https://e.com/bb', shorten);
    expect(shorten.mock.calls).toEqual([['https://e.com/a'], ['https://e.com/bb']]);
  });
});

describe('isLinkPreviewBot', () => {
  // prettier-ignore
  it.each<[string, string | undefined]>([
    ['Facebook', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
    ['iMessage', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0'],
    ['Twitter', 'Twitterbot/1.0'],
    ['Slack', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
    ['WhatsApp', 'WhatsApp/2.23.18.78 i'],
    ['Telegram', 'TelegramBot (like TwitterBot)'],
    ['Discord', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)'],
    ['LinkedIn', 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)'],
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    ['Bing', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
    ['Applebot', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)'],
    ['Baidu', 'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)'],
    ['curl', 'curl/8.4.0'],
    ['wget', 'Wget/1.21.4'],
    ['python-requests', 'python-requests/2.31.0'],
    ['Go', 'Go-http-client/2.0'],
    ['okhttp', 'okhttp/4.12.0'],
    ['headless Chrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36'],
    ['a generic crawler', 'Mozilla/5.0 (compatible; SomeCrawler/1.0)'],
    ['a generic spider', 'MySpider/3.0'],
    ['a generic preview service', 'Link Preview Service'],
    ['a bare compatible agent', 'Mozilla/5.0 (compatible; Foo/1.0)'],
    ['an empty agent', ''],
    ['no agent', undefined],
  ])('%s is a bot', (_name, agent) => {
    expect(isLinkPreviewBot(agent)).toBe(true);
  });

  // prettier-ignore
  it.each<[string, string]>([
    ['iPhone Safari', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'],
    ['Android Chrome', 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36'],
    ['WeChat in-app browser', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN'],
    ['Facebook in-app browser', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/442.0.0.38.109]'],
    ['a Cubot phone', 'Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'],
    ['desktop Firefox', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0'],
    ['Samsung Internet', 'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36'],
    ['QQ Browser', 'Mozilla/5.0 (Linux; U; Android 10; zh-cn; ELS-AN00 Build/HUAWEIELS-AN00) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 MQQBrowser/12.1 Mobile Safari/537.36'],
  ])('%s is a person', (_name, agent) => {
    expect(isLinkPreviewBot(agent)).toBe(false);
  });
});

describe('short codes', () => {
  it.each<[string, boolean]>([
    ['Ab3dEf9h', true],
    ['abcdefgh', true],
    ['12345678', true],
    ['a'.repeat(32), true],
    ['Ab3dEf9', false],
    ['a'.repeat(33), false],
    ['Ab3d-f9h', false],
    ['Ab3d_f9h', false],
    ['Ab3dEf9hé', false],
    ['ＡＢＣＤＥＦＧＨ', false],
    ['Ab3dEf9h\n', false],
    ['', false],
  ])('isValidShortCode(%j) is %s', (code, valid) => {
    expect(isValidShortCode(code)).toBe(valid);
  });

  // prettier-ignore
  it.each<[string, number[], number, string]>([
    ['bytes below 62 map directly', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10, '0123456789'],
    ['bytes wrap at 62; 248 and above are skipped', [0, 1, 61, 62, 255, 247, 10, 35, 36, 100, 200], 10, '01z0zAZacE'],
    ['a run of rejected bytes is skipped', [248, 249, 250, 251, 252, 253, 254, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10, '0123456789'],
    ['the shortest code', [61, 123, 185, 247, 61, 123, 185, 247], 8, 'zzzzzzzz'],
    ['extra bytes are ignored', [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], 8, 'ABCDEFGH'],
  ])('shortCodeFromBytes: %s', (_name, bytes, length, expected) => {
    const code = shortCodeFromBytes(new Uint8Array(bytes), length);
    expect(code).toBe(expected);
    expect(isValidShortCode(code)).toBe(true);
  });

  it('has no modulo bias: each symbol comes from exactly 4 of the 248 accepted bytes', () => {
    const counts = new Map<string, number>();
    for (let byte = 0; byte < 256; byte += 1) {
      const bytes = new Uint8Array([byte, 0, 0, 0, 0, 0, 0, 0, 0]);
      const first = shortCodeFromBytes(bytes, 8)[0] ?? '';
      if (byte < 248) counts.set(first, (counts.get(first) ?? 0) + 1);
      else expect(first).toBe('0'); // skipped: the code starts at the next byte
    }
    expect(counts.size).toBe(62);
    expect([...counts.values()].every((n) => n === 4)).toBe(true);
    expect(SHORT_CODE_ALPHABET).toHaveLength(62);
  });

  it.each<[string, number[], number]>([
    ['too few bytes', [1, 2, 3, 4, 5, 6, 7, 8, 9], 10],
    ['only rejected bytes', Array.from({ length: 40 }, () => 255), 10],
    ['a code shorter than 8', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 7],
    ['a code longer than 32', Array.from({ length: 80 }, (_, i) => i % 62), 33],
  ])('shortCodeFromBytes refuses %s', (_name, bytes, length) => {
    expect(caught(() => shortCodeFromBytes(new Uint8Array(bytes), length)).code).toBe(
      'VALIDATION_FAILED',
    );
  });
});
