/**
 * Double opt-in: a number posted to a sign-up form gets a confirmation SMS; a reply of YES / Y /
 * 是 / 确认 from that number, or a click-and-confirm on the link, within the window grants
 * marketing consent with the whole evidence chain (form, page, IP and user agent at sign-up,
 * the consent text, the confirmation message, when and how it was confirmed).
 *
 * No enumeration: the public answer never depends on whether the number is new, pending,
 * already subscribed or suppressed. A number suppressed for everything, or for a reason the
 * person cannot lift themself (blocklist, complaint, erasure), is never sent anything.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { guardStrangerSend, pumpingRefusal } from '../abuse/pumping-guard.js';
import { inspectText } from '../core/content/encoding.js';
import { isHeraldError } from '../core/errors.js';
import { parsePhone } from '../core/phone.js';
import { enqueueMessage } from '../delivery/outbox.js';
import { confirmationText, replyLanguage, type ReplyLanguage } from '../delivery/replies.js';
import type { Job } from '../jobs/scheduler.js';
import { currentConsents } from '../store/consents.js';
import { findContactByIndex } from '../store/contacts.js';
import { findFormById, type FormRow } from '../store/forms.js';
import {
  closeOpenRequests,
  closeRequest,
  expireRequests,
  findRequestByTokenHash,
  insertPendingSubscription,
  markRequestConfirmed,
  type PendingSubscriptionRow,
} from '../store/subscriptions.js';
import { findSuppressions, type SuppressionRow } from '../store/suppressions.js';
import { checkContactAttributes, type ContactAttributesInput } from './attributes.js';
import { recordConsent } from './consent.js';
import { createContact, parseOrThrow } from './contacts.js';
import { requireEnabledForm } from './forms.js';

/** What we ask people to reply; added to the pack's confirm words while a request is open. */
export const DOI_CONFIRM_WORDS: readonly string[] = ['YES', 'Y', '是', '是的', '确认'];

export const CONFIRM_CHANNELS = ['sms', 'link'] as const;
export type ConfirmChannel = (typeof CONFIRM_CHANNELS)[number];

const ACTOR = 'system:double-opt-in';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function confirmLink(ctx: AppContext, token: string): string {
  return `${ctx.config.publicUrl}/c/${token}`;
}

export interface SubscribeInput {
  readonly formKey: string;
  readonly phone: string;
  readonly country?: string;
  readonly locale?: string;
  readonly attributes?: ContactAttributesInput;
  readonly pageUrl?: string;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  readonly now?: Date;
}

/** For tests and logs only: the public answer is the same for all of them. */
export type SubscribeOutcome = 'sent' | 'skipped_suppressed' | 'skipped_subscribed';

/** A person can lift only their own opt-out; anything else keeps the number silent. */
function blocksSignUp(suppressions: readonly SuppressionRow[]): boolean {
  return suppressions.some((s) => s.scope === 'all' || s.reason !== 'opt_out');
}

export async function subscribe(
  ctx: AppContext,
  input: SubscribeInput,
): Promise<{ outcome: SubscribeOutcome }> {
  const now = input.now ?? new Date();
  const db = ctx.store.db;
  const form = await requireEnabledForm(ctx, input.formKey);
  const { e164, country } = parseOrThrow(
    input.phone,
    input.country ?? form.default_country ?? ctx.config.defaultCountry,
  );
  // Checked now (400 on a bad value) so that the contact created on confirmation gets them.
  const given = { ...(input.locale ? { locale: input.locale } : {}), ...input.attributes };
  if (Object.keys(given).length > 0) await checkContactAttributes(db, given, now);
  const phoneIndex = ctx.cipher.blindIndex(e164);
  const suppressions = await findSuppressions(db, phoneIndex);
  const contact = await findContactByIndex(db, phoneIndex);
  const consents = contact ? await currentConsents(db, contact.id) : [];
  const subscribed =
    suppressions.length === 0 && consents.some((c) => c.purpose === 'marketing' && c.granted === 1);
  const outcome: SubscribeOutcome = blocksSignUp(suppressions)
    ? 'skipped_suppressed'
    : subscribed
      ? 'skipped_subscribed'
      : 'sent';
  const token = randomBytes(16).toString('base64url');
  const row = {
    phone_index: phoneIndex,
    form_id: form.id,
    token_hash: hashToken(token),
    ip: input.ip ?? null,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    form_url: input.pageUrl ?? null,
    locale: input.locale ?? null,
    attributes: JSON.stringify(input.attributes ?? {}),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ctx.config.doiWindowHours * 3_600_000).toISOString(),
    confirmed_at: null,
    confirm_method: null,
  };
  const body = confirmationText(
    replyLanguage(country, input.locale),
    form.brand,
    confirmLink(ctx, token),
  );
  const refused = await db.transaction().execute(async (tx) => {
    // The pumping defence, the same for every number whatever its state (no enumeration): the
    // limits count every request that went ahead, also those that send nothing.
    const decision = await guardStrangerSend(ctx, tx, {
      kind: 'double_opt_in',
      e164,
      country,
      ip: input.ip ?? null,
      segments: inspectText(body).segments,
      billable: outcome === 'sent',
      now,
    });
    if (!decision.allowed) return decision;
    if (outcome !== 'sent') {
      await insertPendingSubscription(tx, { ...row, phone_enc: null, status: 'skipped' });
      return null;
    }
    await closeOpenRequests(tx, { phoneIndex, status: 'superseded' });
    const message = await enqueueMessage(ctx, {
      tx,
      to: e164,
      purpose: 'transactional',
      kind: 'doi_confirmation',
      body,
      contactId: contact?.id ?? null,
      now,
    });
    await insertPendingSubscription(tx, {
      ...row,
      phone_enc: ctx.cipher.encrypt(e164),
      status: 'pending',
      message_id: message.id,
    });
    return null;
  });
  if (refused) throw pumpingRefusal(refused);
  return { outcome };
}

export interface ConfirmationEvidence {
  readonly channel: ConfirmChannel;
  readonly at: Date;
  /** SMS: the reply that confirmed. */
  readonly inboundMessageId?: number;
  /** Link: who pressed the button. */
  readonly ip?: string | null;
  readonly userAgent?: string | null;
}

export type ConfirmOutcome =
  | { readonly status: 'confirmed'; readonly contactId: number }
  | { readonly status: 'already_confirmed' | 'expired' | 'refused' | 'not_found' };

async function subscriberContactId(
  ctx: AppContext,
  e164: string,
  request: PendingSubscriptionRow,
  form: FormRow,
): Promise<number> {
  const phoneIndex = request.phone_index;
  const existing = await findContactByIndex(ctx.store.db, phoneIndex);
  if (existing) return existing.id;
  const given = JSON.parse(request.attributes) as ContactAttributesInput;
  const attributes = { ...(request.locale ? { locale: request.locale } : {}), ...given };
  const create = (attrs: ContactAttributesInput) =>
    createContact(
      ctx,
      { phone: e164, attributes: attrs, source: `form:${form.public_key}` },
      ACTOR,
    );
  try {
    return (await create(attributes)).id;
  } catch (err) {
    // The attribute schema changed since sign-up: consent matters more than attributes.
    if (isHeraldError(err) && err.code === 'ATTRIBUTE_INVALID') return (await create({})).id;
    // A reply and a click confirming at the same moment: the other one created the contact.
    const raced = await findContactByIndex(ctx.store.db, phoneIndex);
    if (raced) return raced.id;
    throw err;
  }
}

/** Completes a request: creates the contact if needed and grants marketing consent. */
export async function confirmRequest(
  ctx: AppContext,
  request: PendingSubscriptionRow,
  evidence: ConfirmationEvidence,
): Promise<ConfirmOutcome> {
  const at = evidence.at.toISOString();
  if (request.status === 'confirmed') return { status: 'already_confirmed' };
  if (request.status !== 'pending' || request.expires_at <= at || !request.phone_enc) {
    return { status: 'expired' };
  }
  const db = ctx.store.db;
  const form = (await findFormById(db, request.form_id))!;
  if (blocksSignUp(await findSuppressions(db, request.phone_index))) {
    await closeRequest(db, { id: request.id, status: 'refused' });
    return { status: 'refused' };
  }
  const contactId = await subscriberContactId(
    ctx,
    ctx.cipher.decrypt(request.phone_enc),
    request,
    form,
  );
  const method = evidence.channel === 'sms' ? 'double_opt_in_sms' : 'double_opt_in_link';
  let won = false;
  try {
    won = await db.transaction().execute(async (tx) => {
      if (!(await markRequestConfirmed(tx, { id: request.id, now: at, method }))) return false;
      await recordConsent(
        tx,
        { id: contactId, phoneIndex: request.phone_index },
        {
          purpose: 'marketing',
          action: 'grant',
          method,
          source: `form:${form.public_key}`,
          ip: request.ip,
          userAgent: request.user_agent,
          formUrl: request.form_url,
          consentTextId: form.consent_text_id,
          at: evidence.at,
          confirmedBySubject: true,
          evidence: {
            formKey: form.public_key,
            formId: form.id,
            brand: form.brand,
            pageUrl: request.form_url,
            signup: {
              at: request.created_at,
              ip: request.ip,
              userAgent: request.user_agent,
              locale: request.locale,
            },
            pendingSubscriptionId: request.id,
            confirmationMessageId: request.message_id,
            confirmation: {
              channel: evidence.channel,
              at,
              inboundMessageId: evidence.inboundMessageId ?? null,
              ip: evidence.ip ?? null,
              userAgent: evidence.userAgent?.slice(0, 512) ?? null,
            },
          },
        },
        ACTOR,
      );
      return true;
    });
  } catch (err) {
    if (!isHeraldError(err) || err.code !== 'CONTACT_SUPPRESSED') throw err;
    await closeRequest(db, { id: request.id, status: 'refused' });
    return { status: 'refused' };
  }
  if (!won) return { status: 'already_confirmed' };
  await ctx.auditor.record({
    actor: ACTOR,
    action: 'consent.grant',
    target: `contact:${contactId}`,
    details: { purpose: 'marketing', method, source: `form:${form.public_key}` },
    ip: evidence.ip ?? null,
  });
  return { status: 'confirmed', contactId };
}

export interface TokenState {
  readonly state: 'open' | 'confirmed' | 'closed' | 'not_found';
  readonly brand?: string;
  readonly language: ReplyLanguage;
}

/** What the confirmation page shows for a link, without confirming anything. */
export async function peekToken(ctx: AppContext, token: string, now: Date): Promise<TokenState> {
  const request = await findRequestByTokenHash(ctx.store.db, hashToken(token));
  if (!request) return { state: 'not_found', language: 'en' };
  const form = await findFormById(ctx.store.db, request.form_id);
  // The page speaks the language of the SMS: the number's country decides it, then the locale.
  const parsed = request.phone_enc ? parsePhone(ctx.cipher.decrypt(request.phone_enc)) : null;
  const language = replyLanguage(parsed?.ok ? parsed.country : null, request.locale);
  const open = request.status === 'pending' && request.expires_at > now.toISOString();
  const state = request.status === 'confirmed' ? 'confirmed' : open ? 'open' : 'closed';
  return { state, brand: form?.brand, language };
}

export async function confirmByToken(
  ctx: AppContext,
  token: string,
  evidence: Omit<ConfirmationEvidence, 'channel'>,
): Promise<ConfirmOutcome> {
  const request = await findRequestByTokenHash(ctx.store.db, hashToken(token));
  if (!request) return { status: 'not_found' };
  return confirmRequest(ctx, request, { ...evidence, channel: 'link' });
}

/** Closes requests whose window passed; their numbers are dropped. */
export async function expireDoubleOptIns(ctx: AppContext, now: Date): Promise<number> {
  return expireRequests(ctx.store.db, { now: now.toISOString() });
}

export const doiExpiryJob: Job = {
  name: 'doi.expire',
  everyMs: 10 * 60_000,
  run: async (ctx, now) => ({ expiredSignUps: await expireDoubleOptIns(ctx, now) }),
};
