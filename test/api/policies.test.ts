import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';

describe.each(DIALECTS)('[%s] policies, lint and decision explanations', (dialect) => {
  let t: TestApp;
  let marketer: Record<string, string>;
  let admin: Record<string, string>;
  let frId: number;
  let cnId: number;

  beforeAll(async () => {
    t = await openTestApp(dialect);
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    admin = { authorization: `Bearer ${await t.keyFor('admin')}` };
    const grant = {
      purpose: 'marketing',
      action: 'grant',
      method: 'web_form',
      source: 'checkout',
      at: '2026-01-05T10:00:00Z',
    };
    const fr = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: marketer,
      payload: { phone: '06 12 34 56 78', country: 'FR', consents: [grant] },
    });
    frId = fr.json().id;
    const cn = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: marketer,
      payload: { phone: '+86 139 1234 5678' },
    });
    cnId = cn.json().id;
  });
  afterAll(async () => t.close());

  const explain = (payload: object) =>
    t.app.inject({ method: 'POST', url: '/v1/decisions/explain', headers: marketer, payload });
  const frMarketing = {
    purpose: 'marketing',
    body: 'Boutique: -20% ce week-end. STOP SMS au 36180',
    brand: 'Boutique',
  };

  it('defers French marketing on a Sunday to Monday 08:00 Paris time, in words', async () => {
    const res = await explain({
      contactId: frId,
      message: frMarketing,
      at: '2026-07-12T10:00:00+02:00',
      locale: 'en',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      action: 'defer',
      until: '2026-07-13T06:00:00.000Z',
      policy: 'FR',
    });
    expect(res.json().explanation).toContain('2026-07-13 08:00');
  });

  it('defers French marketing on 14 July (a public holiday) to the next morning', async () => {
    const res = await explain({
      contactId: frId,
      message: frMarketing,
      at: '2026-07-14T11:00:00+02:00',
    });
    expect(res.json()).toMatchObject({
      action: 'defer',
      reason: 'holiday',
      until: '2026-07-15T06:00:00.000Z',
    });
  });

  it('sends on a weekday morning, and blocks marketing without consent', async () => {
    expect(
      (
        await explain({ contactId: frId, message: frMarketing, at: '2026-07-15T10:00:00+02:00' })
      ).json().action,
    ).toBe('send');
    const cn = await explain({
      contactId: cnId,
      message: { purpose: 'marketing', body: '【小店】双11全场五折，回TD退订' },
      at: '2026-11-11T10:00:00+08:00',
      locale: 'zh',
    });
    expect(cn.json()).toMatchObject({ action: 'block', reason: 'no_consent', policy: 'CN' });
    expect(cn.json().explanation).toMatch(/[\u4e00-\u9fff]/);
  });

  it('finds a contact by number too, and validates the request', async () => {
    const res = await explain({
      phone: '+33612345678',
      message: frMarketing,
      at: '2026-07-15T10:00:00+02:00',
    });
    expect(res.json().action).toBe('send');
    const bad = await explain({ contactId: frId, phone: '+33612345678', message: frMarketing });
    expect(bad.statusCode).toBe(400);
    const missing = await explain({ contactId: frId, message: { purpose: 'promo', body: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('lints Chinese marketing for the signature and 退订 text', async () => {
    const lint = (text: string, autoAppendOptOut?: boolean) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/content/lint',
        headers: marketer,
        payload: {
          text,
          purpose: 'marketing',
          country: 'CN',
          brand: '小店',
          ...(autoAppendOptOut === undefined ? {} : { autoAppendOptOut }),
        },
      });
    const good = await lint('【小店】双11全场五折，回TD退订');
    expect(good.json()).toMatchObject({ policy: 'CN', lint: { ok: true } });
    const unsigned = await lint('双11全场五折，回TD退订');
    expect(unsigned.json().lint.ok).toBe(false);
    const appended = await lint('【小店】双11全场五折', true);
    expect(appended.json().lint.fixedText).toMatch(/^【小店】双11全场五折.*退订/);
  });

  it('lets an admin tighten a pack, refuses to widen a legal limit, and audits it', async () => {
    const forbid = await t.app.inject({
      method: 'PUT',
      url: '/v1/policies/CN/overrides',
      headers: admin,
      payload: { overrides: { content: { forbiddenWords: { marketing: ['最便宜'] } } } },
    });
    expect(forbid.statusCode).toBe(200);
    const lint = await t.app.inject({
      method: 'POST',
      url: '/v1/content/lint',
      headers: marketer,
      payload: { text: '【小店】全网最便宜，回TD退订', purpose: 'marketing', country: 'CN' },
    });
    expect(lint.json().lint.ok).toBe(false);
    const widen = await t.app.inject({
      method: 'PUT',
      url: '/v1/policies/FR/overrides',
      headers: admin,
      payload: { overrides: { quietHours: { marketing: null } } },
    });
    expect(widen.statusCode).toBe(400);
    expect(widen.json().error.code).toBe('VALIDATION_FAILED');
    const denied = await t.app.inject({
      method: 'PUT',
      url: '/v1/policies/CN/overrides',
      headers: marketer,
      payload: { overrides: null },
    });
    expect(denied.statusCode).toBe(403);
    const audit = await queryAuditRows(t.ctx.store.db, { action: 'policy.override', limit: 5 });
    expect(audit).toHaveLength(1);
    const packs = await t.app.inject({ method: 'GET', url: '/v1/policies', headers: marketer });
    const cn = packs.json().items.find((p: { id: string }) => p.id === 'CN');
    expect(cn.overrides).toEqual({ content: { forbiddenWords: { marketing: ['最便宜'] } } });
    expect(cn.sources.quietHours).toBeTruthy();
  });
});
