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

  it('reads an SMPP carrier from HERALD_SMPP, and names the key of a bad one', () => {
    expect(loadConfig(base).smpp).toBeUndefined();
    const smpp = {
      host: '127.0.0.1',
      port: 2775,
      systemId: 'herald',
      password: 'secret',
      window: 20,
    };
    expect(loadConfig({ ...base, HERALD_SMPP: JSON.stringify(smpp) }).smpp).toEqual(smpp);
    expect(() => loadConfig({ ...base, HERALD_SMPP: '{not json' })).toThrow(
      /^config: HERALD_SMPP is not valid JSON/,
    );
    expect(() =>
      loadConfig({ ...base, HERALD_SMPP: JSON.stringify({ ...smpp, port: 0 }) }),
    ).toThrow(/HERALD_SMPP/);
  });
});
