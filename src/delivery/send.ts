/**
 * Sending one message on request (the Messages API): compose the text (a body, or a template
 * rendered with the caller's variables and the contact's attributes), decide at once whether it
 * may go and when, and put it in the outbox with that decision. A blocked message is recorded as
 * blocked with its reason; a deferred one waits for the earliest lawful instant. The dispatcher
 * decides again when it leaves.
 *
 * A number that is not a contact: the message goes to the number alone (no contact is created:
 * sending an order notice does not put anyone in the marketing database). Transactional rules
 * apply with what is known of the number (its suppressions, an opt-out it sent); marketing to
 * it is blocked for want of consent.
 *
 * Idempotency: the caller's key is hashed with the caller's identity; the same key with the
 * same request gives back the message it created, with another request it is refused.
 */
import { createHash } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { allowedTemplateVariables, contactTemplateVars } from '../campaigns/template-vars.js';
import { trackLinks } from '../campaigns/short-links.js';
import { policyForCountry } from '../compliance/policies.js';
import { customAttributeSchema } from '../contacts/attributes.js';
import { parseOrThrow } from '../contacts/contacts.js';
import { compileTemplate, renderTemplate } from '../core/content/template.js';
import { HeraldError } from '../core/errors.js';
import type { Decision } from '../core/policy/index.js';
import type { Purpose } from '../core/policy/purposes.js';
import { findContactByIndex } from '../store/contacts.js';
import { findMessageByIdempotencyKey, type MessageRow } from '../store/messages.js';
import { enqueueMessage, type StoredDecision } from './outbox.js';
import { decideAt, decisionMessage, loadDecisionRecipient } from './recipients.js';

export interface SendRequest {
  readonly to: string;
  /** Country assumed for a number written without its country code. */
  readonly country?: string;
  readonly body?: string;
  /** A Liquid template: the caller's `variables` and `contact.*` of the contact. */
  readonly template?: string;
  readonly variables?: Readonly<Record<string, string | number | boolean>>;
  /** The approved template a template-only carrier (Tencent, Alibaba) sends instead. */
  readonly templateKey?: string;
  readonly purpose: Purpose;
  readonly sendAt?: string;
  readonly sender?: string;
  readonly brand?: string;
  readonly oneTimeCode?: boolean;
  /** Rewrite links to tracked short links (their targets must be on HERALD_LINK_DOMAINS). */
  readonly trackLinks?: boolean;
}

export interface SendOutcome {
  readonly message: MessageRow;
  /** The decision made now; null when an earlier request with the same key made it. */
  readonly decision: Decision | null;
  readonly replayed: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** JSON with sorted keys: the same request always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function replay(ctx: AppContext, key: string, requestHash: string) {
  const earlier = await findMessageByIdempotencyKey(ctx.store.db, key);
  if (!earlier) return undefined;
  if (earlier.request_hash !== requestHash) {
    throw new HeraldError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used for a different request',
      { messageId: earlier.id },
    );
  }
  return earlier;
}

async function compose(
  ctx: AppContext,
  request: SendRequest,
  contact: Parameters<typeof contactTemplateVars>[0] | undefined,
): Promise<string> {
  if ((request.body === undefined) === (request.template === undefined)) {
    throw new HeraldError('VALIDATION_FAILED', 'Give exactly one of body or template');
  }
  if (request.body !== undefined) return request.body;
  const variables = request.variables ?? {};
  if ('contact' in variables) {
    throw new HeraldError('VALIDATION_FAILED', 'The variable name `contact` is reserved', {
      field: 'variables',
    });
  }
  const custom = (await customAttributeSchema(ctx.store.db)).map((d) => d.name);
  const compiled = compileTemplate(request.template!, {
    allowedVariables: [...allowedTemplateVariables(custom), ...Object.keys(variables)],
  });
  const contactVars = contact ? contactTemplateVars(contact) : { contact: {} };
  return renderTemplate(compiled, { ...variables, ...contactVars });
}

function storedDecision(decision: Decision): StoredDecision {
  if (decision.action === 'send') return { action: 'send' };
  if (decision.action === 'defer') {
    return { action: 'defer', reason: decision.reason, until: decision.until.toISOString() };
  }
  return { action: 'block', reason: decision.reason };
}

export async function sendMessage(
  ctx: AppContext,
  request: SendRequest,
  opts: { actor: string; idempotencyKey?: string; now?: Date },
): Promise<SendOutcome> {
  const key =
    opts.idempotencyKey === undefined ? null : sha256(`${opts.actor}\n${opts.idempotencyKey}`);
  // Keyed (the blind-index key): the request holds the number, which a plain hash would give
  // away to anyone trying every number.
  const requestHash = ctx.cipher.blindIndex(`messages.request\n${canonical(request)}`);
  if (key) {
    const earlier = await replay(ctx, key, requestHash);
    if (earlier) return { message: earlier, decision: null, replayed: true };
  }
  const { e164, country } = parseOrThrow(request.to, request.country ?? ctx.config.defaultCountry);
  const phoneIndex = ctx.cipher.blindIndex(e164);
  const contact = await findContactByIndex(ctx.store.db, phoneIndex);
  let body = await compose(ctx, request, contact);
  if (request.trackLinks) body = await trackLinks(ctx, body, { contactId: contact?.id ?? null });
  if (body.trim() === '') throw new HeraldError('VALIDATION_FAILED', 'The text is empty');

  const now = opts.now ?? new Date();
  const sendAt = request.sendAt ? new Date(request.sendAt) : now;
  const at = sendAt > now ? sendAt : now;
  const recipient = await loadDecisionRecipient(ctx.store.db, { e164, phoneIndex, contact }, at, {
    kind: 'reserved',
  });
  const kind = request.oneTimeCode ? 'otp' : 'api';
  const row = {
    purpose: request.purpose,
    kind,
    body,
    sender: request.sender ?? null,
    brand: request.brand ?? null,
    campaign_id: null,
  };
  const decision = decideAt(
    decisionMessage(row, contact),
    recipient,
    await policyForCountry(ctx, recipient.country),
    at,
  );
  try {
    const message = await enqueueMessage(ctx, {
      to: e164,
      purpose: request.purpose,
      kind,
      body,
      contactId: contact?.id ?? null,
      country: country ?? (recipient.country === 'ZZ' ? null : recipient.country),
      sender: request.sender ?? null,
      brand: request.brand ?? null,
      template:
        request.templateKey && decision.action !== 'block'
          ? {
              key: request.templateKey,
              variables: Object.fromEntries(
                Object.entries(request.variables ?? {}).map(([k, v]) => [k, String(v)]),
              ),
            }
          : null,
      decision: storedDecision(decision),
      idempotencyKey: key,
      requestHash,
      notBefore: at,
      now,
    });
    ctx.logger.info(
      { messageId: message.id, purpose: request.purpose, decision: decision.action },
      'message accepted',
    );
    return { message, decision, replayed: false };
  } catch (err) {
    // Two requests with one key at the same moment: the unique index let one in.
    const earlier = key ? await replay(ctx, key, requestHash) : undefined;
    if (earlier) return { message: earlier, decision: null, replayed: true };
    throw err;
  }
}
