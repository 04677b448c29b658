/**
 * What a Twilio error code means for a message (https://www.twilio.com/docs/api/errors).
 *
 * Herald names the outcomes it acts on the same way for every carrier: `opted_out` (the carrier
 * holds an opt-out for the number: suppress it), `invalid_number` (the number cannot get SMS:
 * hygiene), `CARRIER_THROTTLED` (slow down), `CARRIER_UNAVAILABLE`. Every other code keeps
 * Twilio's number as `TWILIO_<code>`; the detail always carries Twilio's code and message.
 *
 * Permanent means the message itself can never go (the number, its content, the recipient's
 * wish). Account and configuration problems (credentials, sender, region permissions, A2P
 * registration) are temporary: another route may take the message, and the operator can fix
 * them while the dispatcher's bounded retries wait.
 */
import { redactPhones } from '../core/redact.js';

import type { CarrierFailure } from './transport.js';

export type { CarrierFailure };

interface TwilioErrorMeaning {
  /** Herald's name for it; absent: `TWILIO_<code>`. */
  readonly code?: string;
  readonly permanent: boolean;
}

const OPTED_OUT = { code: 'opted_out', permanent: true } as const;
const INVALID = { code: 'invalid_number', permanent: true } as const;
const THROTTLED = { code: 'CARRIER_THROTTLED', permanent: false } as const;
const UNAVAILABLE = { code: 'CARRIER_UNAVAILABLE', permanent: false } as const;
const FINAL = { permanent: true } as const;
const TEMPORARY = { permanent: false } as const;

export const TWILIO_ERRORS: Readonly<Record<number, TwilioErrorMeaning>> = {
  21610: OPTED_OUT, // the recipient replied STOP; Twilio refuses until they reply START
  21211: INVALID, // invalid 'To' phone number
  21614: INVALID, // 'To' is not a valid mobile number
  21217: INVALID, // phone number does not appear to be valid
  21401: INVALID, // invalid phone number
  21407: INVALID, // this number type does not support SMS
  21635: INVALID, // 'To' is a landline
  30005: INVALID, // unknown destination handset: the number may no longer exist
  30006: FINAL, // landline or unreachable carrier: Twilio says do not retry to that destination
  30003: TEMPORARY, // unreachable handset: off, no signal, roaming (Twilio: retry)
  30004: FINAL, // message blocked for this recipient
  30007: FINAL, // filtered as spam: the same content would be filtered again
  21602: FINAL, // body required
  21617: FINAL, // body too long
  21612: FINAL, // the 'To' number cannot be reached from this sender type
  30008: TEMPORARY, // unknown error
  30001: THROTTLED, // queue overflow
  20429: THROTTLED, // too many requests
  20500: UNAVAILABLE,
  20503: UNAVAILABLE,
  20003: TEMPORARY, // authentication: configuration
  20404: TEMPORARY, // account or service not found: configuration
  21408: TEMPORARY, // the account may not send to this region
  21606: TEMPORARY, // 'From' cannot send SMS
  21212: TEMPORARY, // invalid 'From'
  21659: TEMPORARY, // 'From' is not a Twilio number
  30002: TEMPORARY, // account suspended
  30032: TEMPORARY, // toll-free number not verified
  30034: TEMPORARY, // US A2P 10DLC: number not registered
};

/** Herald's code for a Twilio error code (send failures and receipts alike). */
export function twilioErrorCode(code: number): string {
  return TWILIO_ERRORS[code]?.code ?? `TWILIO_${code}`;
}

/**
 * A failed Messages API call as a SendResult. Unknown codes follow the HTTP status: 429 and 5xx
 * are temporary, 401/403/404 are configuration (temporary), other 4xx refused the message itself.
 *
 * @example
 *   twilioFailure(400, 21610, 'Attempt to send to unsubscribed recipient');
 *   // { status: 'failed', errorCode: 'opted_out', permanent: true, detail: 'twilio 21610: ...' }
 */
export function twilioFailure(
  httpStatus: number,
  code: number | null,
  message: string,
): CarrierFailure {
  const detail = `twilio ${code ?? `HTTP ${httpStatus}`}: ${redactPhones(message)}`.trim();
  const known = code === null ? undefined : TWILIO_ERRORS[code];
  if (known) {
    return {
      status: 'failed',
      errorCode: known.code ?? `TWILIO_${code}`,
      permanent: known.permanent,
      detail,
    };
  }
  if (httpStatus === 429) return { status: 'failed', ...codeOf(THROTTLED), detail };
  if (httpStatus >= 500) return { status: 'failed', ...codeOf(UNAVAILABLE), detail };
  const errorCode = `TWILIO_${code ?? `HTTP_${httpStatus}`}`;
  const permanent = httpStatus >= 400 && ![401, 403, 404].includes(httpStatus);
  return { status: 'failed', errorCode, permanent, detail };
}

function codeOf(meaning: { code: string; permanent: boolean }) {
  return { errorCode: meaning.code, permanent: meaning.permanent };
}
