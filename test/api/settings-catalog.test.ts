// What the console's settings pages read to build their forms: the roles with their permissions
// (the scopes of API keys) and, per carrier type, the settings it takes and its secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARRIER_TYPES } from '../../src/carriers/account-spec.js';
import { PERMISSIONS, ROLES, permissionsOf } from '../../src/core/roles.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

describe.each(DIALECTS)('[%s] /v1/roles and /v1/carrier-types', (dialect) => {
  let t: TestApp;
  const as = async (role: string) => ({ authorization: `Bearer ${await t.keyFor(role)}` });

  beforeAll(async () => {
    t = await openTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('lists every role with its permissions, and every permission a key may carry', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/roles', headers: await as('admin') });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      items: { role: string; permissions: string[] }[];
      permissions: string[];
    };
    expect(body.items.map((i) => i.role)).toEqual([...ROLES]);
    expect(body.items.find((i) => i.role === 'analyst')?.permissions).toEqual([
      ...permissionsOf('analyst'),
    ]);
    expect(body.permissions).toEqual([...PERMISSIONS]);
  });

  it('answers a key with only apikeys:manage, and refuses one with neither permission', async () => {
    const admin = await as('admin');
    const make = async (scopes: string[]) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: admin,
        payload: { name: scopes.join('+'), scopes },
      });
      expect(res.statusCode).toBe(201);
      return { authorization: `Bearer ${(res.json() as { key: string }).key}` };
    };
    const keys = await make(['apikeys:manage']);
    expect((await t.app.inject({ url: '/v1/roles', headers: keys })).statusCode).toBe(200);
    const marketer = await as('marketer');
    const refused = await t.app.inject({ url: '/v1/roles', headers: marketer });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
  });

  it('describes each carrier type: a JSON Schema of its settings, and its secrets', async () => {
    const res = await t.app.inject({ url: '/v1/carrier-types', headers: await as('admin') });
    expect(res.statusCode).toBe(200);
    const items = (
      res.json() as {
        items: {
          type: string;
          settings: { type: string; properties: Record<string, unknown>; required?: string[] };
          secrets: string[];
          requiredSecrets: string[];
        }[];
      }
    ).items;
    expect(items.map((i) => i.type)).toEqual([...CARRIER_TYPES]);
    const twilio = items.find((i) => i.type === 'twilio')!;
    expect(twilio.secrets).toEqual(['authToken']);
    expect(twilio.requiredSecrets).toEqual(['authToken']);
    expect(twilio.settings.type).toBe('object');
    expect(twilio.settings.required).toContain('accountSid');
    expect(Object.keys(twilio.settings.properties)).toEqual(
      expect.arrayContaining(['accountSid', 'from', 'messagingServiceSid', 'senders']),
    );
    const tencent = items.find((i) => i.type === 'tencent')!;
    expect(tencent.secrets).toEqual(['secretKey', 'callbackToken']);
    expect(tencent.requiredSecrets).toEqual(['secretKey']);
    expect(items.find((i) => i.type === 'simulator')!.secrets).toEqual([]);

    const marketer = await t.app.inject({
      url: '/v1/carrier-types',
      headers: await as('marketer'),
    });
    expect(marketer.statusCode).toBe(403);
  });
});
