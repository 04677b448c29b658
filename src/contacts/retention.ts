/**
 * Retention: message bodies (outbound and inbound) older than `retentionMessageDays` are cleared
 * and behaviour events older than `retentionEventDays` are deleted. The message rows themselves
 * stay: delivery statistics and the compliance report need their status and times, not the text.
 */
import type { AppContext } from '../app-context.js';
import type { Job } from '../jobs/scheduler.js';
import { deleteEventsBefore } from '../store/events.js';
import { clearInboundBodiesBefore, clearMessageBodiesBefore } from '../store/privacy.js';

export interface RetentionCounts {
  messageBodies: number;
  inboundBodies: number;
  events: number;
}

const DAY_MS = 86_400_000;
// Short statements: a big backlog never holds the write lock (SQLite) for long.
const BATCH = 5000;

async function drain(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < BATCH) return total;
  }
}

/** Applies the retention periods as of `now`; audited when it removed anything. */
export async function applyRetention(
  ctx: AppContext,
  opts: { readonly now: Date; readonly actor: string },
): Promise<RetentionCounts> {
  const db = ctx.store.db;
  const messagesBefore = new Date(
    opts.now.getTime() - ctx.config.retentionMessageDays * DAY_MS,
  ).toISOString();
  const eventsBefore = new Date(
    opts.now.getTime() - ctx.config.retentionEventDays * DAY_MS,
  ).toISOString();
  const counts: RetentionCounts = {
    messageBodies: await drain(() =>
      clearMessageBodiesBefore(db, { before: messagesBefore, limit: BATCH }),
    ),
    inboundBodies: await drain(() =>
      clearInboundBodiesBefore(db, { before: messagesBefore, limit: BATCH }),
    ),
    events: await drain(() => deleteEventsBefore(db, { before: eventsBefore, limit: BATCH })),
  };
  if (counts.messageBodies + counts.inboundBodies + counts.events > 0) {
    await ctx.auditor.record({
      actor: opts.actor,
      action: 'retention.run',
      target: null,
      details: { ...counts, messagesBefore, eventsBefore },
    });
  }
  return counts;
}

/** The daily retention job. */
export const retentionJob: Job = {
  name: 'privacy.retention',
  everyMs: 24 * 60 * 60_000,
  run: async (ctx, now) => ({ ...(await applyRetention(ctx, { now, actor: 'system:retention' })) }),
};
