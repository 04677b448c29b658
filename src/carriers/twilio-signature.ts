/**
 * X-Twilio-Signature, as Twilio documents it ("Secure webhooks",
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security): take the full URL Twilio called
 * (query string included), append every POST parameter sorted by name, each as name then value
 * with no separators, HMAC-SHA1 the result keyed with the account's auth token, base64 it.
 *
 * Every parameter takes part, known or not: Twilio adds parameters over time, and dropping one
 * we do not know would make every genuine request fail. A repeated parameter contributes each of
 * its values, sorted (as twilio-node does). Like twilio-node's validateRequest, the URL is tried
 * with and without its scheme's default port, since proxies disagree on whether Twilio's
 * `https://host/...` and `https://host:443/...` are the same URL.
 *
 * JSON-bodied webhooks carry a `bodySHA256` query parameter instead: the signature covers the URL
 * alone and the hash covers the raw body.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * @example
 *   twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', {
 *     CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234',
 *     From: '+14158675310', To: '+18005551212',
 *   }); // 'GvWf1cFY/Q7PnoempGyD5oXAezc=' (Twilio's documented example)
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = typeof value === 'string' ? [value] : [...value].sort();
    for (const item of values) data += name + item;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Equal strings, compared in time independent of where they differ (and of their lengths). */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b)) && a === b;
}

const AUTHORITY = /^(https?:\/\/)([^/?#]*@)?(\[[^\]]*\]|[^/?#:]*)(?::(\d*))?(.*)$/is;

/** The URL as given, and with its default port added or removed. */
export function urlPortVariants(url: string): string[] {
  const match = AUTHORITY.exec(url);
  if (!match) return [url];
  const [, scheme, userinfo = '', host, port, rest] = match;
  const defaultPort = scheme!.toLowerCase() === 'https://' ? '443' : '80';
  const base = `${scheme}${userinfo}${host}`;
  if (port === undefined) return [url, `${base}:${defaultPort}${rest}`];
  if (port === defaultPort) return [url, `${base}${rest}`];
  return [url];
}

/**
 * True when the signature is Twilio's for this URL and these parameters.
 *
 * @example
 *   verifyTwilioSignature(token, req.headers['x-twilio-signature'], publicUrl, formParams);
 */
export function verifyTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: TwilioParams,
): boolean {
  if (!signature) return false;
  // Every variant is computed and compared, so the time taken does not say which one matched.
  const results = urlPortVariants(url).map((candidate) =>
    constantTimeEqual(twilioSignature(authToken, candidate, params), signature),
  );
  return results.includes(true);
}

/** A JSON-bodied webhook: the URL's bodySHA256 must be the body's hash, the signature the URL's. */
export function verifyTwilioBody(
  authToken: string,
  signature: string | undefined,
  url: string,
  rawBody: string,
): boolean {
  let expected: string | null;
  try {
    expected = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  if (!expected) return false;
  const actual = createHash('sha256').update(rawBody, 'utf8').digest('hex');
  const bodyMatches = constantTimeEqual(actual, expected.toLowerCase());
  return verifyTwilioSignature(authToken, signature, url, {}) && bodyMatches;
}
