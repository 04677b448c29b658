import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { eraseCommand, exportCommand } from '../../src/cli/commands/privacy.js';
import { createContact } from '../../src/contacts/contacts.js';
import { applyRetention, retentionJob } from '../../src/contacts/retention.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { openTestContext } from '../helpers/context.js';

const NOW = new Date('2025-06-01T00:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

describe.each(DIALECTS)('[%s] retention and the privacy commands', (dialect) => {
  let ctx: AppContext;
  let database: TestDatabase;
  let contactId: number;
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-export-'));

  beforeAll(async () => {
    ({ ctx, database } = await openTestContext(dialect, {
      HERALD_RETENTION_MESSAGE_DAYS: '30',
      HERALD_RETENTION_EVENT_DAYS: '365',
    }));
    contactId = (await createContact(ctx, { phone: '+33 6 12 34 56 78', source: 'test' }, 'test'))
      .id;
    const db = ctx.store.db;
    const index = ctx.cipher.blindIndex('+33612345678');
    for (const [age, body] of [
      [31, 'old body'],
      [29, 'recent body'],
      [400, null],
    ] as const) {
      await db
        .insertInto('messages')
        .values({
          contact_id: contactId,
          phone_index: index,
          phone_enc: null,
          purpose: 'transactional',
          kind: 'otp',
          body,
          segments: 1,
          status: 'delivered',
          carrier: 'simulator',
          carrier_message_id: null,
          error_code: null,
          not_before: daysAgo(age),
          lease_until: null,
          campaign_id: null,
          created_at: daysAgo(age),
          sent_at: daysAgo(age),
          delivered_at: null,
        })
        .execute();
      await db
        .insertInto('inbound_messages')
        .values({
          contact_id: contactId,
          phone_index: index,
          body,
          intent: 'other',
          carrier: 'simulator',
          received_at: daysAgo(age),
        })
        .execute();
    }
    for (const age of [366, 364, 1000]) {
      await db
        .insertInto('events')
        .values({
          contact_id: contactId,
          type: 'view',
          occurred_at: daysAgo(age),
          amount: null,
          currency: null,
          category: null,
          sku: null,
          properties: '{}',
          idempotency_key: null,
          received_at: daysAgo(age),
        })
        .execute();
    }
  });
  afterAll(async () => {
    await ctx.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('clears old message bodies and deletes old events, and audits it', async () => {
    const counts = await applyRetention(ctx, { now: NOW, actor: 'test' });
    expect(counts).toEqual({ messageBodies: 1, inboundBodies: 1, events: 2 });
    const db = ctx.store.db;
    const bodies = await db.selectFrom('messages').select('body').orderBy('id').execute();
    expect(bodies.map((b) => b.body)).toEqual([null, 'recent body', null]);
    const inbound = await db.selectFrom('inbound_messages').select('body').orderBy('id').execute();
    expect(inbound.map((b) => b.body)).toEqual([null, 'recent body', null]);
    const events = await db.selectFrom('events').select('occurred_at').execute();
    expect(events.map((e) => e.occurred_at)).toEqual([daysAgo(364)]);
    const audit = await queryAuditRows(db, { action: 'retention.run', limit: 5 });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ messageBodies: 1, events: 2 });
  });

  it('a second run removes nothing and writes no audit row', async () => {
    expect(await retentionJob.run(ctx, NOW)).toEqual({
      messageBodies: 0,
      inboundBodies: 0,
      events: 0,
    });
    expect(await queryAuditRows(ctx.store.db, { action: 'retention.run', limit: 5 })).toHaveLength(
      1,
    );
  });

  it('herald export writes the JSON to a file only its owner can read', async () => {
    const out = path.join(dir, 'subject.json');
    const err: string[] = [];
    await exportCommand(
      ctx,
      { phone: '06 12 34 56 78', country: 'fr', out },
      { write: () => undefined },
      { write: (s) => err.push(s) },
    );
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc).toMatchObject({ subject: { phone: '+33612345678' }, contact: { id: contactId } });
    expect(err.join('')).toBe(`exported contact ${contactId} to ${out}\n`);
  });

  it('herald erase needs --yes and exactly one subject, then answers with counts', async () => {
    const out: string[] = [];
    const write = { write: (s: string) => out.push(s) };
    await expect(eraseCommand(ctx, { contactId: String(contactId) }, write)).rejects.toThrow(
      /--yes/,
    );
    await expect(
      eraseCommand(ctx, { phone: '+33612345678', contactId: '1', yes: true }, write),
    ).rejects.toThrow(/exactly one/);
    await eraseCommand(ctx, { contactId: String(contactId), yes: true, reason: 'test' }, write);
    expect(out.join('')).toMatch(
      new RegExp(`^erased contact ${contactId}: contacts=1 consentEvents=0 events=1 messages=3 `),
    );
    const [audit] = await queryAuditRows(ctx.store.db, { action: 'privacy.erase', limit: 1 });
    expect(audit!.actor).toMatch(/^cli:/);
  });
});
