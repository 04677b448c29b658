/**
 * Configuration: read and validated once at start-up, from the environment and an optional JSON
 * config file (`HERALD_CONFIG`, or `herald.config.json` in the data folder). Nothing below
 * start-up reads `process.env`; the frozen `Config` is passed down as typed pieces.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { normaliseRouting, RoutingSchema, type RoutingConfig } from './delivery/routing-config.js';
import { normalisePumping, PumpingSchema } from './abuse/pumping-config.js';
import type { PumpingLimits } from './core/pumping.js';
import { checkCarrierAccount, type CarrierAccountSpec } from './carriers/account-spec.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String()),
  HERALD_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  HERALD_PUBLIC_URL: Type.Optional(Type.String()),
  HERALD_MASTER_KEY: Type.Optional(Type.String()),
  LOG_LEVEL: Type.Union(
    LOG_LEVELS.map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  HERALD_SESSION_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 12 }),
  HERALD_LOGIN_MAX_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 10_000, default: 10 }),
  HERALD_SESSION_IDLE_MINUTES: Type.Integer({ minimum: 1, maximum: 24 * 60 * 90, default: 60 }),
  HERALD_LOGIN_LOCK_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
  HERALD_LOGIN_LOCK_MINUTES: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 15 }),
  HERALD_LOGIN_IP_FAILURES: Type.Integer({ minimum: 1, maximum: 100_000, default: 30 }),
  HERALD_PG_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  HERALD_DOI_WINDOW_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 30, default: 48 }),
  HERALD_SUBSCRIBE_MAX_PER_IP_HOUR: Type.Integer({ minimum: 1, maximum: 100_000, default: 20 }),
  HERALD_SUBSCRIBE_MAX_PER_NUMBER_DAY: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
  HERALD_RETENTION_MESSAGE_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 400 }),
  HERALD_RETENTION_EVENT_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 730 }),
  HERALD_HARD_BOUNCE_LIMIT: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
  HERALD_REPERMISSION_DAYS: Type.Integer({ minimum: 30, maximum: 3650, default: 540 }),
  // Conversions: how long after a click on a campaign link an order is credited to it.
  HERALD_ATTRIBUTION_WINDOW_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 168 }),
  HERALD_DEFAULT_COUNTRY: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  HERALD_LINK_DOMAINS: Type.String({ default: '' }),
  HERALD_OUTBOUND_ALLOW_HOSTS: Type.String({ default: '' }),
  // Carrier routes and rate limits (src/delivery/routing-config.ts); a JSON string in the env.
  HERALD_ROUTING: Type.Optional(RoutingSchema),
  // SMS pumping limits (src/abuse/pumping-config.ts); a JSON string in the env.
  HERALD_PUMPING: Type.Optional(PumpingSchema),
  // Carrier accounts (src/carriers/account-spec.ts), besides those stored through /v1/carriers.
  HERALD_CARRIERS: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
  // How long a worker's claim on a message holds: a crashed worker's messages wait this long.
  HERALD_DISPATCH_LEASE_SECONDS: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
  // Imports: an upload's run silent this long is taken as dead and resumed (recovery.ts).
  HERALD_IMPORT_STALE_SECONDS: Type.Integer({ minimum: 10, maximum: 86_400, default: 120 }),
  // Imports: a failed upload's file (numbers in clear) is kept this long for a resume.
  HERALD_IMPORT_KEEP_FAILED_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 7 }),
  // How long a delivery receipt that matches no message is kept for its message to appear.
  HERALD_RECEIPT_HOLD_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 7 }),
  // Campaigns: a second person approves marketing campaigns unless this is `off`.
  HERALD_CAMPAIGN_APPROVAL: Type.Union([Type.Literal('required'), Type.Literal('off')], {
    default: 'required',
  }),
  // Price per SMS segment by country (ISO alpha-2) and `default`, for campaign budgets (JSON).
  HERALD_SMS_PRICES: Type.Optional(
    Type.Record(Type.String({ pattern: '^([A-Z]{2}|default)$' }), Type.Number({ minimum: 0 })),
  ),
});
type RawConfig = Static<typeof ConfigSchema>;

export type DatabaseConfig =
  | { readonly dialect: 'sqlite'; readonly file: string }
  | { readonly dialect: 'postgres'; readonly url: string; readonly poolSize: number };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly publicUrl: string;
  readonly masterKey: string | undefined;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly database: DatabaseConfig;
  readonly sessionTtlHours: number;
  readonly loginMaxPerMinute: number;
  /** A console session unused this long ends (its absolute limit is sessionTtlHours). */
  readonly sessionIdleMinutes: number;
  readonly importStaleSeconds: number;
  readonly importKeepFailedDays: number;
  /** Failed sign-ins per name (and per address) within loginLockMinutes before refusing. */
  readonly loginLockFailures: number;
  readonly loginLockMinutes: number;
  readonly loginIpFailures: number;
  /** Double opt-in: how long a confirmation stays open. */
  readonly doiWindowHours: number;
  readonly subscribeMaxPerIpHour: number;
  readonly subscribeMaxPerNumberDay: number;
  /** Retention: message bodies and behaviour events older than this are deleted. */
  readonly retentionMessageDays: number;
  readonly retentionEventDays: number;
  /** Hygiene: permanent delivery failures after which a number is invalid and suppressed. */
  readonly hardBounceLimit: number;
  /** Hygiene: marketing consent older than this without engagement is flagged for re-permission. */
  readonly repermissionDays: number;
  /** Hours after a campaign link click during which an order is attributed to it. */
  readonly attributionWindowHours: number;
  /** Country assumed for numbers written without a country code, if any. */
  readonly defaultCountry: string | undefined;
  /** Domains (and their subdomains) that tracked links may point to. */
  readonly linkDomains: readonly string[];
  /** Routes per purpose and country, rate limits per carrier and sender. */
  readonly routing: RoutingConfig;
  /** Hosts outbound calls may reach whatever their address (loopback, private: on purpose). */
  readonly outboundAllowHosts: readonly string[];
  /** SMS pumping defence: limits, bursts, spend cap and prices for sends strangers cause. */
  readonly pumping: PumpingLimits;
  /** Carrier accounts from the configuration (HERALD_CARRIERS), checked. */
  readonly carriers: readonly CarrierAccountSpec[];
  /** How long a claim holds before another worker may take the message over. */
  readonly dispatchLeaseMs: number;
  /** A receipt that matches no message is held this long, then dropped (held-receipts.ts). */
  readonly receiptHoldDays: number;
  /** Marketing campaigns need a second person's approval. */
  readonly campaignApproval: boolean;
  /** Price per SMS segment by country and `default` (campaign budgets). */
  readonly smsPrices: Readonly<Record<string, number>>;
}

/** A configuration problem, reported as one line that names the key. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`config: ${key} ${message}`);
    this.name = 'ConfigError';
  }
}

const KEYS = Object.keys(ConfigSchema.properties);
const MASTER_KEY_PATTERN = /^(base64:[A-Za-z0-9+/]{43}=|[0-9a-fA-F]{64})$/;

function readFileConfig(env: Record<string, string | undefined>): Record<string, unknown> {
  const explicit = env.HERALD_CONFIG;
  const file = explicit ?? path.join(env.HERALD_DATA_DIR ?? './data', 'herald.config.json');
  if (!existsSync(file)) {
    if (explicit)
      throw new ConfigError('HERALD_CONFIG', `names a file that does not exist: ${file}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('not an object');
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(
      'HERALD_CONFIG',
      `is not a JSON object (${file}: ${(err as Error).message})`,
    );
  }
}

function parseDatabase(raw: RawConfig, dataDir: string): DatabaseConfig {
  const url = raw.DATABASE_URL?.trim();
  if (!url) return { dialect: 'sqlite', file: path.join(dataDir, 'herald.db') };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      'DATABASE_URL',
      'must be a postgres://user@host:port/database URL or absent for the embedded SQLite store',
    );
  }
  if (parsed.protocol === 'sqlite:') {
    return { dialect: 'sqlite', file: path.resolve(decodeURIComponent(parsed.pathname)) };
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(
      'DATABASE_URL',
      `has the unsupported scheme "${parsed.protocol}"; use postgres:// (or leave it unset for SQLite)`,
    );
  }
  if (!parsed.hostname && !parsed.searchParams.get('host')) {
    throw new ConfigError('DATABASE_URL', 'names no host');
  }
  return { dialect: 'postgres', url, poolSize: raw.HERALD_PG_POOL_SIZE };
}

function parsePumping(raw: RawConfig): PumpingLimits {
  try {
    return normalisePumping(raw.HERALD_PUMPING, {
      perIpHour: raw.HERALD_SUBSCRIBE_MAX_PER_IP_HOUR,
      perNumberDay: raw.HERALD_SUBSCRIBE_MAX_PER_NUMBER_DAY,
    });
  } catch (err) {
    throw new ConfigError('HERALD_PUMPING', (err as Error).message);
  }
}

function checkCarriers(input: readonly Record<string, unknown>[]): CarrierAccountSpec[] {
  const seen = new Set<string>();
  return input.map((account, i) => {
    let spec: CarrierAccountSpec;
    try {
      spec = checkCarrierAccount({
        name: account.name,
        type: account.type,
        enabled: account.enabled,
        settings: account.settings,
        secrets: account.secrets,
      });
    } catch (err) {
      throw new ConfigError(`HERALD_CARRIERS/${i}`, (err as Error).message);
    }
    if (spec.name === 'simulator' || seen.has(spec.name)) {
      const why = spec.name === 'simulator' ? 'is the built-in simulator’s' : 'is taken twice';
      throw new ConfigError(`HERALD_CARRIERS/${i}`, `name ${spec.name} ${why}`);
    }
    seen.add(spec.name);
    return spec;
  });
}

/**
 * Validates the environment (and config file) into a frozen Config, or throws ConfigError.
 * Environment values win over the config file.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const fromFile = readFileConfig(env);
  const merged: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = env[key] !== undefined && env[key] !== '' ? env[key] : fromFile[key];
    if (value !== undefined) merged[key] = value;
  }
  for (const key of [
    'HERALD_PUMPING',
    'HERALD_CARRIERS',
    'HERALD_ROUTING',
    'HERALD_SMS_PRICES',
  ] as const) {
    if (typeof merged[key] !== 'string') continue;
    try {
      merged[key] = JSON.parse(merged[key]) as unknown;
    } catch {
      throw new ConfigError(key, 'is not valid JSON');
    }
  }
  const withDefaults = Value.Default(ConfigSchema, merged);
  const converted = Value.Convert(ConfigSchema, withDefaults);
  const first = [...Value.Errors(ConfigSchema, converted)][0];
  if (first) {
    const key = first.instancePath.replace(/^\//, '') || 'config';
    const got = (merged as Record<string, unknown>)[key];
    // A key nested in a section (HERALD_ROUTING) that the section does not know.
    const message = first.message === 'schema is false' ? 'is not a known key' : first.message;
    throw new ConfigError(
      key,
      `${message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`,
    );
  }
  const raw = converted as RawConfig;
  if (raw.HERALD_MASTER_KEY !== undefined && !MASTER_KEY_PATTERN.test(raw.HERALD_MASTER_KEY)) {
    throw new ConfigError(
      'HERALD_MASTER_KEY',
      'must be 32 bytes as 64 hex digits or "base64:" followed by 44 base64 characters',
    );
  }
  const dataDir = path.resolve(raw.HERALD_DATA_DIR);
  const publicUrl = (raw.HERALD_PUBLIC_URL ?? `http://${raw.HOST}:${raw.PORT}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError('HERALD_PUBLIC_URL', 'must be an http(s) URL');
  }
  return Object.freeze({
    port: raw.PORT,
    host: raw.HOST,
    dataDir,
    publicUrl,
    masterKey: raw.HERALD_MASTER_KEY,
    logLevel: raw.LOG_LEVEL,
    database: Object.freeze(parseDatabase(raw, dataDir)),
    sessionTtlHours: raw.HERALD_SESSION_TTL_HOURS,
    loginMaxPerMinute: raw.HERALD_LOGIN_MAX_PER_MINUTE,
    sessionIdleMinutes: raw.HERALD_SESSION_IDLE_MINUTES,
    importStaleSeconds: raw.HERALD_IMPORT_STALE_SECONDS,
    importKeepFailedDays: raw.HERALD_IMPORT_KEEP_FAILED_DAYS,
    loginLockFailures: raw.HERALD_LOGIN_LOCK_FAILURES,
    loginLockMinutes: raw.HERALD_LOGIN_LOCK_MINUTES,
    loginIpFailures: raw.HERALD_LOGIN_IP_FAILURES,
    doiWindowHours: raw.HERALD_DOI_WINDOW_HOURS,
    subscribeMaxPerIpHour: raw.HERALD_SUBSCRIBE_MAX_PER_IP_HOUR,
    subscribeMaxPerNumberDay: raw.HERALD_SUBSCRIBE_MAX_PER_NUMBER_DAY,
    retentionMessageDays: raw.HERALD_RETENTION_MESSAGE_DAYS,
    retentionEventDays: raw.HERALD_RETENTION_EVENT_DAYS,
    hardBounceLimit: raw.HERALD_HARD_BOUNCE_LIMIT,
    repermissionDays: raw.HERALD_REPERMISSION_DAYS,
    attributionWindowHours: raw.HERALD_ATTRIBUTION_WINDOW_HOURS,
    defaultCountry: raw.HERALD_DEFAULT_COUNTRY,
    linkDomains: Object.freeze(
      raw.HERALD_LINK_DOMAINS.split(',')
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
    ),
    routing: normaliseRouting(raw.HERALD_ROUTING),
    pumping: parsePumping(raw),
    outboundAllowHosts: Object.freeze(
      raw.HERALD_OUTBOUND_ALLOW_HOSTS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
    carriers: Object.freeze(checkCarriers(raw.HERALD_CARRIERS ?? [])),
    dispatchLeaseMs: raw.HERALD_DISPATCH_LEASE_SECONDS * 1000,
    receiptHoldDays: raw.HERALD_RECEIPT_HOLD_DAYS,
    campaignApproval: raw.HERALD_CAMPAIGN_APPROVAL === 'required',
    smsPrices: Object.freeze({ ...(raw.HERALD_SMS_PRICES ?? {}) }),
  });
}
