import { readFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../src/contacts/contacts.js';
import { ERASED_INDEX } from '../../src/store/privacy.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { DIALECTS } from '../helpers/databases.js';
import { openTestApp, type TestApp } from '../helpers/context.js';
import { BODY_MARKER, seedSubject } from './privacy-seed.js';

const E164 = '+8613800138000';
const MASKED = '+86 138****8000';
const BYSTANDER = '+8613900139000';

describe.each(DIALECTS)('[%s] data-subject export and erasure', (dialect) => {
  let t: TestApp;
  let compliance: Record<string, string>;
  let marketer: Record<string, string>;
  let support: Record<string, string>;
  let id: number;
  let bystander: number;

  const post = (url: string, payload: unknown, headers = compliance) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as object });
  const phoneIndex = () => t.ctx.cipher.blindIndex(E164);

  /** Every row of every table, as text. */
  async function everything(): Promise<Record<string, string>> {
    const db = t.ctx.store.db;
    const out: Record<string, string> = {};
    for (const table of await db.introspection.getTables()) {
      if (table.name.startsWith('kysely_')) continue;
      // PostgreSQL lists every schema's tables; ours are the ones in this test's schema.
      if (t.database.schema && table.schema !== t.database.schema) continue;
      const rows = await db
        .selectFrom(table.name as 'contacts')
        .selectAll()
        .execute();
      out[table.name] = JSON.stringify(rows);
    }
    return out;
  }

  beforeAll(async () => {
    t = await openTestApp(dialect);
    compliance = { authorization: `Bearer ${await t.keyFor('compliance')}` };
    marketer = { authorization: `Bearer ${await t.keyFor('marketer')}` };
    support = { authorization: `Bearer ${await t.keyFor('support')}` };
    id = await seedSubject(t, marketer, {
      phone: '138 0013 8000',
      country: 'CN',
      e164: E164,
      masked: MASKED,
      tag: 'a',
    });
    bystander = await seedSubject(t, marketer, {
      phone: BYSTANDER,
      e164: BYSTANDER,
      masked: '+86 139****9000',
      tag: 'b',
    });
  });
  afterAll(async () => t.close());

  it('exports everything held on the number, with the clear number, and audits it', async () => {
    const res = await post('/v1/privacy/export', {
      phone: '0086 138-0013-8000',
      reason: 'DSAR by e-mail from +86 138 0013 8000, ticket 42',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const doc = res.json();
    expect(doc).toMatchObject({
      format: 'herald.subject-export.v1',
      subject: { phone: E164, found: true },
      contact: {
        id,
        phone: E164,
        externalId: 'cust-a',
        country: 'CN',
        attributes: { city: '上海', tags: ['vip'] },
      },
      suppressions: [],
    });
    expect(
      doc.consent.history.map(
        (e: { purpose: string; action: string }) => `${e.purpose}:${e.action}`,
      ),
    ).toEqual(['marketing:grant', 'transactional:grant']);
    expect(doc.consent.history[0]).toMatchObject({
      method: 'web_form',
      source: 'signup',
      ip: '203.0.113.9',
    });
    expect(doc.consent.current).toHaveLength(2);
    expect(doc.events).toMatchObject([
      { type: 'purchase', amount: 25.5, currency: 'CNY', sku: 'TEA-1' },
      { type: 'app_open' },
    ]);
    expect(doc.messages).toHaveLength(3);
    expect(doc.messages[0]).toMatchObject({
      to: E164,
      status: 'delivered',
      body: expect.stringContaining(BODY_MARKER),
    });
    expect(doc.inboundMessages).toMatchObject([{ intent: 'confirm', body: `YES ${BODY_MARKER}` }]);
    expect(doc.pendingSubscriptions).toMatchObject([
      { status: 'pending', ip: '198.51.100.7', attributes: { city: '上海' } },
    ]);
    expect(doc.importLines).toMatchObject([
      {
        line: 2,
        outcome: 'merged',
        maskedPhone: MASKED,
        linkedToContact: true,
        fileName: 'list-a.csv',
      },
      { line: 3, outcome: 'duplicate', linkedToContact: false },
    ]);
    expect(doc.links).toMatchObject([{ code: 'l-a', clickedAt: expect.any(String), byBot: false }]);
    expect(JSON.stringify(doc)).not.toContain(BYSTANDER);

    const byId = (await post('/v1/privacy/export', { contactId: id })).json();
    expect({ ...byId, generatedAt: null }).toEqual({ ...doc, generatedAt: null });

    // Newest first: the export by id, then the export by number with its reason.
    const [, audit] = await queryAuditRows(t.ctx.store.db, { action: 'privacy.export', limit: 2 });
    expect(audit!.target).toBe(`contact:${id}`);
    const details = JSON.parse(audit!.details);
    expect(details).toMatchObject({
      subject: phoneIndex(),
      found: true,
      counts: { messages: 3, events: 2 },
    });
    expect(details.reason).toContain('[phone]');
    expect(audit!.details).not.toMatch(/138.?0013.?8000|13800138000/);
  });

  it('refuses the export and the erasure to roles without the permission', async () => {
    expect((await post('/v1/privacy/export', { contactId: id }, support)).statusCode).toBe(403);
    expect((await post('/v1/privacy/erase', { contactId: id }, marketer)).statusCode).toBe(403);
    expect((await post('/v1/privacy/export', { contactId: 999_999 })).statusCode).toBe(404);
    expect((await post('/v1/privacy/export', { phone: '12' })).json().error.code).toBe(
      'CONTACT_INVALID_NUMBER',
    );
  });

  it('erases the personal data, keeps the suppression hash and anonymous message aggregates', async () => {
    const before = await everything();
    const res = await post('/v1/privacy/erase', { phone: E164, reason: 'erasure request' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      contactId: id,
      counts: {
        contacts: 1,
        consentEvents: 2,
        events: 2,
        messages: 3,
        messagesCancelled: 1,
        inboundMessages: 1,
        pendingSubscriptions: 1,
        importLines: 2,
        shortLinks: 1,
        suppressionAdded: 1,
      },
    });

    const after = await everything();
    expect(Object.keys(after)).toEqual(
      expect.arrayContaining(['contacts', 'messages', 'audit_log', 'suppressions', 'link_clicks']),
    );
    const db = t.ctx.store.db;
    // Nothing personal left anywhere: not the number in any form, not a body, not the mask.
    for (const [table, text] of Object.entries(after)) {
      for (const needle of [
        E164,
        '13800138000',
        MASKED,
        `${BODY_MARKER} a`,
        `Your code a`,
        'cust-a',
      ]) {
        expect(text.includes(needle), `${table} still holds ${needle}`).toBe(false);
      }
    }
    expect(after.contacts).not.toContain(`"id":${id},`);
    for (const table of ['consent_events', 'contact_consents', 'events'] as const) {
      const rows = await db
        .selectFrom(table)
        .select('contact_id')
        .where('contact_id', '=', id)
        .execute();
      expect(rows, table).toEqual([]);
    }
    const messages = await db
      .selectFrom('messages')
      .selectAll()
      .where('phone_index', '=', ERASED_INDEX)
      .orderBy('id')
      .execute();
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      expect(m).toMatchObject({
        contact_id: null,
        phone_enc: null,
        body: null,
        template: null,
        carrier_message_id: null,
        purpose: 'marketing',
        campaign_id: 7,
      });
    }
    expect(messages.map((m) => m.status)).toEqual(['delivered', 'cancelled', 'delivered']);
    const inbound = await db
      .selectFrom('inbound_messages')
      .selectAll()
      .where('phone_index', '=', ERASED_INDEX)
      .execute();
    expect(inbound).toMatchObject([{ contact_id: null, body: null, intent: 'confirm' }]);
    expect(
      await db
        .selectFrom('pending_subscriptions')
        .selectAll()
        .where('phone_index', '=', phoneIndex())
        .execute(),
    ).toEqual([]);
    const lines = await db
      .selectFrom('import_rows')
      .selectAll()
      .where('masked_phone', 'is', null)
      .execute();
    expect(lines).toHaveLength(2);
    expect(
      (
        await db
          .selectFrom('short_links')
          .selectAll()
          .where('code', '=', 'l-a')
          .executeTakeFirstOrThrow()
      ).contact_id,
    ).toBeNull();
    expect(
      await db
        .selectFrom('suppressions')
        .select(['scope', 'reason'])
        .where('phone_index', '=', phoneIndex())
        .execute(),
    ).toEqual([{ scope: 'marketing', reason: 'erased' }]);
    const [audit] = await queryAuditRows(db, { action: 'privacy.erase', limit: 1 });
    expect(audit).toMatchObject({ target: `contact:${id}` });
    expect(JSON.parse(audit!.details)).toMatchObject({
      subject: phoneIndex(),
      counts: { contacts: 1 },
    });

    // The bystander's data is untouched.
    const theirs = async (table: 'consent_events' | 'events') =>
      (await db.selectFrom(table).select('id').where('contact_id', '=', bystander).execute())
        .length;
    expect(await theirs('consent_events')).toBe(2);
    expect(await theirs('events')).toBe(2);
    const theirIndex = t.ctx.cipher.blindIndex(BYSTANDER);
    const pending = await db
      .selectFrom('pending_subscriptions')
      .select('id')
      .where('phone_index', '=', theirIndex)
      .execute();
    expect(pending).toHaveLength(1);
    const theirMessages = await db
      .selectFrom('messages')
      .select('body')
      .where('phone_index', '=', theirIndex)
      .execute();
    expect(theirMessages.map((m) => m.body).join()).toContain(`${BODY_MARKER} b`);
    expect(after.link_clicks).toEqual(before.link_clicks);

    if (dialect === 'sqlite') {
      // Deleted content is zeroed and the WAL emptied, so the bodies are gone from the file too.
      const file = t.ctx.config.database.dialect === 'sqlite' ? t.ctx.config.database.file : '';
      const bytes = [file, `${file}-wal`]
        .filter(existsSync)
        .map((f) => readFileSync(f).toString('latin1'));
      expect(bytes.join('').includes(`Your code a`)).toBe(false);
    }
  });

  it('afterwards, an export finds nothing but the suppression, and marketing cannot come back', async () => {
    const doc = (await post('/v1/privacy/export', { phone: '+86 138 0013 8000' })).json();
    expect(doc).toMatchObject({
      subject: { found: false },
      contact: null,
      consent: { current: [], history: [] },
      messages: [],
      inboundMessages: [],
      events: [],
      links: [],
      importLines: [],
      pendingSubscriptions: [],
      suppressions: [{ scope: 'marketing', reason: 'erased' }],
    });

    // A marketing import (consent basis `import`) of the same number is refused as suppressed.
    await expect(
      createContact(
        t.ctx,
        {
          phone: '138-0013-8000',
          defaultCountry: 'CN',
          source: 'import:list.csv',
          consents: [
            {
              purpose: 'marketing',
              action: 'grant',
              method: 'import',
              source: 'list.csv',
              evidence: { file: 'x' },
            },
          ],
        },
        'test',
      ),
    ).rejects.toMatchObject({ code: 'CONTACT_SUPPRESSED' });
    const api = await post(
      '/v1/contacts',
      {
        phone: E164,
        consents: [{ purpose: 'marketing', action: 'grant', method: 'web_form', source: 'form' }],
      },
      marketer,
    );
    expect(api.statusCode).toBe(409);
    expect(api.json().error.code).toBe('CONTACT_SUPPRESSED');
    // Transactional messages (an order status) stay possible: the suppression's scope is marketing.
    const tx = await post(
      '/v1/contacts',
      {
        phone: E164,
        consents: [
          { purpose: 'transactional', action: 'grant', method: 'api', source: 'checkout' },
        ],
      },
      marketer,
    );
    expect(tx.statusCode).toBe(201);
    expect(tx.json().suppressions).toMatchObject([{ scope: 'marketing', reason: 'erased' }]);
  });

  it('DELETE /v1/contacts/:id is the same erasure', async () => {
    const del = (contact: number, headers = compliance) =>
      t.app.inject({
        method: 'DELETE',
        url: `/v1/contacts/${contact}?reason=closing%20account`,
        headers,
      });
    expect((await del(bystander, marketer)).statusCode).toBe(403);
    const res = await del(bystander);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      contactId: bystander,
      counts: { contacts: 1, messages: 3, suppressionAdded: 1 },
    });
    expect((await del(bystander)).statusCode).toBe(404);
    const [audit] = await queryAuditRows(t.ctx.store.db, { action: 'privacy.erase', limit: 1 });
    expect(JSON.parse(audit!.details).reason).toBe('closing account');
  });
});
