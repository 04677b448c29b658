/**
 * Contacts: create, read, update, list, look up by number, reveal. A contact is one E.164
 * number, stored encrypted with a blind index; everything derived from the number (country,
 * type, zones, carrier, place) is computed once on write.
 */
import type { AppContext } from '../app-context.js';
import { HeraldError } from '../core/errors.js';
import { maskPhone, parsePhone, type CountryCode } from '../core/phone.js';
import type { Purpose } from '../core/policy/purposes.js';
import { currentConsents, type ContactConsentRow } from '../store/consents.js';
import {
  findContactByExternalId,
  findContactById,
  findContactByIndex,
  insertContact,
  updateContact,
  type ContactRow,
} from '../store/contacts.js';
import { findSuppressions, type SuppressionRow } from '../store/suppressions.js';
import { checkContactAttributes, type ContactAttributesInput } from './attributes.js';
import { recordConsent, type ConsentInput } from './consent.js';
import { phoneMetadata } from './phone-metadata.js';

export interface ContactView {
  readonly id: number;
  readonly phone: string;
  readonly country: string | null;
  readonly numberType: string;
  readonly zones: string[];
  readonly timeZone: string | null;
  readonly carrier: string | null;
  readonly place: string | null;
  readonly externalId: string | null;
  readonly status: string;
  readonly invalidReason: string | null;
  readonly attributes: {
    birth_year: number | null;
    age_band: string | null;
    city: string | null;
    region: string | null;
    gender: string | null;
    locale: string | null;
    tags: string[];
    custom: Record<string, unknown>;
  };
  readonly consents: Record<
    string,
    { granted: boolean; method: string; source: string; at: string }
  >;
  readonly suppressions: { scope: string; reason: string; since: string }[];
  readonly source: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function contactView(
  ctx: AppContext,
  row: ContactRow,
  consents: readonly ContactConsentRow[] = [],
  suppressions: readonly SuppressionRow[] = [],
): ContactView {
  return {
    id: row.id,
    phone: maskPhone(ctx.cipher.decrypt(row.phone_enc)),
    country: row.country,
    numberType: row.number_type,
    zones: JSON.parse(row.zones) as string[],
    timeZone: row.own_zone,
    carrier: row.carrier,
    place: row.place,
    externalId: row.external_id,
    status: row.status,
    invalidReason: row.invalid_reason,
    attributes: {
      birth_year: row.birth_year,
      age_band: row.age_band,
      city: row.city,
      region: row.region,
      gender: row.gender,
      locale: row.locale,
      tags: JSON.parse(row.tags) as string[],
      custom: JSON.parse(row.custom) as Record<string, unknown>,
    },
    consents: Object.fromEntries(
      consents.map((c) => [
        c.purpose,
        { granted: c.granted === 1, method: c.method, source: c.source, at: c.at },
      ]),
    ),
    suppressions: suppressions.map((s) => ({
      scope: s.scope,
      reason: s.reason,
      since: s.created_at,
    })),
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The full view of one contact: its row, current consents and suppressions. */
export async function loadContactView(ctx: AppContext, row: ContactRow): Promise<ContactView> {
  const db = ctx.store.db;
  const [consents, suppressions] = await Promise.all([
    currentConsents(db, row.id),
    findSuppressions(db, row.phone_index),
  ]);
  return contactView(ctx, row, consents, suppressions);
}

/** Parses a number or throws CONTACT_INVALID_NUMBER with the reason (never echoing the input). */
export function parseOrThrow(
  phone: string,
  defaultCountry?: string,
): { e164: string; country: string | null; type: string } {
  const parsed = parsePhone(phone, defaultCountry as CountryCode | undefined);
  if (!parsed.ok) {
    throw new HeraldError('CONTACT_INVALID_NUMBER', `Not a valid phone number (${parsed.reason})`, {
      reason: parsed.reason,
    });
  }
  return { e164: parsed.e164, country: parsed.country, type: parsed.type };
}

export interface CreateContactInput {
  readonly phone: string;
  readonly defaultCountry?: string;
  readonly externalId?: string;
  readonly timeZone?: string;
  readonly attributes?: ContactAttributesInput;
  readonly consents?: readonly Omit<ConsentInput, 'confirmedBySubject'>[];
  readonly source: string;
}

export async function createContact(
  ctx: AppContext,
  input: CreateContactInput,
  actor: string,
): Promise<ContactView> {
  const { e164, country, type } = parseOrThrow(input.phone, input.defaultCountry);
  const phoneIndex = ctx.cipher.blindIndex(e164);
  const db = ctx.store.db;
  const existing = await findContactByIndex(db, phoneIndex);
  if (existing) throw new HeraldError('CONTACT_EXISTS', undefined, { id: existing.id });
  if (input.externalId && (await findContactByExternalId(db, input.externalId))) {
    throw new HeraldError('CONFLICT', 'Another contact has this external id', {
      field: 'externalId',
    });
  }
  const attributes = await checkContactAttributes(db, input.attributes ?? {}, new Date());
  const meta = await phoneMetadata(e164);
  const now = new Date().toISOString();
  const row = await db.transaction().execute(async (tx) => {
    const created = await insertContact(tx, {
      phone_enc: ctx.cipher.encrypt(e164),
      phone_index: phoneIndex,
      country,
      number_type: type,
      zones: JSON.stringify(meta.zones),
      own_zone: input.timeZone ?? null,
      carrier: meta.carrier,
      place: meta.place,
      external_id: input.externalId ?? null,
      status: 'active',
      invalid_reason: null,
      ...attributes.columns,
      source: input.source,
      import_id: null,
      last_engaged_at: null,
      repermission_at: null,
      created_at: now,
      updated_at: now,
    });
    for (const consent of input.consents ?? []) {
      await recordConsent(tx, { id: created.id, phoneIndex }, consent, actor);
    }
    return created;
  });
  await ctx.auditor.record({
    actor,
    action: 'contact.create',
    target: `contact:${row.id}`,
    details: { source: input.source },
  });
  return loadContactView(ctx, row);
}

export async function getContact(ctx: AppContext, id: number): Promise<ContactRow> {
  const row = await findContactById(ctx.store.db, id);
  if (!row) throw new HeraldError('NOT_FOUND', 'No such contact');
  return row;
}

export async function findContactByPhone(
  ctx: AppContext,
  phone: string,
  defaultCountry?: string,
): Promise<ContactRow | undefined> {
  const { e164 } = parseOrThrow(phone, defaultCountry);
  return findContactByIndex(ctx.store.db, ctx.cipher.blindIndex(e164));
}

export interface UpdateContactInput {
  readonly externalId?: string | null;
  readonly timeZone?: string | null;
  readonly attributes?: ContactAttributesInput;
}

export async function changeContact(
  ctx: AppContext,
  id: number,
  input: UpdateContactInput,
  actor: string,
): Promise<ContactView> {
  const current = await getContact(ctx, id);
  const db = ctx.store.db;
  if (input.externalId) {
    const other = await findContactByExternalId(db, input.externalId);
    if (other && other.id !== id) {
      throw new HeraldError('CONFLICT', 'Another contact has this external id', {
        field: 'externalId',
      });
    }
  }
  const attributes = input.attributes
    ? await checkContactAttributes(
        db,
        input.attributes,
        new Date(),
        JSON.parse(current.custom) as Record<string, unknown>,
      )
    : null;
  const row = await updateContact(db, id, {
    ...(input.externalId !== undefined ? { external_id: input.externalId } : {}),
    ...(input.timeZone !== undefined ? { own_zone: input.timeZone } : {}),
    ...(attributes ? attributes.changed : {}),
    updated_at: new Date().toISOString(),
  });
  await ctx.auditor.record({
    actor,
    action: 'contact.update',
    target: `contact:${id}`,
    details: { fields: Object.keys({ ...input, ...(input.attributes ?? {}) }) },
  });
  return loadContactView(ctx, row!);
}

/** The clear number, for someone with contacts:reveal; always audited with the reason. */
export async function revealPhone(
  ctx: AppContext,
  id: number,
  reason: string,
  actor: string,
  ip: string | null,
): Promise<{ id: number; phone: string }> {
  const row = await getContact(ctx, id);
  await ctx.auditor.record({
    actor,
    action: 'contact.reveal',
    target: `contact:${id}`,
    details: { reason },
    ip,
  });
  return { id, phone: ctx.cipher.decrypt(row.phone_enc) };
}

/** Grants or revokes consent for an existing contact. */
export async function changeConsent(
  ctx: AppContext,
  id: number,
  input: Omit<ConsentInput, 'confirmedBySubject'>,
  actor: string,
): Promise<ContactView> {
  const row = await getContact(ctx, id);
  await ctx.store.db
    .transaction()
    .execute((tx) => recordConsent(tx, { id, phoneIndex: row.phone_index }, input, actor));
  await ctx.auditor.record({
    actor,
    action: `consent.${input.action}`,
    target: `contact:${id}`,
    details: { purpose: input.purpose, method: input.method, source: input.source },
  });
  return loadContactView(ctx, row);
}

export type { Purpose };
