/** Every periodic job the worker runs. */
import { pumpingPruneJob } from '../abuse/pumping-guard.js';
import { campaignJob } from '../campaigns/lifecycle-job.js';
import { hygieneJob } from '../contacts/hygiene.js';
import { doiExpiryJob } from '../contacts/double-opt-in.js';
import { retentionJob } from '../contacts/retention.js';
import { dispatchJob } from '../delivery/dispatcher.js';
import { deleteExpiredSessions } from '../store/sessions.js';
import { webhookDeliveryJob } from '../webhooks/deliver.js';
import type { Job } from './scheduler.js';

export const sessionCleanup: Job = {
  name: 'sessions.cleanup',
  everyMs: 10 * 60_000,
  run: async (ctx, now) => ({
    expiredSessions: await deleteExpiredSessions(ctx.store.db, now.toISOString()),
  }),
};

export const JOBS: readonly Job[] = [
  sessionCleanup,
  hygieneJob,
  retentionJob,
  dispatchJob,
  doiExpiryJob,
  webhookDeliveryJob,
  pumpingPruneJob,
  campaignJob,
];
