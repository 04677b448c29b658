/**
 * The send decision for one message on fresh data: its contact's ledger (consents, opt-out,
 * suppressions) or, for a number that is not a contact, what is known of the number alone
 * (suppressions, and an opt-out it sent as a keyword), with the sends that count against caps.
 * Reads go through the handle given: the dispatcher's transaction (which holds the number's
 * lock) or the database (the API's decision at enqueue). The decision itself is the pure
 * decide() of src/core/policy.
 */
import { phoneMetadata } from '../contacts/phone-metadata.js';
import { parsePhone } from '../core/phone.js';
import {
  decide,
  type ConsentMethod,
  type Decision,
  type Message,
  type PolicyPack,
  type Recipient,
} from '../core/policy/index.js';
import type { Purpose } from '../core/policy/purposes.js';
import { currentConsents, type ContactConsentRow } from '../store/consents.js';
import type { ContactRow } from '../store/contacts.js';
import type { DbOrTx } from '../store/database.js';
import { recentSendTimes } from '../store/decision-inputs.js';
import { handedSendTimes } from '../store/messages.js';
import { findSuppressions } from '../store/suppressions.js';
import { HANDED_STATUSES } from './outbox.js';

export type PolicyFor = (country: string) => PolicyPack;

export interface DecisionSubject {
  readonly e164: string;
  readonly phoneIndex: string;
  /** The contact the message is for, loaded fresh; absent: the number alone. */
  readonly contact: ContactRow | undefined;
}

const WINDOW_MS = 31 * 24 * 3600_000; // longer than any cap window of any pack

type Send = { purpose: string; kind: string; at: string };

/** Send times per bucket of the decision (marketing, transactional, one-time codes). */
export function splitSends(sends: readonly Send[]): Recipient['recentSends'] {
  const times = (keep: (s: Send) => boolean) => sends.filter(keep).map((s) => Date.parse(s.at));
  return {
    marketing: times((s) => s.purpose === 'marketing'),
    transactional: times((s) => s.purpose === 'transactional'),
    oneTimeCodes: times((s) => s.kind === 'otp'),
  };
}

export function capWindowStart(now: Date): string {
  return new Date(now.getTime() - WINDOW_MS).toISOString();
}

type SuppressionFact = { scope: string; reason: string; created_at: string };

function suppressionOf(suppressions: readonly SuppressionFact[]): Recipient['suppressed'] {
  const s = suppressions.find((x) => x.scope === 'all') ?? suppressions[0];
  return s ? { scope: s.scope as 'all' | 'marketing', reason: s.reason } : null;
}

/**
 * A stored contact as the decision sees it. The same mapping as loadRecipient in
 * src/compliance/recipient.ts (which the explain API uses), but over facts the caller loaded
 * through its own handle, with the sends of its choice.
 */
export function contactRecipient(
  row: ContactRow,
  consents: readonly ContactConsentRow[],
  suppressions: readonly SuppressionFact[],
  sends: readonly Send[],
): Recipient {
  const consent: Recipient['consent'] = {};
  let optedOut: Recipient['optedOut'] = null;
  for (const c of consents) {
    if (c.purpose !== 'marketing' && c.purpose !== 'transactional') continue;
    consent[c.purpose] = {
      granted: c.granted === 1,
      method: c.method as ConsentMethod,
      at: Date.parse(c.at),
      // An import counts only with its consent text on record (checked when it was imported).
      evidence: c.method !== 'import' || c.source.startsWith('import:'),
    };
    if (c.purpose === 'marketing' && c.granted === 0) {
      optedOut = { at: Date.parse(c.at), via: c.method };
    }
  }
  return {
    numberValid: row.status === 'active',
    country: row.country ?? 'ZZ',
    // Only an ISO 3166-2 subdivision code (FL, NSW, BY) selects regional rules; free text does not.
    ...(row.region && /^[A-Z0-9]{1,3}$/.test(row.region) ? { region: row.region } : {}),
    zones: row.own_zone ? [row.own_zone] : (JSON.parse(row.zones) as string[]),
    consent,
    optedOut,
    suppressed: suppressionOf(suppressions),
    recentSends: splitSends(sends),
  };
}

export async function numberRecipient(
  subject: DecisionSubject,
  suppressions: readonly SuppressionFact[],
  sends: readonly Send[],
): Promise<Recipient> {
  const parsed = parsePhone(subject.e164);
  const meta = parsed.ok ? await phoneMetadata(parsed.e164) : { zones: [] as string[] };
  // A number that is not a contact opts out by keyword into the suppression list alone.
  const optOut = suppressions.find((s) => s.reason === 'opt_out');
  return {
    numberValid: parsed.ok,
    country: (parsed.ok ? parsed.country : null) ?? 'ZZ',
    zones: [...meta.zones],
    consent: {},
    optedOut: optOut ? { at: Date.parse(optOut.created_at), via: 'keyword' } : null,
    suppressed: suppressionOf(suppressions),
    recentSends: splitSends(sends),
  };
}

/**
 * The recipient as the decision sees it, read through `db` (the dispatcher's transaction, or
 * the database). `sends` says which earlier messages count against caps: `reserved` (queued ones
 * too: what an enqueue-time decision plans around) or `handed` (only those handed to a carrier:
 * what the dispatcher counts, under the number's lock, for the message `excludeId`).
 */
export async function loadDecisionRecipient(
  db: DbOrTx,
  subject: DecisionSubject,
  now: Date,
  sends: { readonly kind: 'reserved' } | { readonly kind: 'handed'; readonly excludeId: number },
): Promise<Recipient> {
  const since = capWindowStart(now);
  const [suppressions, recent, consents] = await Promise.all([
    findSuppressions(db, subject.phoneIndex),
    sends.kind === 'reserved'
      ? recentSendTimes(db, { phoneIndex: subject.phoneIndex, since })
      : handedSendTimes(db, {
          phoneIndex: subject.phoneIndex,
          since,
          excludeId: sends.excludeId,
          statuses: HANDED_STATUSES,
        }),
    subject.contact ? currentConsents(db, subject.contact.id) : Promise.resolve([]),
  ]);
  return subject.contact
    ? contactRecipient(subject.contact, consents, suppressions, recent)
    : numberRecipient(subject, suppressions, recent);
}

/** What decide() needs to know of a stored message. */
export function decisionMessage(
  row: {
    purpose: string;
    kind: string;
    body: string | null;
    sender: string | null;
    brand: string | null;
    campaign_id: number | null;
  },
  contact: ContactRow | undefined,
): Message {
  return {
    purpose: row.purpose as Purpose,
    body: row.body ?? '',
    ...(row.sender ? { sender: row.sender } : {}),
    ...(row.brand ? { brand: row.brand } : {}),
    ...(contact?.locale ? { locale: contact.locale } : {}),
    ...(row.kind === 'otp' ? { isOneTimeCode: true } : {}),
    ...(row.campaign_id !== null ? { campaignId: String(row.campaign_id) } : {}),
  };
}

/**
 * decide(), except for a number in no known time zone: transactional traffic goes by UTC (its
 * hours are rarely limited), marketing is blocked for quiet hours, since no hour can be shown
 * to be lawful for the person.
 */
export function decideAt(
  message: Message,
  recipient: Recipient,
  policy: PolicyPack,
  now: Date,
): Decision {
  if (recipient.zones.length > 0) return decide(message, recipient, policy, now);
  if (message.purpose !== 'marketing') {
    return decide(message, { ...recipient, zones: ['UTC'] }, policy, now);
  }
  return {
    action: 'block',
    reason: 'quiet_hours',
    checks: [{ reason: 'quiet_hours', passed: false, detail: 'no known time zone' }],
    context: {
      policyId: policy.id,
      purpose: message.purpose,
      country: recipient.country,
      zones: [],
      hours: policy.quietHours[message.purpose],
      goodWindows: false,
      frequency: policy.frequency[message.purpose],
      flood: null,
    },
  };
}
