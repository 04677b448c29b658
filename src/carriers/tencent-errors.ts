/**
 * What a Tencent Cloud SMS error code means for a message (SendSms 2021-01-11 "Error Codes";
 * https://www.tencentcloud.com/document/api/382/40536). A code arrives either for the whole call
 * (`Response.Error.Code`) or per number (`SendStatusSet[].Code`, "Ok" when accepted).
 *
 * Herald's names for the outcomes it acts on are shared by all carriers: `opted_out` (the
 * number is on Tencent's blacklist, typically after replying TD: suppress it), `invalid_number`,
 * `CARRIER_THROTTLED` (every LimitExceeded.* and RequestLimitExceeded), `CARRIER_UNAVAILABLE`
 * (InternalError.*). Others keep Tencent's code as `TENCENT_<Code>`.
 *
 * Permanent means the message itself can never go: its number, its content. Account, signature,
 * template approval and permission errors are temporary (fixable by the operator, or another
 * route takes the message); so is any code this table does not know, because calling a message
 * dead on a code we cannot read would lose it for good.
 */
import type { SendResult } from './carrier.js';
import { redactPhones } from '../core/redact.js';

type CarrierFailure = Extract<SendResult, { status: 'failed' }>;

interface TencentErrorMeaning {
  readonly code?: string;
  readonly permanent: boolean;
}

const OPTED_OUT = { code: 'opted_out', permanent: true } as const;
const INVALID = { code: 'invalid_number', permanent: true } as const;
const THROTTLED = { code: 'CARRIER_THROTTLED', permanent: false } as const;
const UNAVAILABLE = { code: 'CARRIER_UNAVAILABLE', permanent: false } as const;
const FINAL = { permanent: true } as const;
const TEMPORARY = { permanent: false } as const;

export const TENCENT_ERRORS: Readonly<Record<string, TencentErrorMeaning>> = {
  'FailedOperation.PhoneNumberInBlacklist': OPTED_OUT,
  'InvalidParameterValue.IncorrectPhoneNumber': INVALID,
  'FailedOperation.PhoneNumberParseFail': INVALID,
  'FailedOperation.ContainSensitiveWord': FINAL,
  'InvalidParameterValue.ContentLengthLimit': FINAL,
  'InvalidParameterValue.TemplateParameterFormatError': FINAL,
  'InvalidParameterValue.TemplateParameterLengthLimit': FINAL,
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter': FINAL,
  // More than 200 numbers in one call: Herald's batching never does this; the message is fine.
  'LimitExceeded.PhoneNumberCountLimit': TEMPORARY,
  // Marketing SMS may only go out 8:00-22:00 Beijing time: later is fine.
  'FailedOperation.MarketingSendTimeConstraint': TEMPORARY,
  RequestLimitExceeded: THROTTLED,
};

/** Families by prefix, for codes the table does not name. */
const FAMILIES: readonly [string, TencentErrorMeaning][] = [
  ['LimitExceeded.', THROTTLED],
  ['InternalError.', UNAVAILABLE],
];

function meaningOf(code: string): TencentErrorMeaning {
  return (
    TENCENT_ERRORS[code] ?? FAMILIES.find(([prefix]) => code.startsWith(prefix))?.[1] ?? TEMPORARY
  );
}

/** Herald's code for a Tencent error code (send failures). */
export function tencentErrorCode(code: string): string {
  return meaningOf(code).code ?? `TENCENT_${code}`;
}

/**
 * @example
 *   tencentFailure('FailedOperation.PhoneNumberInBlacklist', 'phone number in blacklist');
 *   // { status: 'failed', errorCode: 'opted_out', permanent: true, detail: 'tencent ...' }
 */
export function tencentFailure(code: string, message: string): CarrierFailure {
  const meaning = meaningOf(code);
  return {
    status: 'failed',
    errorCode: meaning.code ?? `TENCENT_${code}`,
    permanent: meaning.permanent,
    detail: `tencent ${code}: ${redactPhones(message)}`.trim(),
  };
}
