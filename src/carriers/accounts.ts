/**
 * Carrier accounts kept in the database (`/v1/carriers`): created, changed and removed by an
 * admin, every change audited (which secrets changed, never their values), every secret stored
 * with the field cipher and shown only as "set" / "not set". The carriers of a process are built
 * from these at start-up together with `HERALD_CARRIERS`; webhooks read them on every callback,
 * so a rotated token or a new account is honoured at once.
 */
import type { AppContext } from '../app-context.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { HeraldError } from '../core/errors.js';
import { checkOutboundUrl } from '../core/outbound-address.js';
import type { OutboundHttp } from '../security/guarded-http.js';
import type { FieldCipher } from '../security/field-cipher.js';
import {
  deleteCarrierAccount,
  findCarrierAccount,
  insertCarrierAccount,
  listCarrierAccounts,
  updateCarrierAccount,
  type CarrierAccountRow,
} from '../store/carrier-accounts.js';
import type { DbOrTx } from '../store/database.js';
import {
  CARRIER_KINDS,
  checkCarrierAccount,
  secretStates,
  type CarrierAccountSpec,
  type CarrierType,
} from './account-spec.js';
import { buildCarrier, webhookUrls } from './build-carrier.js';
import { assertNotRouted } from './routing-settings.js';
import type { Carrier } from './carrier.js';

export interface CarrierAccountInput {
  readonly name: string;
  readonly type: string;
  readonly enabled?: boolean;
  readonly settings?: Record<string, unknown>;
  readonly secrets?: Record<string, string>;
}

/** A change: settings replace the old ones when given; a secret set to null is removed. */
export interface CarrierAccountChange {
  readonly enabled?: boolean;
  readonly settings?: Record<string, unknown>;
  readonly secrets?: Record<string, string | null>;
}

export interface CarrierAccountView {
  readonly name: string;
  readonly type: CarrierType;
  readonly enabled: boolean;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secrets: Record<string, 'set' | 'not set'>;
  /** Where this account's carrier posts receipts and inbound messages. */
  readonly webhooks: { readonly receipts: string; readonly inbound: string };
  /** `database` (this API) or `config` (HERALD_CARRIERS, read-only here). */
  readonly source: 'database' | 'config';
  readonly createdBy: string | null;
  readonly createdAt: string | null;
  readonly updatedBy: string | null;
  readonly updatedAt: string | null;
}

type Ctx = Pick<AppContext, 'store' | 'cipher' | 'auditor' | 'config'>;

/**
 * Refuses a base URL the outbound rules would refuse at send time (loopback, private, metadata
 * addresses unless HERALD_OUTBOUND_ALLOW_HOSTS names the host), when the account is written.
 */
function checkCallable(spec: CarrierAccountSpec, allowedHosts: readonly string[]): void {
  for (const field of CARRIER_KINDS[spec.type].urlSettings) {
    const url = spec.settings[field];
    if (typeof url !== 'string') continue;
    const check = checkOutboundUrl(url, allowedHosts);
    if (!check.ok) {
      throw new HeraldError(
        'CARRIER_SETTINGS_INVALID',
        `${spec.type} settings: ${field} is refused for outbound calls (${check.range ?? check.problem})`,
        [{ path: `/settings/${field}` }],
      );
    }
  }
}

function specOf(cipher: FieldCipher, row: CarrierAccountRow): CarrierAccountSpec {
  return checkCarrierAccount({
    name: row.name,
    type: row.type,
    enabled: row.enabled === 1,
    settings: JSON.parse(row.settings) as unknown,
    secrets: JSON.parse(cipher.decrypt(row.secrets_enc)) as unknown,
  });
}

function view(
  publicUrl: string,
  spec: CarrierAccountSpec,
  row: CarrierAccountRow | null,
): CarrierAccountView {
  return {
    name: spec.name,
    type: spec.type,
    enabled: spec.enabled,
    settings: spec.settings,
    secrets: secretStates(spec.type, spec.secrets),
    webhooks: webhookUrls(publicUrl, spec.name),
    source: row ? 'database' : 'config',
    createdBy: row?.created_by ?? null,
    createdAt: row?.created_at ?? null,
    updatedBy: row?.updated_by ?? null,
    updatedAt: row?.updated_at ?? null,
  };
}

/** The accounts stored in the database, checked and decrypted (disabled ones included). */
export async function loadCarrierAccounts(
  db: DbOrTx,
  cipher: FieldCipher,
): Promise<CarrierAccountSpec[]> {
  return (await listCarrierAccounts(db)).map((row) => specOf(cipher, row));
}

/** One stored account by name, checked and decrypted; undefined when there is none. */
export async function loadCarrierAccount(
  db: DbOrTx,
  cipher: FieldCipher,
  name: string,
): Promise<CarrierAccountSpec | undefined> {
  const row = await findCarrierAccount(db, { name });
  return row ? specOf(cipher, row) : undefined;
}

/**
 * The enabled carriers of the configuration and of the database, built. A name in both is the
 * configuration's (a warning says so); a stored account that cannot be read is left out, loudly.
 */
export async function configuredCarriers(
  config: Config,
  db: DbOrTx,
  cipher: FieldCipher,
  logger: Logger,
  http?: OutboundHttp,
): Promise<Carrier[]> {
  const deps = { publicUrl: config.publicUrl, logger, ...(http ? { http } : {}) };
  const specs: CarrierAccountSpec[] = [...config.carriers];
  for (const row of await listCarrierAccounts(db)) {
    if (specs.some((spec) => spec.name === row.name)) {
      logger.warn({ carrier: row.name }, 'carrier account shadowed by HERALD_CARRIERS: not used');
      continue;
    }
    try {
      specs.push(specOf(cipher, row));
    } catch (err) {
      logger.error({ carrier: row.name, err }, 'carrier account cannot be read: not used');
    }
  }
  const carriers: Carrier[] = [];
  for (const spec of specs.filter((s) => s.enabled)) {
    try {
      carriers.push(buildCarrier(spec, deps));
    } catch (err) {
      // A URL the outbound rules refuse (say, after HERALD_OUTBOUND_ALLOW_HOSTS changed).
      logger.error({ carrier: spec.name, err }, 'carrier account cannot be built: not used');
    }
  }
  return carriers;
}

export async function listCarrierAccountViews(ctx: Ctx): Promise<CarrierAccountView[]> {
  const rows = await listCarrierAccounts(ctx.store.db);
  const stored = rows.map((row) => view(ctx.config.publicUrl, specOf(ctx.cipher, row), row));
  const fromConfig = ctx.config.carriers
    .filter((spec) => !rows.some((row) => row.name === spec.name))
    .map((spec) => view(ctx.config.publicUrl, spec, null));
  return [...stored, ...fromConfig].sort((a, b) => a.name.localeCompare(b.name));
}

export async function getCarrierAccountView(ctx: Ctx, name: string): Promise<CarrierAccountView> {
  const row = await findCarrierAccount(ctx.store.db, { name });
  if (row) return view(ctx.config.publicUrl, specOf(ctx.cipher, row), row);
  const configured = ctx.config.carriers.find((spec) => spec.name === name);
  if (configured) return view(ctx.config.publicUrl, configured, null);
  throw new HeraldError('CARRIER_NOT_FOUND', `No carrier named ${name}`);
}

/** Names no account may take: the built-in simulator's and those HERALD_CARRIERS holds. */
function reservedNames(ctx: Ctx): string[] {
  // `routing` is the path of the routes' own resource (/v1/carriers/routing).
  return ['simulator', 'routing', ...ctx.config.carriers.map((spec) => spec.name)];
}

export async function createCarrierAccount(
  ctx: Ctx,
  input: CarrierAccountInput,
  actor: string,
): Promise<CarrierAccountView> {
  const spec = checkCarrierAccount(input);
  checkCallable(spec, ctx.config.outboundAllowHosts);
  if (reservedNames(ctx).includes(spec.name)) {
    throw new HeraldError(
      'CARRIER_EXISTS',
      `The name ${spec.name} is taken by a carrier from the configuration`,
    );
  }
  const now = new Date().toISOString();
  const row = await ctx.store.db.transaction().execute(async (tx) => {
    if (await findCarrierAccount(tx, { name: spec.name })) {
      throw new HeraldError('CARRIER_EXISTS', `A carrier named ${spec.name} already exists`);
    }
    return insertCarrierAccount(tx, {
      name: spec.name,
      type: spec.type,
      enabled: spec.enabled ? 1 : 0,
      settings: JSON.stringify(spec.settings),
      secrets_enc: ctx.cipher.encrypt(JSON.stringify(spec.secrets)),
      created_by: actor,
      created_at: now,
      updated_by: actor,
      updated_at: now,
    });
  });
  await ctx.auditor.record({
    actor,
    action: 'carrier.create',
    target: `carrier:${spec.name}`,
    details: { type: spec.type, enabled: spec.enabled, secretsSet: Object.keys(spec.secrets) },
  });
  return view(ctx.config.publicUrl, spec, row);
}

export async function changeCarrierAccount(
  ctx: Ctx,
  name: string,
  change: CarrierAccountChange,
  actor: string,
): Promise<CarrierAccountView> {
  const result = await ctx.store.db.transaction().execute(async (tx) => {
    const row = await findCarrierAccount(tx, { name });
    if (!row) throw notFound(ctx, name);
    const before = specOf(ctx.cipher, row);
    if (change.enabled === false && before.enabled) await assertNotRouted(tx, name);
    const secrets: Record<string, string> = { ...before.secrets };
    for (const [field, value] of Object.entries(change.secrets ?? {})) {
      if (value === null) delete secrets[field];
      else secrets[field] = value;
    }
    const spec = checkCarrierAccount({
      name,
      type: before.type,
      enabled: change.enabled ?? before.enabled,
      settings: change.settings ?? before.settings,
      secrets,
    });
    checkCallable(spec, ctx.config.outboundAllowHosts);
    const updated = await updateCarrierAccount(tx, {
      name,
      patch: {
        enabled: spec.enabled ? 1 : 0,
        settings: JSON.stringify(spec.settings),
        secrets_enc: ctx.cipher.encrypt(JSON.stringify(spec.secrets)),
        updated_by: actor,
        updated_at: new Date().toISOString(),
      },
    });
    return { spec, row: updated!, before };
  });
  const changedSecrets = Object.keys(change.secrets ?? {});
  await ctx.auditor.record({
    actor,
    action: 'carrier.update',
    target: `carrier:${name}`,
    details: {
      ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
      settingsChanged:
        change.settings !== undefined &&
        JSON.stringify(change.settings) !== JSON.stringify(result.before.settings),
      secretsChanged: changedSecrets,
    },
  });
  return view(ctx.config.publicUrl, result.spec, result.row);
}

export async function removeCarrierAccount(ctx: Ctx, name: string, actor: string): Promise<void> {
  await assertNotRouted(ctx.store.db, name);
  if (!(await deleteCarrierAccount(ctx.store.db, { name }))) throw notFound(ctx, name);
  await ctx.auditor.record({ actor, action: 'carrier.delete', target: `carrier:${name}` });
}

function notFound(ctx: Ctx, name: string): HeraldError {
  const configured = ctx.config.carriers.some((spec) => spec.name === name);
  return configured
    ? new HeraldError(
        'CARRIER_SETTINGS_INVALID',
        `${name} comes from HERALD_CARRIERS; change it there`,
      )
    : new HeraldError('CARRIER_NOT_FOUND', `No carrier named ${name}`);
}
