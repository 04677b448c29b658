/**
 * Seeds one data subject with something in every table that can hold their data: contact,
 * consent ledger, events (through the API), outbound messages (sent, deferred with template variables, and one to the
 * number without a contact), an inbound reply, a pending sign-up, import report lines and a
 * clicked tracked link.
 */
import type { AppContext } from '../../src/app-context.js';
import type { TestApp } from '../helpers/context.js';

export const BODY_MARKER = 'SPRING-7731-sale';

export async function seedSubject(
  t: TestApp,
  headers: Record<string, string>,
  opts: { phone: string; country?: string; e164: string; masked: string; tag: string },
): Promise<number> {
  const ctx: AppContext = t.ctx;
  const db = ctx.store.db;
  const created = await t.app.inject({
    method: 'POST',
    url: '/v1/contacts',
    headers,
    payload: {
      phone: opts.phone,
      country: opts.country,
      externalId: `cust-${opts.tag}`,
      attributes: { city: '上海', tags: ['vip'] },
      consents: [
        {
          purpose: 'marketing',
          action: 'grant',
          method: 'web_form',
          source: 'signup',
          ip: '203.0.113.9',
        },
        { purpose: 'transactional', action: 'grant', method: 'api', source: 'checkout' },
      ],
    },
  });
  if (created.statusCode !== 201) throw new Error(`seed: ${created.body}`);
  const id = created.json().id as number;
  const events = await t.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers,
    payload: {
      events: [
        {
          type: 'purchase',
          contact: { id },
          occurredAt: '2025-05-01T10:00:00Z',
          properties: { amount: 25.5, currency: 'CNY', sku: 'TEA-1' },
        },
        {
          type: 'app_open',
          contact: { externalId: `cust-${opts.tag}` },
          occurredAt: '2025-05-02T10:00:00Z',
        },
      ],
    },
  });
  if (events.json().accepted !== 2) throw new Error(`seed events: ${events.body}`);

  const phoneIndex = ctx.cipher.blindIndex(opts.e164);
  const at = '2025-05-03T10:00:00.000Z';
  const message = (
    contactId: number | null,
    status: string,
    sentAt: string | null,
    body: string,
  ) => ({
    contact_id: contactId,
    phone_index: phoneIndex,
    phone_enc: ctx.cipher.encrypt(opts.e164),
    purpose: 'marketing',
    kind: 'campaign',
    body,
    segments: 1,
    status,
    carrier: 'simulator',
    carrier_message_id: `sim-${opts.tag}-${status}`,
    error_code: null,
    not_before: at,
    lease_until: null,
    campaign_id: 7,
    created_at: at,
    sent_at: sentAt,
    delivered_at: sentAt,
  });
  const sent = await db
    .insertInto('messages')
    .values([
      message(id, 'delivered', at, `【Shop】${BODY_MARKER} ${opts.tag}, reply TD to opt out`),
      {
        ...message(id, 'deferred', null, `Your code ${opts.tag} ${BODY_MARKER}`),
        template: JSON.stringify({ key: 'otp', variables: { code: `Your code ${opts.tag}` } }),
      },
      message(null, 'delivered', at, `Reply YES to confirm ${BODY_MARKER}`),
    ])
    .returning('id')
    .execute();
  await db
    .insertInto('inbound_messages')
    .values({
      contact_id: id,
      phone_index: phoneIndex,
      body: `YES ${BODY_MARKER}`,
      intent: 'confirm',
      carrier: 'simulator',
      received_at: at,
    })
    .execute();

  const text = await db
    .insertInto('consent_texts')
    .values({
      key: `signup-${opts.tag}`,
      version: 1,
      purpose: 'marketing',
      locale: 'zh-CN',
      body: 'OK?',
      hash: 'h',
      created_by: 'test',
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const form = await db
    .insertInto('forms')
    .values({
      public_key: `pk-${opts.tag}`,
      name: 'shop',
      consent_text_id: text.id,
      default_country: 'CN',
      brand: 'Shop',
      created_by: 'test',
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('pending_subscriptions')
    .values({
      phone_index: phoneIndex,
      phone_enc: ctx.cipher.encrypt(opts.e164),
      form_id: form.id,
      token_hash: `tok-${opts.tag}`,
      ip: '198.51.100.7',
      user_agent: 'Mozilla',
      form_url: 'https://shop.example/join',
      locale: 'zh-CN',
      attributes: '{"city":"上海"}',
      status: 'pending',
      created_at: at,
      expires_at: '2025-05-05T10:00:00.000Z',
      confirmed_at: null,
      confirm_method: null,
    })
    .execute();

  const imp = await db
    .insertInto('imports')
    .values({
      file_name: `list-${opts.tag}.csv`,
      file_hash: 'x',
      options: '{}',
      status: 'done',
      counts: '{}',
      error: null,
      created_by: 'test',
      created_at: at,
      updated_at: at,
      finished_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('import_rows')
    .values([
      {
        import_id: imp.id,
        line: 2,
        outcome: 'merged',
        reason: null,
        contact_id: id,
        masked_phone: opts.masked,
      },
      {
        import_id: imp.id,
        line: 3,
        outcome: 'duplicate',
        reason: 'duplicate within the file',
        contact_id: null,
        masked_phone: opts.masked,
      },
    ])
    .execute();

  await db
    .insertInto('short_links')
    .values({
      code: `l-${opts.tag}`,
      target: 'https://shop.example/sale',
      message_id: sent[0]!.id,
      contact_id: id,
      campaign_id: 7,
      variant: null,
      created_at: at,
      expires_at: null,
    })
    .execute();
  await db
    .insertInto('link_clicks')
    .values({ code: `l-${opts.tag}`, at, is_bot: 0, visitor: 'v' })
    .execute();
  return id;
}
