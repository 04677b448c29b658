// /v1/carriers: an admin configures carrier accounts; secrets are encrypted at rest, never shown,
// changes are audited, and the next start sends through them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/app-context.js';
import { loadCarrierAccounts } from '../../src/carriers/accounts.js';
import { createLogger } from '../../src/logger.js';
import { loadFieldCipher, rotateDataKey } from '../../src/security/keyring.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

const SID = 'AC' + '0123456789abcdef'.repeat(2);
const TOKEN = 'twilio-auth-token-that-must-never-show';

describe.each(DIALECTS)('[%s] /v1/carriers', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;

  const api = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => t.app.inject({ method, url, headers: admin, ...(payload === undefined ? {} : { payload }) });
  const twilioAccount = (name: string) => ({
    name,
    type: 'twilio',
    settings: {
      accountSid: SID,
      from: '+14155550100',
      senders: { marketing: '+14155550101' },
    },
    secrets: { authToken: TOKEN },
  });

  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_PUBLIC_URL: 'https://herald.example.com' });
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
  });
  afterAll(async () => t.close());

  it('adds an account and shows it without its secrets, with its webhook URLs', async () => {
    const res = await api('POST', '/v1/carriers', twilioAccount('twilio-us'));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'twilio-us',
      type: 'twilio',
      enabled: true,
      settings: { accountSid: SID, from: '+14155550100' },
      secrets: { authToken: 'set' },
      webhooks: {
        receipts: 'https://herald.example.com/webhooks/twilio-us/receipts',
        inbound: 'https://herald.example.com/webhooks/twilio-us/inbound',
      },
      source: 'database',
      active: false, // this process started without it
    });
    const listed = await api('GET', '/v1/carriers');
    expect(listed.json().items.map((c: { name: string }) => c.name)).toEqual(['twilio-us']);
    for (const body of [res.body, listed.body, (await api('GET', '/v1/carriers/twilio-us')).body]) {
      expect(body).not.toContain(TOKEN);
    }
  });

  it('stores the secrets encrypted, never in clear', async () => {
    const row = await t.ctx.store.db
      .selectFrom('carrier_accounts')
      .selectAll()
      .where('name', '=', 'twilio-us')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(row.secrets_enc).toMatch(/^v1\./);
    expect(JSON.parse(t.ctx.cipher.decrypt(row.secrets_enc))).toEqual({ authToken: TOKEN });
  });

  it('refuses unknown types, missing credentials, bad URLs and taken names, saying why', async () => {
    const cases: [object, number, string, RegExp][] = [
      [{ name: 'x', type: 'pigeon' }, 400, 'CARRIER_TYPE_UNKNOWN', /pigeon/],
      [{ ...twilioAccount('x'), secrets: {} }, 400, 'CARRIER_CREDENTIAL_MISSING', /authToken/],
      [
        {
          ...twilioAccount('x'),
          settings: { ...twilioAccount('x').settings, baseUrl: 'ftp://api.example' },
        },
        400,
        'CARRIER_SETTINGS_INVALID',
        /baseUrl must be an http/,
      ],
      [
        {
          ...twilioAccount('x'),
          settings: { ...twilioAccount('x').settings, baseUrl: 'http://169.254.169.254/latest' },
        },
        400,
        'CARRIER_SETTINGS_INVALID',
        /baseUrl is refused for outbound calls \(metadata\)/,
      ],
      [
        {
          ...twilioAccount('x'),
          settings: { ...twilioAccount('x').settings, baseUrl: 'http://10.0.0.1:8080' },
        },
        400,
        'CARRIER_SETTINGS_INVALID',
        /baseUrl is refused for outbound calls/,
      ],
      [
        {
          name: 'sm',
          type: 'smpp',
          settings: { host: 'smsc.example', systemId: 'h' },
          secrets: { password: 'p' },
        },
        400,
        'CARRIER_SETTINGS_INVALID',
        /port/,
      ],
      [
        { ...twilioAccount('x'), secrets: { authToken: 't', apiKey: 'k' } },
        400,
        'CARRIER_SETTINGS_INVALID',
        /apiKey/,
      ],
      [twilioAccount('twilio-us'), 409, 'CARRIER_EXISTS', /twilio-us/],
      [twilioAccount('simulator'), 409, 'CARRIER_EXISTS', /simulator/],
      [{ ...twilioAccount('Bad Name') }, 400, 'VALIDATION_FAILED', /name/],
    ];
    for (const [payload, status, code, message] of cases) {
      const res = await api('POST', '/v1/carriers', payload);
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status, code });
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('changes settings and rotates a secret, auditing which secret changed but not its value', async () => {
    const res = await api('PATCH', '/v1/carriers/twilio-us', {
      secrets: { authToken: 'rotated-token-0123456789' },
      enabled: false,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ enabled: false, secrets: { authToken: 'set' } });
    expect(res.body).not.toContain('rotated-token');
    // Removing the only credential is refused.
    const removed = await api('PATCH', '/v1/carriers/twilio-us', { secrets: { authToken: null } });
    expect(removed.json().error.code).toBe('CARRIER_CREDENTIAL_MISSING');
    const audit = await t.ctx.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', 'like', 'carrier.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['carrier.create', 'carrier.update']);
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ secretsChanged: ['authToken'] });
    expect(JSON.stringify(audit)).not.toContain('rotated-token');
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
  });

  it('needs carriers:manage', async () => {
    const marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    const res = await t.app.inject({ method: 'GET', url: '/v1/carriers', headers: marketer });
    expect(res.statusCode).toBe(403);
  });

  it('sends through the stored accounts from the next start, with per-purpose senders', async () => {
    await api('POST', '/v1/carriers', {
      name: 'sim-cn',
      type: 'simulator',
      settings: { senders: { marketing: 'FloraMkt' }, receipts: false },
    });
    const logger = createLogger({ level: 'silent' });
    const next = await openContext(t.database.config, logger, {
      storeOptions: t.database.schema ? { searchPath: t.database.schema } : {},
    });
    try {
      expect(next.carriers.names().sort()).toEqual(['sim-cn', 'simulator']); // twilio-us is disabled
      const sim = next.carriers.get('sim-cn')!;
      await sim.send({
        messageId: 1,
        to: '+8613912345678',
        body: 'hi',
        purpose: 'marketing',
        segments: 1,
      });
      await sim.send({
        messageId: 2,
        to: '+8613912345678',
        body: 'hi',
        purpose: 'transactional',
        segments: 1,
        sender: 'Own',
      });
      const sent = (sim as unknown as { sent(): { sender: string | null }[] }).sent();
      expect(sent.map((m) => m.sender)).toEqual(['FloraMkt', 'Own']);
    } finally {
      await next.close();
    }
  });

  it('stores routes over the accounts, used from the next start; a routed account stays', async () => {
    const disabled = await api('PUT', '/v1/carriers/routing', {
      routes: [{ carriers: ['twilio-us'] }],
    });
    expect(disabled.json().error).toMatchObject({ code: 'CARRIER_NOT_FOUND' });
    expect(disabled.json().error.message).toMatch(/twilio-us/);
    const invalid = await api('PUT', '/v1/carriers/routing', { routes: [{ carriers: [] }] });
    expect(invalid.json().error.code).toBe('CARRIER_SETTINGS_INVALID');
    const routing = { routes: [{ purpose: 'marketing', countries: ['CN'], carriers: ['sim-cn'] }] };
    expect((await api('PUT', '/v1/carriers/routing', routing)).statusCode).toBe(200);
    expect((await api('GET', '/v1/carriers/routing')).json()).toEqual({
      routing,
      overriddenByConfig: false,
    });
    const next = await openContext(t.database.config, createLogger({ level: 'silent' }), {
      storeOptions: t.database.schema ? { searchPath: t.database.schema } : {},
    });
    try {
      const names = (purpose: 'marketing' | 'transactional') =>
        next.router.routeFor(purpose, 'CN').carriers.map((c) => c.name);
      expect(names('marketing')).toEqual(['sim-cn']);
      expect(names('transactional')).toEqual(['simulator']);
    } finally {
      await next.close();
    }
    expect((await api('DELETE', '/v1/carriers/sim-cn')).json().error.code).toBe('CONFLICT');
    expect((await api('PATCH', '/v1/carriers/sim-cn', { enabled: false })).statusCode).toBe(409);
    expect((await api('DELETE', '/v1/carriers/routing')).statusCode).toBe(204);
  });

  it('deletes an account', async () => {
    expect((await api('DELETE', '/v1/carriers/sim-cn')).statusCode).toBe(204);
    expect((await api('GET', '/v1/carriers/sim-cn')).json().error.code).toBe('CARRIER_NOT_FOUND');
    expect((await api('DELETE', '/v1/carriers/sim-cn')).statusCode).toBe(404);
  });

  it('re-encrypts the secrets when the data key is rotated', async () => {
    // Last: this process's cipher does not know the new key afterwards.
    const outcome = await rotateDataKey(t.ctx.store.db, t.ctx.masterKey);
    expect(outcome.rewritten['carrier_accounts.secrets_enc']).toBe(1); // twilio-us
    const cipher = await loadFieldCipher(t.ctx.store.db, t.ctx.masterKey);
    const [account] = await loadCarrierAccounts(t.ctx.store.db, cipher);
    expect(account!.secrets).toEqual({ authToken: 'rotated-token-0123456789' });
  });
});
