/**
 * The one error registry. Every error Herald reports has a stable code from this table; the
 * domain throws `HeraldError`, and the HTTP layer maps `status` in one place (src/api/errors.ts).
 * The CLI and the worker use the same codes, so nothing below the API depends on HTTP.
 *
 * @example
 *   throw new HeraldError('CONTACT_INVALID_NUMBER', 'Not a valid phone number', { row: 12 });
 */
export const ERROR_REGISTRY = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid' },
  BAD_REQUEST: { status: 400, message: 'The request cannot be processed' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, message: 'Invalid user name or password' },
  FORBIDDEN: { status: 403, message: 'You do not have permission for this action' },
  CSRF_TOKEN_INVALID: { status: 403, message: 'Missing or invalid CSRF token' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'The resource already exists' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    message: 'This Idempotency-Key was used for a different request',
  },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  DESTINATION_NOT_ALLOWED: {
    status: 403,
    message: 'Messages of this kind are not sent to this country',
  },
  SEND_LIMIT_REACHED: {
    status: 429,
    message: 'Too many messages of this kind were asked for; try again later',
  },
  LOGIN_LOCKED: {
    status: 429,
    message: 'Too many failed sign-ins; wait before trying again',
  },
  PASSWORD_TOO_WEAK: { status: 400, message: 'The password does not meet the password rules' },
  CURRENT_PASSWORD_WRONG: { status: 400, message: 'The current password is not right' },
  APIKEY_NOT_ACTIVE: { status: 404, message: 'No such active API key' },
  USER_EXISTS: { status: 409, message: 'A user with this name already exists' },
  CONTACT_INVALID_NUMBER: { status: 400, message: 'Not a valid phone number' },
  CONTACT_EXISTS: { status: 409, message: 'A contact with this number already exists' },
  CONTACT_SUPPRESSED: { status: 409, message: 'This number is suppressed' },
  ATTRIBUTE_INVALID: { status: 400, message: 'An attribute does not match its declared type' },
  CONSENT_BASIS_MISSING: { status: 400, message: 'A consent basis is required' },
  IMPORT_NOT_FOUND: { status: 404, message: 'No such import' },
  IMPORT_FILE_INVALID: { status: 400, message: 'The file cannot be imported' },
  IMPORT_CONFLICT: { status: 409, message: 'The import cannot run in its current state' },
  TEMPLATE_INVALID: { status: 400, message: 'The template cannot be parsed' },
  TEMPLATE_UNKNOWN_VARIABLE: { status: 400, message: 'The template uses an unknown variable' },
  TEMPLATE_VARIABLE_MISSING: {
    status: 422,
    message: 'A template variable has no value for this recipient',
  },
  CONTENT_NONCOMPLIANT: { status: 422, message: 'The content breaks the policy' },
  LINK_NOT_ALLOWED: { status: 400, message: 'The link target is not on an allowed domain' },
  OUTBOUND_ADDRESS_REFUSED: {
    status: 400,
    message:
      'Herald does not call loopback, private, link-local or metadata addresses unless an admin allows the host (HERALD_OUTBOUND_ALLOW_HOSTS)',
  },
  POLICY_UNKNOWN: { status: 400, message: 'Unknown policy pack' },
  CARRIER_TYPE_UNKNOWN: { status: 400, message: 'Unknown carrier type' },
  CARRIER_CREDENTIAL_MISSING: { status: 400, message: 'A carrier credential is missing' },
  CARRIER_SETTINGS_INVALID: { status: 400, message: 'The carrier settings are not valid' },
  CARRIER_NOT_FOUND: { status: 404, message: 'No such carrier' },
  CARRIER_EXISTS: { status: 409, message: 'A carrier with this name already exists' },
  SEGMENT_INVALID: { status: 400, message: 'The segment filter is not valid' },
  SEGMENT_CYCLE: { status: 400, message: 'The segment would refer to itself' },
  SEGMENT_NOT_FOUND: { status: 404, message: 'No such segment' },
  SEGMENT_EXISTS: { status: 409, message: 'A segment with this name already exists' },
  SEGMENT_IN_USE: { status: 409, message: 'Another segment refers to this segment' },
  CONVERSION_CONFLICT: {
    status: 409,
    message: 'This order id was already reported with different details',
  },
  REPORT_PERIOD_INVALID: { status: 400, message: 'The report period is not valid' },
  CAMPAIGN_NOT_FOUND: { status: 404, message: 'No such campaign' },
  CAMPAIGN_INVALID: { status: 400, message: 'The campaign is not valid' },
  CAMPAIGN_NOT_EDITABLE: { status: 409, message: 'Only a draft campaign can be changed' },
  CAMPAIGN_INVALID_TRANSITION: {
    status: 409,
    message: 'The campaign cannot take this step in its current state',
  },
  CAMPAIGN_SELF_APPROVAL: {
    status: 403,
    message: 'A campaign is approved by someone other than its author',
  },
  CARRIER_TIMEOUT: { status: 504, message: 'The carrier did not answer in time' },
  CARRIER_REJECTED: { status: 502, message: 'The carrier rejected the message' },
  KEY_UNKNOWN: { status: 500, message: 'Unknown encryption key' },
  AUDIT_CHAIN_BROKEN: { status: 500, message: 'The audit chain is broken' },
  INTERNAL: { status: 500, message: 'Internal error' },
  UNAVAILABLE: { status: 503, message: 'The service is not ready' },
} as const;

export type ErrorCode = keyof typeof ERROR_REGISTRY;
export const ERROR_CODES = Object.keys(ERROR_REGISTRY) as ErrorCode[];

export class HeraldError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_REGISTRY[code].message);
    this.name = 'HeraldError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_REGISTRY[this.code].status;
  }
}

export function isHeraldError(value: unknown): value is HeraldError {
  return value instanceof HeraldError;
}
