/**
 * What the HTTP carriers share: the failed-result type, and how a call that got no answer is
 * reported (a timeout: the outcome is unknown; no connection: nothing was sent). Both are
 * temporary, so the dispatcher may try another route; neither detail ever holds a number.
 */
import { redactPhones } from '../core/redact.js';
import type { SendResult } from './carrier.js';

export type CarrierFailure = Extract<SendResult, { status: 'failed' }>;

/** @example transportFailure(new DOMException('x', 'TimeoutError')).errorCode // 'CARRIER_TIMEOUT' */
export function transportFailure(err: unknown): CarrierFailure {
  const error = err as Error | undefined;
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return { status: 'failed', errorCode: 'CARRIER_TIMEOUT', permanent: false };
  }
  const cause = (error?.cause as Error | undefined)?.message;
  const detail = redactPhones([error?.message, cause].filter(Boolean).join(': '));
  return { status: 'failed', errorCode: 'CARRIER_UNAVAILABLE', permanent: false, detail };
}
