/**
 * TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature, step by step as the "Signature v3"
 * page of every product's API documentation describes it (the same text for all products, e.g.
 * https://tencentcloud.com/document/api/266/34114), tested against that page's worked example:
 *
 * 1. CanonicalRequest = method, URI "/", query ("" for POST), canonical headers (lower-case
 *    `name:value\n`, sorted; at least content-type and host), the signed header names joined by
 *    ";", and the hex SHA-256 of the payload, one per line.
 * 2. StringToSign = "TC3-HMAC-SHA256", the timestamp, the credential scope
 *    `<UTC date>/<service>/tc3_request` and the hex SHA-256 of the canonical request.
 * 3. The key is derived: HMAC("TC3" + SecretKey, date) -> HMAC(·, service) -> HMAC(·,
 *    "tc3_request"); the signature is the hex HMAC of the string to sign under it.
 * 4. Authorization = `TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=<names>,
 *    Signature=<hex>`.
 *
 * The date is the UTC date of the timestamp: a local date breaks every call made around
 * midnight, which is the mistake the documentation warns about.
 */
import { createHash, createHmac } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
export const TENCENT_JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface Tc3Input {
  readonly secretId: string;
  readonly secretKey: string;
  /** The product, as in its domain: `sms` for sms.tencentcloudapi.com. */
  readonly service: string;
  /** The Host header the request goes out with. */
  readonly host: string;
  /** Unix seconds; the X-TC-Timestamp header. */
  readonly timestamp: number;
  readonly payload: string;
  readonly method?: 'POST' | 'GET';
  readonly query?: string;
  readonly contentType?: string;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** The UTC calendar date of a Unix timestamp, YYYY-MM-DD. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function tc3CanonicalRequest(input: Tc3Input): string {
  const headers = [
    ['content-type', input.contentType ?? TENCENT_JSON_CONTENT_TYPE],
    ['host', input.host],
  ];
  const canonicalHeaders = headers.map(([k, v]) => `${k}:${v!.trim().toLowerCase()}\n`).join('');
  return [
    input.method ?? 'POST',
    '/',
    input.query ?? '',
    canonicalHeaders,
    headers.map(([k]) => k).join(';'),
    sha256Hex(input.payload),
  ].join('\n');
}

export function tc3StringToSign(input: Tc3Input): string {
  const scope = `${tc3Date(input.timestamp)}/${input.service}/tc3_request`;
  return [
    TC3_ALGORITHM,
    String(input.timestamp),
    scope,
    sha256Hex(tc3CanonicalRequest(input)),
  ].join('\n');
}

/** The hex signature (step 3). */
export function tc3Signature(input: Tc3Input): string {
  const secretDate = hmac(`TC3${input.secretKey}`, tc3Date(input.timestamp));
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  return createHmac('sha256', secretSigning).update(tc3StringToSign(input), 'utf8').digest('hex');
}

/**
 * The Authorization header.
 *
 * @example
 *   tc3Authorization({ secretId, secretKey, service: 'sms', host: 'sms.tencentcloudapi.com',
 *     timestamp: 1551113065, payload: '{"PhoneNumberSet":["+8613912345678"],...}' });
 *   // 'TC3-HMAC-SHA256 Credential=AKID.../2019-02-25/sms/tc3_request,
 *   //  SignedHeaders=content-type;host, Signature=...'
 */
export function tc3Authorization(input: Tc3Input): string {
  const scope = `${tc3Date(input.timestamp)}/${input.service}/tc3_request`;
  return (
    `${TC3_ALGORITHM} Credential=${input.secretId}/${scope}, ` +
    `SignedHeaders=content-type;host, Signature=${tc3Signature(input)}`
  );
}
