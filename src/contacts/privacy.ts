/**
 * Data-subject rights: the export of everything Herald holds on a number, and its erasure.
 *
 * The export is the one place where the clear number leaves Herald on purpose (the person asked
 * for their own data); it is returned, never stored or logged. Both are audited with actor,
 * target and reason, and the audit never holds the number: the subject is named by its contact
 * id and its blind index (the same keyed hash the suppression list keeps), and the free-text
 * reason passes through the phone redaction first.
 *
 * Erasure keeps exactly two things: a suppression (reason `erased`, scope `marketing`) under the
 * blind index, so that no import or API call can make the number a marketing contact again, and
 * anonymous aggregates of the messages (status, purpose, kind, campaign, times). Why the scope is
 * `marketing` and not `all`: see docs/privacy.md.
 */
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import { maskForReport } from '../core/hygiene.js';
import { redactPhones } from '../core/redact.js';
import {
  eraseSubjectRows,
  loadSubjectRows,
  withSecureDelete,
  type ErasureCounts,
  type SubjectKey,
  type SubjectRows,
} from '../store/privacy.js';
import { findContactById, findContactByIndex } from '../store/contacts.js';
import { parseOrThrow } from './contacts.js';

/** A data subject: a number as the person gives it, or a contact id. */
export type SubjectRef =
  { readonly phone: string; readonly country?: string } | { readonly contactId: number };

export interface PrivacyRequest {
  readonly actor: string;
  readonly reason?: string;
  readonly ip?: string | null;
  readonly now?: Date;
}

const EXPORT_FORMAT = 'herald.subject-export.v1';

export type SubjectExport = ReturnType<typeof exportDocument>;

async function resolveSubject(
  ctx: AppContext,
  ref: SubjectRef,
): Promise<{ e164: string; key: SubjectKey }> {
  let e164: string;
  let contactId: number | null;
  let phoneIndex: string;
  if ('contactId' in ref) {
    const row = await findContactById(ctx.store.db, ref.contactId);
    if (!row) throw new HeraldError('NOT_FOUND', 'No such contact');
    e164 = ctx.cipher.decrypt(row.phone_enc);
    contactId = row.id;
    phoneIndex = row.phone_index;
  } else {
    e164 = parseOrThrow(ref.phone, ref.country ?? ctx.config.defaultCountry).e164;
    phoneIndex = ctx.cipher.blindIndex(e164);
    contactId = (await findContactByIndex(ctx.store.db, phoneIndex))?.id ?? null;
  }
  return { e164, key: { phoneIndex, contactId, maskedPhone: maskForReport(e164) } };
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function exportDocument(ctx: AppContext, e164: string, rows: SubjectRows, now: Date) {
  const c = rows.contact;
  const phoneOf = (enc: string | null) => (enc === null ? null : ctx.cipher.decrypt(enc));
  return {
    format: EXPORT_FORMAT,
    generatedAt: now.toISOString(),
    subject: { phone: e164, found: c !== undefined },
    contact: c
      ? {
          id: c.id,
          phone: phoneOf(c.phone_enc),
          country: c.country,
          numberType: c.number_type,
          zones: json(c.zones),
          timeZone: c.own_zone,
          carrier: c.carrier,
          place: c.place,
          externalId: c.external_id,
          status: c.status,
          invalidReason: c.invalid_reason,
          source: c.source,
          importId: c.import_id,
          hardBounces: c.hard_bounces,
          lastEngagedAt: c.last_engaged_at,
          repermissionAt: c.repermission_at,
          createdAt: c.created_at,
          updatedAt: c.updated_at,
          attributes: {
            birthYear: c.birth_year,
            ageBand: c.age_band,
            city: c.city,
            region: c.region,
            gender: c.gender,
            locale: c.locale,
            tags: json(c.tags),
            custom: json(c.custom),
          },
        }
      : null,
    consent: {
      current: rows.currentConsents.map((s) => ({
        purpose: s.purpose,
        granted: s.granted === 1,
        method: s.method,
        source: s.source,
        at: s.at,
      })),
      history: rows.consentHistory.map((e) => ({
        id: e.id,
        purpose: e.purpose,
        action: e.action,
        method: e.method,
        source: e.source,
        ip: e.ip,
        userAgent: e.user_agent,
        formUrl: e.form_url,
        consentTextId: e.consent_text_id,
        consentTextHash: e.consent_text_hash,
        evidence: json(e.evidence),
        recordedBy: e.recorded_by,
        at: e.at,
      })),
    },
    suppressions: rows.suppressions.map((s) => ({
      scope: s.scope,
      reason: s.reason,
      note: s.note,
      since: s.created_at,
    })),
    messages: rows.messages.map((m) => ({
      id: m.id,
      to: phoneOf(m.phone_enc),
      purpose: m.purpose,
      kind: m.kind,
      body: m.body,
      segments: m.segments,
      status: m.status,
      carrier: m.carrier,
      errorCode: m.error_code,
      campaignId: m.campaign_id,
      createdAt: m.created_at,
      sentAt: m.sent_at,
      deliveredAt: m.delivered_at,
    })),
    inboundMessages: rows.inboundMessages.map((m) => ({
      id: m.id,
      body: m.body,
      intent: m.intent,
      carrier: m.carrier,
      receivedAt: m.received_at,
    })),
    events: rows.events.map((e) => ({
      id: e.id,
      type: e.type,
      occurredAt: e.occurred_at,
      amount: e.amount,
      currency: e.currency,
      category: e.category,
      sku: e.sku,
      properties: json(e.properties),
      receivedAt: e.received_at,
    })),
    links: rows.links.map((l) => ({
      code: l.code,
      target: l.target,
      campaignId: l.campaign_id,
      sentAt: l.created_at,
      clickedAt: l.clicked_at,
      byBot: l.is_bot === null ? null : l.is_bot === 1,
    })),
    conversions: rows.conversions.map((c) => ({
      orderId: c.order_id,
      value: c.value,
      currency: c.currency,
      occurredAt: c.occurred_at,
      campaignId: c.campaign_id,
    })),
    importLines: rows.importLines.map((l) => ({
      importId: l.import_id,
      fileName: l.file_name,
      importedAt: l.imported_at,
      line: l.line,
      outcome: l.outcome,
      reason: l.reason,
      maskedPhone: l.masked_phone,
      linkedToContact: l.contact_id !== null,
    })),
    pendingSubscriptions: rows.pendingSubscriptions.map((p) => ({
      id: p.id,
      formId: p.form_id,
      status: p.status,
      ip: p.ip,
      userAgent: p.user_agent,
      formUrl: p.form_url,
      locale: p.locale,
      attributes: json(p.attributes),
      createdAt: p.created_at,
      expiresAt: p.expires_at,
      confirmedAt: p.confirmed_at,
      confirmMethod: p.confirm_method,
    })),
  };
}

function auditReason(reason: string | undefined, fallback: string): string {
  // Requesters paste the number into the reason ("request from +86 138..."): never keep it.
  return redactPhones((reason ?? fallback).slice(0, 500));
}

/** Everything held on a subject, as JSON with the clear number; audited. */
export async function exportSubject(
  ctx: AppContext,
  ref: SubjectRef,
  req: PrivacyRequest,
): Promise<SubjectExport> {
  const { e164, key } = await resolveSubject(ctx, ref);
  const rows = await loadSubjectRows(ctx.store.db, key);
  const doc = exportDocument(ctx, e164, rows, req.now ?? new Date());
  await ctx.auditor.record({
    actor: req.actor,
    action: 'privacy.export',
    target: key.contactId === null ? null : `contact:${key.contactId}`,
    details: {
      reason: auditReason(req.reason, 'data-subject access request'),
      subject: key.phoneIndex,
      found: doc.subject.found,
      counts: {
        consentEvents: doc.consent.history.length,
        messages: doc.messages.length,
        inboundMessages: doc.inboundMessages.length,
        events: doc.events.length,
        links: doc.links.length,
        conversions: doc.conversions.length,
        importLines: doc.importLines.length,
        pendingSubscriptions: doc.pendingSubscriptions.length,
      },
    },
    ip: req.ip ?? null,
  });
  return doc;
}

export interface ErasureResult {
  readonly contactId: number | null;
  readonly counts: ErasureCounts;
}

/** Destroys the personal data held on a subject; keeps the suppression hash; audited. */
export async function eraseSubject(
  ctx: AppContext,
  ref: SubjectRef,
  req: PrivacyRequest,
): Promise<ErasureResult> {
  const { key } = await resolveSubject(ctx, ref);
  const at = (req.now ?? new Date()).toISOString();
  const db = ctx.store.db;
  const counts = await withSecureDelete(db, () =>
    db.transaction().execute((tx) =>
      eraseSubjectRows(tx, key, {
        phone_index: key.phoneIndex,
        scope: 'marketing',
        reason: 'erased',
        note: 'data-subject erasure',
        created_by: req.actor,
        created_at: at,
      }),
    ),
  );
  await ctx.auditor.record({
    actor: req.actor,
    action: 'privacy.erase',
    target: key.contactId === null ? null : `contact:${key.contactId}`,
    details: {
      reason: auditReason(req.reason, 'data-subject erasure request'),
      subject: key.phoneIndex,
      counts,
    },
    ip: req.ip ?? null,
  });
  return { contactId: key.contactId, counts };
}
