/**
 * Inbound SMS: what people text back. Every message is stored (blind index and the number
 * encrypted, body kept for the retention period, its intent, and then what was done with it) and
 * acted on at once:
 *   - confirm (YES / 是 ...) completes the number's open double opt-in;
 *   - opt-out (STOP / TD / 退订 ..., with noise around) revokes marketing consent, which
 *     suppresses the number, and sends one confirmation without marketing content;
 *   - opt-in (START / UNSTOP / 订阅) re-subscribes someone who opted out, on their own word;
 *   - help gets the help text of the sender's policy pack; anything else lands in the inbox.
 * Messages already queued to a number that opts out are stopped by the dispatcher's re-check.
 */
import type { AppContext } from '../app-context.js';
import type { InboundSms } from '../carriers/carrier.js';
import { isHeraldError } from '../core/errors.js';
import {
  classifyInbound,
  DEFAULT_KEYWORDS,
  type InboundIntent,
  type KeywordSets,
} from '../core/keywords.js';
import { parsePhone, type CountryCode } from '../core/phone.js';
import type { PolicyPack } from '../core/policy/policy-pack.js';
import { resolvePolicy } from '../core/policy/resolve.js';
import {
  brandFor,
  HELP_TEXTS,
  OPT_IN_TEXTS,
  pickText,
  queueReply,
  replyLanguage,
  type ReplyTarget,
} from '../delivery/replies.js';
import { currentConsents } from '../store/consents.js';
import { findContactByIndex } from '../store/contacts.js';
import {
  findInboundByDedupeKey,
  insertInboundMessage,
  setInboundAction,
} from '../store/inbound.js';
import { closeOpenRequests, findOpenRequest } from '../store/subscriptions.js';
import { addSuppression, findSuppressions } from '../store/suppressions.js';
import { emitInboundMessage, emitKeywordOptOut } from '../webhooks/emit.js';
import { recordConsent } from './consent.js';
import { confirmRequest, DOI_CONFIRM_WORDS } from './double-opt-in.js';

export const INBOUND_ACTIONS = [
  'confirmed',
  'confirm_failed',
  'opted_out',
  'opted_in',
  'help_sent',
  'stored',
  'ignored',
  // The same message again (a carrier's retry, a replayed callback): nothing done twice.
  'duplicate',
] as const;
export type InboundAction = (typeof INBOUND_ACTIONS)[number];

export interface InboundOutcome {
  readonly inboundId: number | null;
  readonly intent: InboundIntent;
  readonly matched: string | null;
  readonly action: InboundAction;
}

const ACTOR = 'system:inbound';

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/** The pack of the sender's country (unknown or none: the strict default pack). */
function policyOf(country: string | null): PolicyPack | null {
  // A pack that fails to resolve must not stop an opt-out: the defaults still apply.
  try {
    return resolvePolicy(country ?? '');
  } catch {
    return null;
  }
}

/**
 * The pack's words, except that opt-out words are always the union with the defaults (missing a
 * STOP is the one error that must not happen), and while a double opt-in is open the words we
 * asked for count as a confirmation.
 */
function keywordsFor(pack: PolicyPack | null, doiOpen: boolean): KeywordSets {
  const base = pack?.keywords ?? DEFAULT_KEYWORDS;
  return {
    ...base,
    optOut: union(base.optOut, DEFAULT_KEYWORDS.optOut),
    confirm: doiOpen ? union(base.confirm, DOI_CONFIRM_WORDS) : base.confirm,
  };
}

export interface ReceiveOptions {
  /**
   * What makes this message the same as one received before. Default: the carrier's message id,
   * where it gave one; without either, every message counts as new.
   */
  readonly dedupeKey?: string | null;
}

/** The default dedupe key: the carrier's own id for the message. */
function dedupeKeyOf(sms: InboundSms, opts: ReceiveOptions): string | null {
  if (opts.dedupeKey !== undefined) return opts.dedupeKey;
  return sms.carrierMessageId ? `${sms.carrier}:id:${sms.carrierMessageId}` : null;
}

export async function receiveInbound(
  ctx: AppContext,
  sms: InboundSms,
  opts: ReceiveOptions = {},
): Promise<InboundOutcome> {
  const db = ctx.store.db;
  // Some SMSCs end a text with a C string's NUL; no store keeps U+0000 (PostgreSQL refuses it).
  const text = sms.text.replaceAll('\u0000', '');
  const parsed = parsePhone(sms.from, ctx.config.defaultCountry as CountryCode | undefined);
  if (!parsed.ok) {
    ctx.logger.warn(
      { carrier: sms.carrier, reason: parsed.reason },
      'inbound SMS without a valid sender',
    );
    return { inboundId: null, intent: 'other', matched: null, action: 'ignored' };
  }
  const now = sms.receivedAt;
  const phoneIndex = ctx.cipher.blindIndex(parsed.e164);
  const dedupeKey = dedupeKeyOf(sms, opts);
  const repeat = (): InboundOutcome => {
    ctx.logger.info({ carrier: sms.carrier }, 'inbound SMS received before: ignored');
    return { inboundId: null, intent: 'other', matched: null, action: 'duplicate' };
  };
  if (dedupeKey && (await findInboundByDedupeKey(db, { dedupeKey }))) return repeat();
  const contact = await findContactByIndex(db, phoneIndex);
  const pack = policyOf(parsed.country);
  const open = await findOpenRequest(db, { phoneIndex, now: now.toISOString() });
  const { intent, matched, rule } = classifyInbound(text, keywordsFor(pack, open !== undefined));
  let inbound: Awaited<ReturnType<typeof insertInboundMessage>>;
  try {
    inbound = await insertInboundMessage(db, {
      contact_id: contact?.id ?? null,
      phone_index: phoneIndex,
      phone_enc: ctx.cipher.encrypt(parsed.e164),
      body: text,
      intent,
      carrier: sms.carrier,
      received_at: now.toISOString(),
      dedupe_key: dedupeKey,
    });
  } catch (err) {
    // Two copies racing: the unique key let one in.
    if (dedupeKey && (await findInboundByDedupeKey(db, { dedupeKey }))) return repeat();
    throw err;
  }
  await emitInboundMessage(db, inbound, parsed);
  const languages =
    replyLanguage(parsed.country, contact?.locale) === 'zh'
      ? ['zh']
      : ['en', pack?.defaultLocale ?? 'en'];
  const sender: ReplyTarget = {
    e164: parsed.e164,
    phoneIndex,
    contactId: contact?.id ?? null,
    brand: await brandFor(db, phoneIndex, contact?.source),
    now,
  };
  // What was done is kept with the message, for the inbox (GET /v1/inbound).
  const done = async (action: InboundAction): Promise<InboundOutcome> => {
    await setInboundAction(db, { id: inbound.id, action });
    return { inboundId: inbound.id, intent, matched, action };
  };
  const evidence = { inboundMessageId: inbound.id, matched, rule, carrier: sms.carrier };
  ctx.logger.info({ inboundId: inbound.id, intent, rule }, 'inbound SMS');

  switch (intent) {
    case 'confirm': {
      if (!open) return done('stored');
      const result = await confirmRequest(ctx, open, {
        channel: 'sms',
        at: now,
        inboundMessageId: inbound.id,
      });
      return done(result.status === 'confirmed' ? 'confirmed' : 'confirm_failed');
    }
    case 'opt_out': {
      const wasOptedOut = (await findSuppressions(db, phoneIndex)).some(
        (s) => s.scope === 'marketing' && s.reason === 'opt_out',
      );
      await db.transaction().execute(async (tx) => {
        if (contact) {
          await recordConsent(
            tx,
            { id: contact.id, phoneIndex },
            {
              purpose: 'marketing',
              action: 'revoke',
              method: 'keyword',
              source: `keyword:${matched ?? 'phrase'}`,
              evidence,
              at: now,
            },
            ACTOR,
          );
        } else {
          // Not a contact (yet): the suppression alone keeps the number out of future imports.
          await addSuppression(tx, {
            phone_index: phoneIndex,
            scope: 'marketing',
            reason: 'opt_out',
            note: `keyword ${matched ?? 'phrase'} from a number that is not a contact`,
            created_by: ACTOR,
            created_at: now.toISOString(),
          });
        }
        if (!wasOptedOut) await emitKeywordOptOut(tx, inbound, parsed, matched);
        await closeOpenRequests(tx, { phoneIndex, status: 'refused' });
        const texts = pack?.optOut.confirmation?.texts;
        const text = pickText(texts, languages);
        await queueReply(ctx, tx, sender, 'opt_out_confirmation', text, !wasOptedOut);
      });
      await ctx.auditor.record({
        actor: ACTOR,
        action: 'consent.revoke',
        target: contact ? `contact:${contact.id}` : null,
        details: { purpose: 'marketing', method: 'keyword', matched, rule, inboundId: inbound.id },
      });
      return done('opted_out');
    }
    case 'opt_in': {
      if (!contact) return done('stored');
      const marketing = (await currentConsents(db, contact.id)).find(
        (c) => c.purpose === 'marketing',
      );
      const optedOut =
        marketing?.granted === 0 ||
        (await findSuppressions(db, phoneIndex)).some((s) => s.reason === 'opt_out');
      if (!optedOut) return done('stored');
      try {
        await db.transaction().execute(async (tx) => {
          await recordConsent(
            tx,
            { id: contact.id, phoneIndex },
            {
              purpose: 'marketing',
              action: 'grant',
              method: 'keyword',
              source: `keyword:${matched ?? 'opt_in'}`,
              evidence,
              at: now,
              confirmedBySubject: true,
            },
            ACTOR,
          );
          await queueReply(
            ctx,
            tx,
            sender,
            'opt_in_confirmation',
            pickText(OPT_IN_TEXTS, languages),
          );
        });
      } catch (err) {
        // Blocked or complained about: their word alone cannot lift that.
        if (isHeraldError(err) && err.code === 'CONTACT_SUPPRESSED') return done('stored');
        throw err;
      }
      await ctx.auditor.record({
        actor: ACTOR,
        action: 'consent.grant',
        target: `contact:${contact.id}`,
        details: { purpose: 'marketing', method: 'keyword', matched, inboundId: inbound.id },
      });
      return done('opted_in');
    }
    case 'help': {
      const sent = await db
        .transaction()
        .execute((tx) =>
          queueReply(
            ctx,
            tx,
            sender,
            'help_reply',
            pickText(pack?.help.texts ?? HELP_TEXTS, languages),
          ),
        );
      return done(sent ? 'help_sent' : 'stored');
    }
    default:
      return done('stored');
  }
}
