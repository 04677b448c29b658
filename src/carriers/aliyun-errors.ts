/**
 * What an Alibaba Cloud SMS (Dysmsapi) error code means for a message ("Error codes",
 * https://alibabacloud.com/help/en/sms/developer-reference/error-codes). SendSms answers
 * `Code: "OK"` or an error code for the whole call.
 *
 * Herald's names for the outcomes it acts on are shared by all carriers: `invalid_number`,
 * `CARRIER_THROTTLED` (isv.BUSINESS_LIMIT_CONTROL is the per-number frequency limit, minute,
 * hour and day; isv.DAY_LIMIT_CONTROL the account's daily cap; Throttling.*),
 * `CARRIER_UNAVAILABLE` (isp.SYSTEM_ERROR and the like). Others keep Alibaba's code as
 * `ALIYUN_<Code>`. Alibaba names no opt-out code at submission; opt-outs show in receipts.
 *
 * Permanent means the message itself can never go: its number or its content (a blocked keyword
 * in a variable, illegal content, a missing or too long variable). Account, signature, template
 * and permission errors (isv.DENY_IP_RANGE: the calling IP's region is banned) are temporary, as
 * is any code this table does not know.
 */
import type { SendResult } from './carrier.js';
import { redactPhones } from '../core/redact.js';

type CarrierFailure = Extract<SendResult, { status: 'failed' }>;

interface AliyunErrorMeaning {
  readonly code?: string;
  readonly permanent: boolean;
}

const INVALID = { code: 'invalid_number', permanent: true } as const;
const THROTTLED = { code: 'CARRIER_THROTTLED', permanent: false } as const;
const UNAVAILABLE = { code: 'CARRIER_UNAVAILABLE', permanent: false } as const;
const FINAL = { permanent: true } as const;
const TEMPORARY = { permanent: false } as const;

export const ALIYUN_ERRORS: Readonly<Record<string, AliyunErrorMeaning>> = {
  'isv.MOBILE_NUMBER_ILLEGAL': INVALID,
  'isv.BUSINESS_LIMIT_CONTROL': THROTTLED,
  'isv.DAY_LIMIT_CONTROL': THROTTLED,
  'isv.BLACK_KEY_CONTROL_LIMIT': FINAL, // a variable holds a blocked keyword (or a URL)
  'isv.SMS_CONTENT_ILLEGAL': FINAL,
  'isv.PARAM_LENGTH_LIMIT': FINAL,
  'isv.PARAM_NOT_SUPPORT_URL': FINAL,
  'isv.TEMPLATE_MISSING_PARAMETERS': FINAL,
  'isv.INVALID_JSON_PARAM': FINAL,
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED': FINAL, // an international template to a mainland number
  'isv.DENY_IP_RANGE': TEMPORARY,
  'isv.OUT_OF_SERVICE': TEMPORARY, // account in arrears
  'isv.AMOUNT_NOT_ENOUGH': TEMPORARY,
  'isv.SMS_SIGNATURE_ILLEGAL': TEMPORARY,
  'isv.SMS_TEMPLATE_ILLEGAL': TEMPORARY,
  'isp.SYSTEM_ERROR': UNAVAILABLE,
  'isp.GATEWAY_ERROR': UNAVAILABLE,
  ServiceUnavailable: UNAVAILABLE,
  InternalError: UNAVAILABLE,
};

const FAMILIES: readonly [string, AliyunErrorMeaning][] = [['Throttling', THROTTLED]];

function meaningOf(code: string): AliyunErrorMeaning {
  return (
    ALIYUN_ERRORS[code] ?? FAMILIES.find(([prefix]) => code.startsWith(prefix))?.[1] ?? TEMPORARY
  );
}

/**
 * @example
 *   aliyunFailure('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
 *   // { status: 'failed', errorCode: 'invalid_number', permanent: true, detail: 'aliyun ...' }
 */
export function aliyunFailure(code: string, message: string): CarrierFailure {
  const meaning = meaningOf(code);
  return {
    status: 'failed',
    errorCode: meaning.code ?? `ALIYUN_${code}`,
    permanent: meaning.permanent,
    detail: `aliyun ${code}: ${redactPhones(message)}`.trim(),
  };
}
