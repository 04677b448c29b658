/**
 * Alibaba Cloud's RPC signature, version 1.0 (HMAC-SHA1), as its "Signature mechanism" pages
 * document it (https://help.aliyun.com/document_detail/28839.html,
 * https://www.alibabacloud.com/help/doc-detail/196741.htm), tested against their DescribeRegions
 * example and the SMS documentation's SendSms example:
 *
 * 1. Every request parameter except Signature, sorted by name; name and value each
 *    percent-encoded (below), joined as `name=value` with `&`: the canonicalized query.
 * 2. StringToSign = HTTP method + "&" + percentEncode("/") + "&" + percentEncode(canonicalized).
 * 3. Signature = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
 *
 * percentEncode is RFC 3986 on UTF-8: A-Z a-z 0-9 - _ . ~ stay, everything else becomes %XY in
 * upper case, a space is %20 (never +). encodeURIComponent leaves ! ' ( ) * alone, so those are
 * encoded by hand.
 */
import { createHmac } from 'node:crypto';

/**
 * @example
 *   aliyunPercentEncode('2016-02-23T12:46:24Z'); // '2016-02-23T12%3A46%3A24Z'
 *   aliyunPercentEncode("a b*c~d!'()");          // 'a%20b%2Ac~d%21%27%28%29'
 */
export function aliyunPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export type RpcParams = Readonly<Record<string, string>>;

/** Step 1: the sorted, encoded parameters (Signature left out). */
export function aliyunCanonicalQuery(params: RpcParams): string {
  return Object.keys(params)
    .filter((name) => name !== 'Signature')
    .sort()
    .map((name) => `${aliyunPercentEncode(name)}=${aliyunPercentEncode(params[name]!)}`)
    .join('&');
}

export function aliyunStringToSign(method: string, params: RpcParams): string {
  return `${method.toUpperCase()}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(aliyunCanonicalQuery(params))}`;
}

/**
 * @example
 *   aliyunRpcSignature('GET', { AccessKeyId: 'testid', Action: 'DescribeRegions', ... },
 *     'testsecret'); // 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=' (the documented example)
 */
export function aliyunRpcSignature(method: string, params: RpcParams, secret: string): string {
  return createHmac('sha1', `${secret}&`)
    .update(aliyunStringToSign(method, params), 'utf8')
    .digest('base64');
}
