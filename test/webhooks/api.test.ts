// /v1/webhooks: managing endpoints; the secret is shown once and kept only encrypted; audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWebhookEndpoint } from '../../src/store/webhooks.js';
import { deliverDueWebhooks } from '../../src/webhooks/deliver.js';
import { emitWebhookEvent } from '../../src/webhooks/emit.js';
import { maskedPhone } from '../../src/core/webhooks.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { startReceiver, verifySignature, type Receiver } from './receiver.js';

const inboundPayload = (id: number) => ({
  inboundMessageId: id,
  contactId: null,
  phone: maskedPhone('+14155550123'),
  body: 'hello',
  intent: 'other',
  carrier: 'simulator',
});

describe.each(DIALECTS)('[%s] /v1/webhooks', (dialect) => {
  let t: TestApp;
  let rx: Receiver;
  let admin: Record<string, string>;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await openTestApp(dialect, { HERALD_OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
    rx = await startReceiver();
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
  });
  afterAll(async () => {
    await rx.close();
    await t.close();
  });

  it('creates an endpoint, shows its secret once and keeps it only encrypted', async () => {
    const res = await api('POST', '/v1/webhooks', {
      url: `${rx.url}#ignored`,
      events: ['message.inbound', 'link.clicked'],
      description: 'CRM',
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      url: rx.url,
      events: ['link.clicked', 'message.inbound'],
      enabled: true,
      description: 'CRM',
      consecutiveFailures: 0,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    for (const url of ['/v1/webhooks', `/v1/webhooks/${created.id}`]) {
      const read = await api('GET', url);
      expect(read.statusCode).toBe(200);
      expect(read.body).not.toContain(created.secret);
      expect(read.body).not.toContain('secret');
    }
    const row = await findWebhookEndpoint(t.ctx.store.db, created.id);
    expect(row!.secret_enc).toMatch(/^v1\./);
    expect(row!.secret_enc).not.toContain(created.secret.slice(6));
    expect(t.ctx.cipher.decrypt(row!.secret_enc)).toBe(created.secret);
    expect(t.logs()).not.toContain(created.secret);

    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit?action=webhook.create',
      headers: admin,
    });
    expect(audit.json().items[0]).toMatchObject({
      action: 'webhook.create',
      target: `webhook:${created.id}`,
    });
    expect(audit.body).not.toContain(created.secret);
    await api('DELETE', `/v1/webhooks/${created.id}`);
  });

  it.each([
    [{ url: 'ftp://127.0.0.1/x', events: ['link.clicked'] }, 'url'],
    [{ url: 'http://user:pw@127.0.0.1/x', events: ['link.clicked'] }, 'url'],
    [{ url: 'not a url at all', events: ['link.clicked'] }, 'url'],
    [{ url: 'javascript:alert(1)', events: ['link.clicked'] }, 'url'],
    [{ url: 'https://example.com/h', events: [] }, 'events'],
    [{ url: 'https://example.com/h', events: ['message.sent'] }, 'events'],
    [{ url: 'https://example.com/h', events: ['link.clicked'], extra: 1 }, 'body'],
    [{ events: ['link.clicked'] }, 'body'],
  ])('refuses %j with 400', async (payload, _field) => {
    const res = await api('POST', '/v1/webhooks', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://10.0.0.1/hooks', 'private'],
    ['http://192.168.1.10:8080/hooks', 'private'],
    ['http://[fd00::1]/hooks', 'unique_local'],
    ['http://[::1]:8080/hooks', 'loopback'],
    ['http://127.0.0.2:8080/hooks', 'loopback'],
    ['http://localhost:8080/hooks', 'refused_name'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'refused_name'],
  ])(
    'refuses the receiver %s at configuration time (%s), on creation and on change',
    async (url, range) => {
      const created = await api('POST', '/v1/webhooks', { url, events: ['link.clicked'] });
      expect(created.statusCode).toBe(400);
      expect(created.json().error).toMatchObject({
        code: 'OUTBOUND_ADDRESS_REFUSED',
        details: { field: 'url', problem: 'refused_address', range },
      });
      const ok = await api('POST', '/v1/webhooks', { url: rx.url, events: ['link.clicked'] });
      expect(ok.statusCode).toBe(201);
      const changed = await api('PATCH', `/v1/webhooks/${ok.json().id}`, { url });
      expect(changed.statusCode).toBe(400);
      expect(changed.json().error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      await api('DELETE', `/v1/webhooks/${ok.json().id}`);
    },
  );

  it('is for admins only', async () => {
    for (const role of ['marketer', 'compliance', 'analyst', 'support']) {
      const headers = { authorization: `Bearer ${await t.keyFor(role)}` };
      const res = await t.app.inject({ method: 'GET', url: '/v1/webhooks', headers });
      expect(res.statusCode).toBe(403);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhooks' })).statusCode).toBe(401);
  });

  it('updates, disables, enables, rotates (old secret signs for a while) and deletes', async () => {
    const created = (
      await api('POST', '/v1/webhooks', { url: rx.url, events: ['link.clicked'] })
    ).json();
    const id = created.id as number;

    const changed = await api('PATCH', `/v1/webhooks/${id}`, {
      url: `${rx.url}?v=2`,
      events: ['message.inbound'],
      description: null,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ url: `${rx.url}?v=2`, events: ['message.inbound'] });
    expect((await api('PATCH', `/v1/webhooks/${id}`, { url: 'ftp://x/' })).statusCode).toBe(400);
    expect((await api('PATCH', `/v1/webhooks/${id}`, {})).statusCode).toBe(400);

    const off = (await api('PATCH', `/v1/webhooks/${id}`, { enabled: false })).json();
    expect(off).toMatchObject({ enabled: false, disabledReason: 'manual' });
    // A disabled endpoint gets no new deliveries.
    expect(
      await emitWebhookEvent(t.ctx.store.db, {
        type: 'message.inbound',
        payload: inboundPayload(1),
        at: new Date(),
      }),
    ).toBe(0);
    const on = (await api('PATCH', `/v1/webhooks/${id}`, { enabled: true })).json();
    expect(on).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });

    const rotated = await api('POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret, previousSecretValidUntil } = rotated.json();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.secret);
    expect(Date.parse(previousSecretValidUntil) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect((await api('GET', `/v1/webhooks/${id}`)).body).not.toContain(secret);

    // During the grace period both secrets sign; a receiver on either one accepts the event.
    await emitWebhookEvent(t.ctx.store.db, {
      type: 'message.inbound',
      payload: inboundPayload(2),
      at: new Date(),
    });
    await deliverDueWebhooks(t.ctx);
    const got = rx.received.at(-1)!;
    expect(got.signature.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(got.signature, got.raw, [secret])).toBe(true);
    expect(verifySignature(got.signature, got.raw, [created.secret])).toBe(true);
    expect(verifySignature(got.signature, got.raw, ['whsec_other'])).toBe(false);

    const now = await api('POST', `/v1/webhooks/${id}/rotate-secret?previousSecretHours=0`);
    expect(now.json().previousSecretValidUntil).toBeNull();
    await emitWebhookEvent(t.ctx.store.db, {
      type: 'message.inbound',
      payload: inboundPayload(3),
      at: new Date(),
    });
    await deliverDueWebhooks(t.ctx);
    const last = rx.received.at(-1)!;
    expect(last.signature.match(/v1=/g)).toHaveLength(1);
    expect(verifySignature(last.signature, last.raw, [now.json().secret])).toBe(true);
    expect(verifySignature(last.signature, last.raw, [secret])).toBe(false);

    expect((await api('DELETE', `/v1/webhooks/${id}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/webhooks/${id}`)).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/webhooks/${id}`)).statusCode).toBe(404);
    expect((await api('GET', `/v1/webhooks/${id}/deliveries`)).statusCode).toBe(404);

    const audit = await t.app.inject({ method: 'GET', url: '/v1/audit', headers: admin });
    const actions = (audit.json().items as { action: string; target: string }[])
      .filter((e) => e.target === `webhook:${id}`)
      .map((e) => e.action);
    expect(actions.sort()).toEqual(
      [
        'webhook.create',
        'webhook.update',
        'webhook.update',
        'webhook.update',
        'webhook.rotate_secret',
        'webhook.rotate_secret',
        'webhook.delete',
      ].sort(),
    );
    expect(audit.body).not.toContain(secret);
    expect(audit.body).not.toContain('v=2'); // query strings stay out of the trail
  });
});
