/**
 * The application core that every entry point (serve, worker, CLI commands) opens: the store,
 * migrations, keys, the audit trail. Built once from a validated Config and passed down.
 */
import { configuredCarriers } from './carriers/accounts.js';
import { effectiveRouting } from './carriers/routing-settings.js';
import { createCarrierRegistry, type CarrierRegistry } from './carriers/carrier.js';
import { createSimulator } from './carriers/simulator.js';
import type { Config } from './config.js';
import { createRouter, type Router } from './delivery/routing.js';
import type { Logger } from './logger.js';
import { createStore, type Store, type StoreOptions } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { createAuditor, type Auditor } from './security/audit.js';
import { createOutboundHttp, type OutboundHttp } from './security/guarded-http.js';
import type { AuthDeps } from './security/auth.js';
import { authPolicyOf } from './security/login-guard.js';
import type { FieldCipher } from './security/field-cipher.js';
import { loadFieldCipher } from './security/keyring.js';
import { deriveKey, loadMasterKey } from './security/master-key.js';

export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly cipher: FieldCipher;
  readonly auditor: Auditor;
  readonly auth: AuthDeps;
  readonly masterKey: Buffer;
  readonly auditKey: Buffer;
  /** The carriers of this process by name; the built-in simulator is the default route. */
  readonly carriers: CarrierRegistry;
  /** Routes per purpose and country over those carriers, with their rate limits. */
  readonly router: Router;
  /** The guarded HTTP client every outward call goes through (SSRF rules, timeouts, size caps). */
  readonly outbound: OutboundHttp;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Run migrations first (start, migrate); otherwise the schema must be current. */
  readonly migrate?: boolean;
  readonly storeOptions?: StoreOptions;
}

export async function openContext(
  config: Config,
  logger: Logger,
  opts: OpenOptions = {},
): Promise<AppContext> {
  const master = loadMasterKey(config);
  if (master.generatedAt) {
    logger.warn(
      { file: master.generatedAt },
      'generated a new master key in the data folder: back it up, and set HERALD_MASTER_KEY in production; without it the encrypted data cannot be read',
    );
  }
  const store = createStore(config.database, opts.storeOptions);
  try {
    if (opts.migrate) {
      const { applied } = await migrateToLatest(store);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    }
    const cipher = await loadFieldCipher(store.db, master.key);
    const auditKey = deriveKey(master.key, 'audit-chain');
    const auditor = createAuditor(store.db, auditKey);
    // The built-in simulator stays the default route; accounts come from config and database.
    const outbound = createOutboundHttp({ allowedHosts: config.outboundAllowHosts });
    const accounts = await configuredCarriers(config, store.db, cipher, logger, outbound);
    const carriers = createCarrierRegistry([createSimulator(), ...accounts], 'simulator');
    // HERALD_ROUTING when set, else the routes stored through /v1/carriers/routing.
    const router = createRouter(await effectiveRouting(config, store.db), carriers, logger);
    return {
      config,
      logger,
      store,
      cipher,
      auditor,
      auth: {
        db: store.db,
        auditor,
        apiKeyPepper: deriveKey(master.key, 'api-key'),
        policy: authPolicyOf(config),
      },
      masterKey: master.key,
      auditKey,
      carriers,
      router,
      outbound,
      close: async () => {
        await carriers.close();
        outbound.close();
        await store.destroy();
      },
    };
  } catch (err) {
    await store.destroy();
    throw err;
  }
}
