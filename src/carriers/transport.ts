/**
 * What the HTTP carriers share: the failed-result type, and how a call that got no answer is
 * reported (a timeout: the outcome is unknown; no connection: nothing was sent). Both are
 * temporary, so the dispatcher may try another route; neither detail ever holds a number.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HeraldError } from '../core/errors.js';
import { checkOutboundUrl } from '../core/outbound-address.js';
import { redactPhones } from '../core/redact.js';
import type { CarrierRequest, SendResult } from './carrier.js';

export type CarrierFailure = Extract<SendResult, { status: 'failed' }>;

/** @example transportFailure(new DOMException('x', 'TimeoutError')).errorCode // 'CARRIER_TIMEOUT' */
export function transportFailure(err: unknown): CarrierFailure {
  const error = err as Error | undefined;
  if (error?.name === 'OutboundRefusedError') {
    // The carrier's URL leads to an address the SSRF rules refuse: nothing was sent.
    return {
      status: 'failed',
      errorCode: 'CARRIER_ADDRESS_REFUSED',
      permanent: false,
      detail: error.message,
    };
  }
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return { status: 'failed', errorCode: 'CARRIER_TIMEOUT', permanent: false };
  }
  const cause = (error?.cause as Error | undefined)?.message;
  const detail = redactPhones([error?.message, cause].filter(Boolean).join(': '));
  return { status: 'failed', errorCode: 'CARRIER_UNAVAILABLE', permanent: false, detail };
}

/**
 * A carrier's API URL must be one Herald may call (issue 8's SSRF rules, the admin's allowed
 * hosts included); a carrier configured otherwise does not start.
 *
 * @example requireCallableUrl('twilio', 'http://169.254.169.254/', []) // throws
 */
export function requireCallableUrl(
  carrier: string,
  url: string,
  allowedHosts: readonly string[],
): void {
  const checked = checkOutboundUrl(url, allowedHosts);
  if (!checked.ok) {
    const range = checked.range ? ` (${checked.range})` : '';
    throw new Error(`${carrier}: the API URL is refused: ${checked.problem}${range}`);
  }
}

/** Constant-time comparison of two secrets of any length (hashing first equalises lengths). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * For carriers that do not sign their callbacks (Tencent, Alibaba): throws FORBIDDEN unless the
 * callback URL carries exactly one `param` equal to the configured token.
 */
export function checkCallbackToken(
  carrier: string,
  request: CarrierRequest,
  token: string | undefined,
  param = 'token',
): void {
  let given: string[] = [];
  try {
    given = new URL(request.url).searchParams.getAll(param);
  } catch {
    // not a URL: refused below
  }
  if (!token) throw new HeraldError('FORBIDDEN', `${carrier} callbacks are not configured`);
  if (given.length !== 1 || !sameSecret(given[0]!, token)) {
    throw new HeraldError('FORBIDDEN', `${carrier} callback without the right token`);
  }
}
