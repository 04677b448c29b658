/**
 * The master key: from configuration, or, in embedded mode only, generated once into the data
 * folder (mode 0600). Every other secret (data keys, blind-index key, audit key) derives from it
 * or is wrapped by it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hkdfSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';

export const MASTER_KEY_FILE = 'master.key';

export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = t.startsWith('base64:') ? Buffer.from(t.slice(7), 'base64') : Buffer.from(t, 'hex');
  if (key.length !== 32) throw new ConfigError('HERALD_MASTER_KEY', 'must decode to 32 bytes');
  return key;
}

export interface MasterKeySource {
  readonly key: Buffer;
  /** Set when the key was generated just now. */
  readonly generatedAt?: string;
}

/** Loads (or, embedded only, creates) the master key. */
export function loadMasterKey(config: Config): MasterKeySource {
  if (config.masterKey) return { key: parseMasterKey(config.masterKey) };
  if (config.database.dialect === 'postgres') {
    throw new ConfigError(
      'HERALD_MASTER_KEY',
      'is required with DATABASE_URL: every Herald process sharing the database needs the same key',
    );
  }
  const file = path.join(config.dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) return { key: parseMasterKey(readFileSync(file, 'utf8')) };
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `base64:${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, generatedAt: file };
}

/** Derives a purpose-bound subkey (HKDF-SHA256). */
export function deriveKey(
  master: Buffer,
  purpose: 'blind-index' | 'audit-chain' | 'key-wrap' | 'api-key',
): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.from('herald'), Buffer.from(purpose), 32));
}
