// Carrier accounts from the configuration (HERALD_CARRIERS) and the dispatch lease setting.
import { afterEach, describe, expect, it } from 'vitest';
import type { Carrier } from '../../src/carriers/carrier.js';
import { buildConfiguredCarriers } from '../../src/carriers/env-carriers.js';
import { loadConfig } from '../../src/config.js';
import { FakeSmsc } from '../fakes/smsc.js';
import { outgoing } from './contract.js';

const base = { HERALD_DATA_DIR: '/nonexistent-herald-config-test' };
const smsc = (port: number, extra: object = {}) =>
  JSON.stringify([
    {
      name: 'smsc',
      type: 'smpp',
      settings: { host: '127.0.0.1', port, systemId: 'herald', window: 10, ...extra },
      secrets: { password: 'secret' },
    },
  ]);

describe('HERALD_CARRIERS', () => {
  const open: { carriers: Carrier[]; fake: FakeSmsc }[] = [];
  afterEach(async () => {
    for (const { carriers, fake } of open.splice(0)) {
      await Promise.all(carriers.map((c) => c.close()));
      await fake.close();
    }
  });

  it('reads SMPP accounts, and nothing by default', () => {
    expect(loadConfig(base).carriers).toEqual([]);
    const config = loadConfig({ ...base, HERALD_CARRIERS: smsc(2775) });
    expect(config.carriers).toEqual([
      {
        name: 'smsc',
        type: 'smpp',
        settings: { host: '127.0.0.1', port: 2775, systemId: 'herald', window: 10 },
        secrets: { password: 'secret' },
      },
    ]);
  });

  it.each([
    ['not JSON', 'smpp://x', 'HERALD_CARRIERS is not valid JSON'],
    [
      'no password',
      '[{"name":"smsc","type":"smpp","settings":{"host":"h","port":2775,"systemId":"a"},"secrets":{}}]',
      'HERALD_CARRIERS/0/secrets must have required properties password',
    ],
    ['a port out of range', smsc(70_000), 'HERALD_CARRIERS/0/settings/port'],
    ['an unknown setting', smsc(2775, { speed: 3 }), 'HERALD_CARRIERS/0/settings/speed'],
  ])('refuses %s with one line naming the key', (_, value, message) => {
    expect(() => loadConfig({ ...base, HERALD_CARRIERS: value })).toThrow(message);
  });

  it('binds to the SMSC on first use only, then sends through it', async () => {
    const fake = await FakeSmsc.start();
    const config = loadConfig({ ...base, HERALD_CARRIERS: smsc(fake.port) });
    const carriers = buildConfiguredCarriers(config.carriers, undefined);
    open.push({ carriers, fake });
    expect(carriers.map((c) => c.name)).toEqual(['smsc']);
    expect(fake.counts().connections).toBe(0);
    const result = await carriers[0]!.send(outgoing('Your parcel arrives today'));
    expect(result.status).toBe('accepted');
    expect(fake.sent().map((m) => m.text)).toEqual(['Your parcel arrives today']);
  });
});

describe('HERALD_DISPATCH_LEASE_SECONDS', () => {
  it('defaults to a minute and refuses less than five seconds', () => {
    expect(loadConfig(base).dispatchLeaseMs).toBe(60_000);
    expect(loadConfig({ ...base, HERALD_DISPATCH_LEASE_SECONDS: '10' }).dispatchLeaseMs).toBe(
      10_000,
    );
    expect(() => loadConfig({ ...base, HERALD_DISPATCH_LEASE_SECONDS: '2' })).toThrow(
      'HERALD_DISPATCH_LEASE_SECONDS must be >= 5',
    );
  });
});
