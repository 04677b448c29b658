/** Every periodic job the worker runs. */
import { pumpingPruneJob } from '../abuse/pumping-guard.js';
import { campaignJob } from '../campaigns/lifecycle-job.js';
import { hygieneJob } from '../contacts/hygiene.js';
import { doiExpiryJob } from '../contacts/double-opt-in.js';
import { retentionJob } from '../contacts/retention.js';
import { dispatchJob } from '../delivery/dispatcher.js';
import { heldReceiptsJob } from '../delivery/held-receipts.js';
import { deleteLoginFailuresBefore } from '../store/login-failures.js';
import { deleteExpiredSessions, deleteIdleSessions } from '../store/sessions.js';
import { webhookDeliveryJob } from '../webhooks/deliver.js';
import type { Job } from './scheduler.js';

export const sessionCleanup: Job = {
  name: 'sessions.cleanup',
  everyMs: 10 * 60_000,
  run: async (ctx, now) => ({
    expiredSessions: await deleteExpiredSessions(ctx.store.db, now.toISOString()),
    idleSessions: await deleteIdleSessions(
      ctx.store.db,
      new Date(now.getTime() - ctx.config.sessionIdleMinutes * 60_000).toISOString(),
    ),
    // Failures older than a day no longer count towards any lock-out window (at most 24 h).
    loginFailures: await deleteLoginFailuresBefore(
      ctx.store.db,
      new Date(now.getTime() - 24 * 3600_000).toISOString(),
    ),
  }),
};

export const JOBS: readonly Job[] = [
  sessionCleanup,
  hygieneJob,
  retentionJob,
  dispatchJob,
  heldReceiptsJob,
  doiExpiryJob,
  webhookDeliveryJob,
  pumpingPruneJob,
  campaignJob,
];
