import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'herald-config-'));
const base = { HERALD_DATA_DIR: dir };

describe('loadConfig', () => {
  it('gives the embedded defaults with nothing set', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.database).toEqual({ dialect: 'sqlite', file: path.join(dir, 'herald.db') });
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(c.logLevel).toBe('info');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads PostgreSQL from DATABASE_URL', () => {
    const c = loadConfig({ ...base, DATABASE_URL: 'postgres://u@127.0.0.1:5432/herald' });
    expect(c.database).toMatchObject({
      dialect: 'postgres',
      url: 'postgres://u@127.0.0.1:5432/herald',
    });
  });

  it.each([
    [{ DATABASE_URL: 'nonsense' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ HERALD_MASTER_KEY: 'short' }, 'HERALD_MASTER_KEY'],
    [{ HERALD_PUBLIC_URL: 'ftp://example.com' }, 'HERALD_PUBLIC_URL'],
    [{ HERALD_CARRIERS: '[{' }, 'HERALD_CARRIERS'],
    [{ HERALD_CARRIERS: '[{"name":"x","type":"pigeon"}]' }, 'HERALD_CARRIERS/0'],
    [
      {
        HERALD_CARRIERS:
          '[{"name":"s","type":"smpp","settings":{"host":"h","port":2775,"systemId":"i"}}]',
      },
      'HERALD_CARRIERS/0',
    ],
    [{ HERALD_CARRIERS: '[{"name":"simulator","type":"simulator"}]' }, 'HERALD_CARRIERS/0'],
  ])('rejects %o with one line naming %s', (env, key) => {
    let error: unknown;
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).message).toContain(key);
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it('reads carrier accounts from HERALD_CARRIERS, checked', () => {
    const config = loadConfig({
      ...base,
      HERALD_CARRIERS: JSON.stringify([
        {
          name: 'smsc',
          type: 'smpp',
          settings: { host: '127.0.0.1', port: 2775, systemId: 'h' },
          secrets: { password: 'p' },
        },
      ]),
    });
    expect(config.carriers).toMatchObject([
      { name: 'smsc', type: 'smpp', enabled: true, secrets: { password: 'p' } },
    ]);
  });

  it('takes values from a config file, the environment winning', () => {
    const file = path.join(dir, 'custom.json');
    writeFileSync(file, JSON.stringify({ PORT: 9090, HOST: '0.0.0.0', LOG_LEVEL: 'debug' }));
    const c = loadConfig({ ...base, HERALD_CONFIG: file, LOG_LEVEL: 'warn' });
    expect(c.port).toBe(9090);
    expect(c.host).toBe('0.0.0.0');
    expect(c.logLevel).toBe('warn');
  });

  it('refuses a config file that is not a JSON object', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '[1,2');
    expect(() => loadConfig({ ...base, HERALD_CONFIG: file })).toThrow(/HERALD_CONFIG/);
  });
});
