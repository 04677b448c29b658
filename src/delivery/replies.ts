/**
 * The messages Herald itself owes people: the double opt-in confirmation, and the answers to an
 * opt-out, an opt-in or a request for help. None carries marketing; all are transactional and go
 * through the outbox like any message. Opt-out wording comes from the policy pack; the rest is
 * here, in English and Chinese.
 */
import type { AppContext } from '../app-context.js';
import type { DbOrTx } from '../store/database.js';
import { findFormById, findFormByKey, latestForm } from '../store/forms.js';
import { recentMessageExists } from '../store/messages.js';
import { latestFormIdOf } from '../store/subscriptions.js';
import { enqueueMessage, type MessageKind } from './outbox.js';

export type ReplyLanguage = 'zh' | 'en';

/** Chinese for Chinese numbers or a Chinese locale, else English. */
export function replyLanguage(
  country: string | null,
  locale: string | null | undefined,
): ReplyLanguage {
  return country === 'CN' || (locale ?? '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/**
 * @example
 *   confirmationText('en', 'Flora', 'https://h.example/c/abc');
 *   // 'Flora: reply YES to confirm your subscription, or tap https://h.example/c/abc.'
 */
export function confirmationText(language: ReplyLanguage, brand: string, link: string): string {
  // The space before 。keeps the full stop out of the link when a phone makes it clickable.
  return language === 'zh'
    ? `【${brand}】请回复“是”确认订阅，或点击 ${link} 。`
    : `${brand}: reply YES to confirm your subscription, or tap ${link}.`;
}

/**
 * `/c/AbCdEf...` → `/c/AbCd…`: enough to tell links apart, not enough to confirm with. A
 * confirmation link is a secret until used; its hash alone is kept with the request.
 */
export function redactConfirmLinks(body: string): string {
  return body.replace(/\/c\/([A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/g, '/c/$1…');
}

/** Kinds whose body holds a secret, kept in clear only until the message has left. */
const SECRET_BEARING: readonly string[] = ['doi_confirmation'];

/** The body to keep once a message has left (or never will). */
export function bodyAfterSend(kind: string, body: string | null): string | null {
  return body !== null && SECRET_BEARING.includes(kind) ? redactConfirmLinks(body) : body;
}

export const HELP_TEXTS: Readonly<Record<string, string>> = {
  en: '{brand}: reply STOP to unsubscribe, START to subscribe again.',
  zh: '【{brand}】回复TD退订，回复“订阅”重新订阅。',
};

export const OPT_IN_TEXTS: Readonly<Record<string, string>> = {
  en: '{brand}: you are subscribed again. Reply STOP to unsubscribe.',
  zh: '【{brand}】您已重新订阅，回复TD退订。',
};

/** The text for the first language that has one, else any. */
export function pickText(
  texts: Readonly<Record<string, string>> | undefined,
  languages: readonly string[],
): string | null {
  if (!texts) return null;
  for (const language of languages) if (texts[language]) return texts[language]!;
  return Object.values(texts)[0] ?? null;
}

/**
 * The brand that signs replies to a number: the form it last signed up on, else the form named
 * by the contact's source, else the newest form. (A per-sender brand setting is issue 5's.)
 */
export async function brandFor(
  db: DbOrTx,
  phoneIndex: string,
  contactSource?: string,
): Promise<string> {
  const formId = await latestFormIdOf(db, phoneIndex);
  const byRequest = formId === undefined ? undefined : await findFormById(db, formId);
  const bySource = contactSource?.startsWith('form:')
    ? await findFormByKey(db, contactSource.slice('form:'.length))
    : undefined;
  return (byRequest ?? bySource ?? (await latestForm(db)))?.brand ?? 'Herald';
}

/** One reply of a kind per number in this time: a repeated STOP or HELP is not answered twice. */
export const REPLY_GUARD_MS = 10 * 60_000;

export interface ReplyTarget {
  readonly e164: string;
  readonly phoneIndex: string;
  readonly contactId: number | null;
  readonly brand: string;
  readonly now: Date;
}

/**
 * Queues a reply (`{brand}` filled in) unless one of the same kind went to the number moments
 * ago; `always`: the message changed the person's state, so it is answered whatever came before.
 */
export async function queueReply(
  ctx: Pick<AppContext, 'cipher' | 'store'>,
  tx: DbOrTx,
  to: ReplyTarget,
  kind: MessageKind,
  template: string | null,
  always = false,
): Promise<boolean> {
  if (!template) return false;
  const since = new Date(to.now.getTime() - REPLY_GUARD_MS).toISOString();
  if (!always && (await recentMessageExists(tx, { phoneIndex: to.phoneIndex, kind, since }))) {
    return false;
  }
  await enqueueMessage(ctx, {
    tx,
    to: to.e164,
    purpose: 'transactional',
    kind,
    body: template.replaceAll('{brand}', to.brand),
    contactId: to.contactId,
    now: to.now,
  });
  return true;
}
