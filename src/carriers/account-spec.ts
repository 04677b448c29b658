/**
 * A carrier account as an admin writes it (in `/v1/carriers` or in `HERALD_CARRIERS`): a name
 * (the registry's and the webhook URLs'), a type, settings in clear and secrets that Herald
 * stores encrypted and never shows again. One schema per type says what each needs; a missing
 * credential, an unknown type or a base URL that is not http(s) is refused with a clear error.
 *
 *   { "name": "twilio-us", "type": "twilio",
 *     "settings": { "accountSid": "AC...", "from": "+14155550100",
 *                   "senders": { "marketing": "+14155550101" } },
 *     "secrets": { "authToken": "..." } }
 */
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { HeraldError } from '../core/errors.js';
import { PURPOSES } from '../core/policy/purposes.js';

export const CARRIER_TYPES = ['simulator', 'smpp', 'twilio', 'tencent', 'aliyun'] as const;
export type CarrierType = (typeof CARRIER_TYPES)[number];

/** Lower-case letters, digits, `-` and `_`: the name goes into webhook URLs as it is. */
export const CARRIER_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,39}$';

const Text = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const BaseUrl = Type.String({ minLength: 1, maxLength: 500, description: 'http(s) URL' });
const Senders = Type.Object(Object.fromEntries(PURPOSES.map((p) => [p, Type.Optional(Text(32))])), {
  additionalProperties: false,
  description: 'sender id / sign name per purpose, where the route names none',
});
const common = {
  senders: Type.Optional(Senders),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
};
const strict = { additionalProperties: false } as const;

/** What each type takes: its settings schema, and which secrets it needs or may have. */
export const CARRIER_KINDS: Readonly<
  Record<
    CarrierType,
    {
      readonly settings: TSchema;
      readonly secrets: readonly string[];
      readonly requiredSecrets: readonly string[];
      readonly urlSettings: readonly string[];
    }
  >
> = {
  simulator: {
    settings: Type.Object(
      {
        senders: Type.Optional(Senders),
        deliveryRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        submitFailureRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        receipts: Type.Optional(Type.Boolean()),
      },
      strict,
    ),
    secrets: [],
    requiredSecrets: [],
    urlSettings: [],
  },
  smpp: {
    settings: Type.Object(
      {
        senders: Type.Optional(Senders),
        host: Text(255),
        port: Type.Integer({ minimum: 1, maximum: 65535 }),
        systemId: Text(16),
        systemType: Type.Optional(Type.String({ maxLength: 13 })),
        serviceType: Type.Optional(Type.String({ maxLength: 6 })),
        defaultSender: Type.Optional(Type.String({ maxLength: 21 })),
        window: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        maxPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        enquireLinkMs: Type.Optional(Type.Integer({ minimum: 1000 })),
        responseTimeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
      },
      strict,
    ),
    secrets: ['password'],
    requiredSecrets: ['password'],
    urlSettings: [],
  },
  twilio: {
    settings: Type.Object(
      {
        ...common,
        accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }),
        from: Type.Optional(Text(32)),
        messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' })),
        baseUrl: Type.Optional(BaseUrl),
        /** Ask Twilio for status callbacks at Herald's own URL (default true). */
        statusCallback: Type.Optional(Type.Boolean()),
      },
      strict,
    ),
    secrets: ['authToken'],
    requiredSecrets: ['authToken'],
    urlSettings: ['baseUrl'],
  },
  tencent: {
    settings: Type.Object(
      {
        ...common,
        secretId: Text(100),
        region: Text(50),
        sdkAppId: Text(20),
        signName: Text(50),
        templateMap: Type.Record(
          Type.String(),
          Type.Object(
            { templateId: Text(20), params: Type.Array(Text(64), { maxItems: 20 }) },
            strict,
          ),
        ),
        endpoint: Type.Optional(BaseUrl),
      },
      strict,
    ),
    secrets: ['secretKey', 'callbackToken'],
    requiredSecrets: ['secretKey'],
    urlSettings: ['endpoint'],
  },
  aliyun: {
    settings: Type.Object(
      {
        ...common,
        accessKeyId: Text(100),
        signName: Text(50),
        templateMap: Type.Record(
          Type.String(),
          Type.Object(
            { templateCode: Text(30), params: Type.Record(Type.String(), Text(64)) },
            strict,
          ),
        ),
        endpoint: Type.Optional(BaseUrl),
        regionId: Type.Optional(Text(50)),
      },
      strict,
    ),
    secrets: ['accessKeySecret', 'callbackToken'],
    requiredSecrets: ['accessKeySecret'],
    urlSettings: ['endpoint'],
  },
};

/** A checked account: what the registry builds a carrier from. */
export interface CarrierAccountSpec {
  readonly name: string;
  readonly type: CarrierType;
  readonly enabled: boolean;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secrets: Readonly<Record<string, string>>;
}

export function isCarrierType(value: unknown): value is CarrierType {
  return typeof value === 'string' && (CARRIER_TYPES as readonly string[]).includes(value);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks an account and returns it frozen, or throws CARRIER_TYPE_UNKNOWN,
 * CARRIER_CREDENTIAL_MISSING or CARRIER_SETTINGS_INVALID naming the field.
 *
 * @example
 *   checkCarrierAccount({ name: 'tw', type: 'twilio', settings: { accountSid: 'AC…', from: '+1…' } });
 *   // throws CARRIER_CREDENTIAL_MISSING: twilio needs the secret authToken
 */
export function checkCarrierAccount(input: {
  readonly name: unknown;
  readonly type: unknown;
  readonly enabled?: unknown;
  readonly settings?: unknown;
  readonly secrets?: unknown;
}): CarrierAccountSpec {
  const { name, type } = input;
  if (typeof name !== 'string' || !new RegExp(CARRIER_NAME_PATTERN).test(name)) {
    throw new HeraldError(
      'CARRIER_SETTINGS_INVALID',
      'name must be 1-40 lower-case letters, digits, - or _, starting with a letter',
      [{ path: '/name' }],
    );
  }
  if (!isCarrierType(type)) {
    throw new HeraldError(
      'CARRIER_TYPE_UNKNOWN',
      `Unknown carrier type ${JSON.stringify(type)}; known: ${CARRIER_TYPES.join(', ')}`,
      { types: CARRIER_TYPES },
    );
  }
  const kind = CARRIER_KINDS[type];
  const settings = input.settings ?? {};
  const secrets = input.secrets ?? {};
  if (!isObject(settings) || !isObject(secrets)) {
    throw new HeraldError('CARRIER_SETTINGS_INVALID', 'settings and secrets must be objects');
  }
  const problems = [...Value.Errors(kind.settings, settings)].map((e) => ({
    path: `/settings${e.instancePath}`,
    message: e.message,
  }));
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new HeraldError(
      'CARRIER_SETTINGS_INVALID',
      `${type} settings: ${first.path} ${first.message}`,
      problems,
    );
  }
  for (const field of kind.urlSettings) {
    if (settings[field] !== undefined && !isHttpUrl(settings[field])) {
      throw new HeraldError(
        'CARRIER_SETTINGS_INVALID',
        `${type} settings: ${field} must be an http:// or https:// URL`,
        [{ path: `/settings/${field}` }],
      );
    }
  }
  if (type === 'twilio' && !settings.from && !settings.messagingServiceSid) {
    throw new HeraldError(
      'CARRIER_SETTINGS_INVALID',
      'twilio settings: a from number or a messagingServiceSid is required',
      [{ path: '/settings/from' }],
    );
  }
  for (const [field, value] of Object.entries(secrets)) {
    if (!kind.secrets.includes(field)) {
      throw new HeraldError(
        'CARRIER_SETTINGS_INVALID',
        `${type} takes no secret ${field}` +
          (kind.secrets.length ? ` (its secrets: ${kind.secrets.join(', ')})` : ''),
        [{ path: `/secrets/${field}` }],
      );
    }
    if (typeof value !== 'string' || value.length === 0 || value.length > 500) {
      throw new HeraldError(
        'CARRIER_SETTINGS_INVALID',
        `secret ${field} must be a string of 1 to 500 characters`,
        [{ path: `/secrets/${field}` }],
      );
    }
  }
  for (const field of kind.requiredSecrets) {
    if (secrets[field] === undefined) {
      throw new HeraldError('CARRIER_CREDENTIAL_MISSING', `${type} needs the secret ${field}`, {
        field,
      });
    }
  }
  return Object.freeze({
    name,
    type,
    enabled: input.enabled === undefined ? true : input.enabled === true,
    settings: Object.freeze(structuredClone(settings)),
    secrets: Object.freeze({ ...(secrets as Record<string, string>) }),
  });
}

/** `{ authToken: 'set', callbackToken: 'not set' }`: what the API shows of the secrets. */
export function secretStates(
  type: CarrierType,
  secrets: Readonly<Record<string, string>>,
): Record<string, 'set' | 'not set'> {
  return Object.fromEntries(
    CARRIER_KINDS[type].secrets.map((field) => [field, secrets[field] ? 'set' : 'not set']),
  );
}
