/** What the send decision needs from the outbox: recent send times of one number. */
import type { DbOrTx } from './database.js';
import { messagesOfNumbers } from './messages-of-number.js';

// Messages that count against caps: sent, on their way, or reserved in the outbox (a subset of
// MESSAGE_STATUSES in src/delivery/outbox.ts: not blocked, failed or cancelled).
export const COUNTING_STATUSES = [
  'queued',
  'deferred',
  'sending',
  'submitted',
  'sent',
  'delivered',
  'undelivered',
  'expired',
  'unknown',
];

export async function recentSendTimes(
  db: DbOrTx,
  opts: { phoneIndex: string; since: string },
): Promise<{ purpose: string; kind: string; at: string }[]> {
  const rows = await db
    .selectFrom(messagesOfNumbers(db, [opts.phoneIndex], 'messages'))
    .select(['purpose', 'kind', 'sent_at', 'not_before'])
    .where('status', 'in', COUNTING_STATUSES)
    .where((eb) => eb.or([eb('sent_at', '>=', opts.since), eb('not_before', '>=', opts.since)]))
    .execute();
  return rows.map((r) => ({ purpose: r.purpose, kind: r.kind, at: r.sent_at ?? r.not_before }));
}
