/**
 * Short links, the pure part: finding links in a message, checking that a target is on one of
 * the company's domains (never an open redirect), rewriting links to tracked short links, telling
 * a link-preview fetcher from a person, and short codes.
 *
 * URL parsing is the WHATWG `URL` parser, the one browsers use, so the host we check is the host a
 * phone will open: `https://allowed.com@evil.com` is evil.com, `https://bücher.de` is
 * xn--bcher-kva.de, `https://allowed。com` is allowed.com.
 */
import { HeraldError } from '../errors.js';

export type FoundLink = { url: string; start: number; end: number };
export type LinkRewrite = { from: string; to: string; count: number };

/** Why a link target was refused; in `details.reason` of LINK_NOT_ALLOWED. */
export const LINK_REJECTIONS = ['invalid', 'scheme', 'userinfo', 'domain'] as const;
export type LinkRejection = (typeof LINK_REJECTIONS)[number];

/**
 * Links are ASCII: in SMS a URL is usually glued to Chinese text ("点击https://t.cn/a领取"), so
 * the first non-ASCII character ends it. A host written in Unicode must be sent as punycode.
 */
const LINK = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/giu;
/** Punctuation that ends a sentence rather than a URL. */
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '*']);
const CLOSERS: Readonly<Record<string, string>> = { ')': '(', ']': '[' };

/**
 * The http(s) links of a text, in order (a repeated link appears each time).
 *
 * @example
 *   findLinks('点击https://shop.example.com/a领取，回TD退订'); // ['https://shop.example.com/a']
 */
export function findLinks(text: string): string[] {
  return locateLinks(text).map((link) => link.url);
}

/**
 * The http(s) links of a text with their UTF-16 offsets, for highlighting and rewriting.
 *
 * @example
 *   locateLinks('Go https://example.com/a.'); // [{ url: 'https://example.com/a', start: 3, end: 24 }]
 */
export function locateLinks(text: string): FoundLink[] {
  const links: FoundLink[] = [];
  for (const match of text.matchAll(LINK)) {
    const url = trimTrailing(match[0]);
    if (/^https?:\/\/$/i.test(url)) continue;
    links.push({ url, start: match.index, end: match.index + url.length });
  }
  return links;
}

/**
 * Check that a link may be shortened: http(s) only, no user info, and a host equal to or below an
 * allowed domain. Returns the normalised URL, the one to store as the short link's target.
 *
 * @throws HeraldError LINK_NOT_ALLOWED with details { url, reason, host? };
 *   VALIDATION_FAILED when an allowed domain is not a domain.
 * @example
 *   checkLinkTarget('https://Shop.Example.com/sale', ['example.com']);
 *   // 'https://shop.example.com/sale'
 *   checkLinkTarget('https://example.com@evil.com/', ['example.com']); // throws (userinfo)
 */
export function checkLinkTarget(url: string, allowedDomains: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse(url, 'invalid');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse(url, 'scheme');
  // Browsers drop or hide user info; a reader sees "allowed.com" where the host is another.
  if (parsed.username !== '' || parsed.password !== '') throw refuse(url, 'userinfo');
  const host = parsed.hostname.replace(/\.$/, '');
  const allowed = allowedDomains.map(normalizeDomain);
  if (!allowed.some((domain) => host === domain || host.endsWith(`.${domain}`))) {
    throw refuse(url, 'domain', host);
  }
  return parsed.href;
}

/**
 * Replace every link by the URL `shorten` returns for it; `shorten` is called once per distinct
 * link, so a link repeated in a message shares one short link. Targets are not checked here:
 * call `checkLinkTarget` inside `shorten`.
 *
 * @example
 *   rewriteLinks('Sale: https://example.com/a', () => 'https://h.example/s/Ab3dEf9h');
 *   // { text: 'Sale: https://h.example/s/Ab3dEf9h',
 *   //   replacements: [{ from: 'https://example.com/a', to: 'https://h.example/s/Ab3dEf9h', count: 1 }] }
 */
export function rewriteLinks(
  text: string,
  shorten: (url: string) => string,
): { text: string; replacements: LinkRewrite[] } {
  const rewrites = new Map<string, LinkRewrite>();
  let out = '';
  let cursor = 0;
  for (const link of locateLinks(text)) {
    let rewrite = rewrites.get(link.url);
    if (rewrite) rewrite.count += 1;
    else {
      rewrite = { from: link.url, to: shorten(link.url), count: 1 };
      rewrites.set(link.url, rewrite);
    }
    out += text.slice(cursor, link.start) + rewrite.to;
    cursor = link.end;
  }
  return { text: out + text.slice(cursor), replacements: [...rewrites.values()] };
}

/**
 * Fetchers that open a link without a person behind them: chat apps building a preview, search
 * engines, scripts and headless browsers. Their visits are not clicks. The in-app browsers of
 * WeChat (MicroMessenger), Facebook and others are people and are not listed.
 */
const LINK_PREVIEW_AGENTS: readonly RegExp[] = [
  // Meta's fetcher, also sent by iMessage ("facebookexternalhit/1.1 Facebot Twitterbot/1.0").
  /facebookexternalhit|facebot|meta-externalagent/i,
  /twitterbot|slackbot|slack-imgproxy|whatsapp|telegrambot|discordbot|linkedinbot/i,
  /skypeuripreview|pinterest|redditbot|embedly|vkshare|viber|snapchat|line-poker/i,
  /googlebot|google-inspectiontool|googleother|adsbot-google|mediapartners-google/i,
  /bingbot|bingpreview|msnbot|applebot|yandex|baiduspider|sogou|bytespider|petalbot/i,
  // HTTP libraries and command-line tools.
  /^curl\/|^wget\/|python-requests|python-urllib|aiohttp|go-http-client|okhttp|node-fetch/i,
  /undici|axios\/|libwww-perl|java\/\d|apache-httpclient|postmanruntime|insomnia/i,
  /headlesschrome|phantomjs|puppeteer|playwright|lighthouse/i,
  // Generic words; "bot" not after "cu", since Cubot is a phone maker.
  /(?<!cu)bot(?:\b|_|\/)|crawl|spider|preview|fetcher|scraper|slurp/i,
  // A bare "Mozilla/5.0 (compatible; Name/1.0)" with nothing else is a script, not a browser.
  /^mozilla\/\d\.\d \(compatible;?(?: [\w.-]+\/[\d.]+)?\)$/i,
];

/**
 * Whether a short-link visit comes from a preview fetcher or a bot rather than a person. A
 * missing user agent counts as a bot: every browser sends one.
 *
 * @example
 *   isLinkPreviewBot('facebookexternalhit/1.1 Facebot Twitterbot/1.0'); // true (iMessage)
 *   isLinkPreviewBot('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) ... Safari/604.1'); // false
 */
export function isLinkPreviewBot(userAgent: string | null | undefined): boolean {
  const agent = userAgent?.trim() ?? '';
  if (agent === '') return true;
  return LINK_PREVIEW_AGENTS.some((pattern) => pattern.test(agent));
}

/** Base62: letters and digits only, safe in any URL and SMS alphabet. */
export const SHORT_CODE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHORT_CODE_MIN_LENGTH = 8;
/** A bound on what the `/s/<code>` route accepts; generated codes are far shorter. */
export const SHORT_CODE_MAX_LENGTH = 32;

const SHORT_CODE = new RegExp(
  `^[0-9A-Za-z]{${SHORT_CODE_MIN_LENGTH},${SHORT_CODE_MAX_LENGTH}}$`,
  'u',
);

/**
 * Whether a string can be a short code: 8 to 32 base62 characters.
 *
 * @example
 *   isValidShortCode('Ab3dEf9h'); // true
 *   isValidShortCode('Ab3d-f9h'); // false
 */
export function isValidShortCode(code: string): boolean {
  return SHORT_CODE.test(code);
}

/**
 * Turn random bytes into a base62 code without modulo bias: a byte is used only below 248
 * (4 × 62), so each symbol is equally likely, and the others are skipped. Pass about twice
 * `length` bytes (e.g. `crypto.randomBytes(20)` for 10 characters): running short then has a
 * chance below 1e-11.
 *
 * @throws HeraldError VALIDATION_FAILED when the length is out of range or the bytes run out.
 * @example
 *   shortCodeFromBytes(new Uint8Array([0, 1, 61, 62, 255, 247, 10, 35, 36, 100, 200]));
 *   // '01z0Zz9ZaM' (255 is skipped; 62 → 0, 247 → z, 100 → c... )
 */
export function shortCodeFromBytes(bytes: Uint8Array, length = 10): string {
  if (
    !Number.isInteger(length) ||
    length < SHORT_CODE_MIN_LENGTH ||
    length > SHORT_CODE_MAX_LENGTH
  ) {
    throw new HeraldError('VALIDATION_FAILED', 'Short code length out of range', { length });
  }
  const limit = Math.floor(256 / SHORT_CODE_ALPHABET.length) * SHORT_CODE_ALPHABET.length;
  let code = '';
  for (const byte of bytes) {
    if (byte >= limit) continue;
    code += SHORT_CODE_ALPHABET[byte % SHORT_CODE_ALPHABET.length];
    if (code.length === length) return code;
  }
  throw new HeraldError('VALIDATION_FAILED', 'Not enough random bytes for a short code', {
    length,
    bytes: bytes.length,
  });
}

function trimTrailing(candidate: string): string {
  let url = candidate;
  for (;;) {
    const last = url.at(-1) ?? '';
    const opener = CLOSERS[last];
    const unbalanced = opener !== undefined && count(url, opener) < count(url, last);
    if (!TRAILING.has(last) && !unbalanced) return url;
    url = url.slice(0, -1);
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function normalizeDomain(domain: string): string {
  const bare = domain
    .trim()
    .toLowerCase()
    .replace(/^\*?\./, '')
    .replace(/\.$/, '');
  let host = '';
  try {
    host = new URL(`http://${bare}`).hostname;
  } catch {
    // reported below
  }
  if (host === '' || /[/@:?#\s]/.test(bare)) {
    throw new HeraldError('VALIDATION_FAILED', `Not a domain: ${domain}`, { domain });
  }
  return host;
}

function refuse(url: string, reason: LinkRejection, host?: string): HeraldError {
  return new HeraldError('LINK_NOT_ALLOWED', `Link not allowed (${reason}): ${url}`, {
    url,
    reason,
    ...(host === undefined ? {} : { host }),
  });
}
