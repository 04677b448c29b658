/**
 * Builds the send decision's Recipient for a stored contact: its zones, consents, opt-out,
 * suppression and recent sends. The decision itself stays pure (src/core/policy/decide.ts).
 */
import type { AppContext } from '../app-context.js';
import type { ConsentMethod, Recipient } from '../core/policy/index.js';
import { currentConsents } from '../store/consents.js';
import type { ContactRow } from '../store/contacts.js';
import { recentSendTimes } from '../store/decision-inputs.js';
import { findSuppressions } from '../store/suppressions.js';

const WINDOW_MS = 31 * 24 * 3600_000; // longer than any cap window of any pack

export async function loadRecipient(
  ctx: AppContext,
  row: ContactRow,
  now: Date,
): Promise<Recipient> {
  const db = ctx.store.db;
  const [consents, suppressions, sends] = await Promise.all([
    currentConsents(db, row.id),
    findSuppressions(db, row.phone_index),
    recentSendTimes(db, {
      phoneIndex: row.phone_index,
      since: new Date(now.getTime() - WINDOW_MS).toISOString(),
    }),
  ]);
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
    if (c.purpose === 'marketing' && c.granted === 0)
      optedOut = { at: Date.parse(c.at), via: c.method };
  }
  const all = suppressions.find((s) => s.scope === 'all');
  const suppression = all ?? suppressions[0];
  const zones = row.own_zone ? [row.own_zone] : (JSON.parse(row.zones) as string[]);
  return {
    numberValid: row.status === 'active',
    country: row.country ?? 'ZZ',
    // Only an ISO 3166-2 subdivision code (FL, NSW, BY) selects regional rules; free text does not.
    ...(row.region && /^[A-Z0-9]{1,3}$/.test(row.region) ? { region: row.region } : {}),
    zones,
    consent,
    optedOut,
    suppressed: suppression
      ? { scope: suppression.scope as 'all' | 'marketing', reason: suppression.reason }
      : null,
    recentSends: {
      marketing: sends.filter((s) => s.purpose === 'marketing').map((s) => Date.parse(s.at)),
      transactional: sends
        .filter((s) => s.purpose === 'transactional')
        .map((s) => Date.parse(s.at)),
      oneTimeCodes: sends.filter((s) => s.kind === 'otp').map((s) => Date.parse(s.at)),
    },
  };
}
