/**
 * A message's history: every status change is written here, in the transaction that changes the
 * message row, so `GET /v1/messages/:id` can tell what happened when. The single place that
 * records a transition; whatever must follow one (a webhook for a final outcome) hooks in here.
 */
import type { DbOrTx } from '../store/database.js';
import { insertMessageEvents } from '../store/message-events.js';
import type { MessageStatus } from './outbox.js';

export interface Transition {
  readonly messageId: number;
  readonly status: MessageStatus;
  readonly at: Date;
  /** An error code or a decision reason; never personal data. */
  readonly detail?: string | null;
  readonly carrier?: string | null;
}

export async function recordHistory(db: DbOrTx, transitions: readonly Transition[]): Promise<void> {
  if (transitions.length === 0) return;
  // A batch's transitions mostly share one instant: formatted once, not once a row.
  let last: Date | null = null;
  let lastIso = '';
  const iso = (at: Date) => {
    if (at !== last) {
      last = at;
      lastIso = at.toISOString();
    }
    return lastIso;
  };
  await insertMessageEvents(
    db,
    transitions.map((t) => ({
      message_id: t.messageId,
      at: iso(t.at),
      status: t.status,
      detail: t.detail ?? null,
      carrier: t.carrier ?? null,
    })),
  );
}
