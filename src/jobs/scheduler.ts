/**
 * The scheduler: runs periodic jobs (hygiene, retention, clean-ups) inside a worker process.
 * Each job runs at most once at a time per process; a failing run is logged and retried at the
 * next tick. Jobs are idempotent, so several workers sharing a PostgreSQL database may run them.
 */
import type { AppContext } from '../app-context.js';

export interface Job {
  readonly name: string;
  readonly everyMs: number;
  run(ctx: AppContext, now: Date): Promise<Record<string, number> | void>;
}

export interface Scheduler {
  /** Runs every job once now (used at start-up and by tests). */
  runAll(): Promise<void>;
  stop(): Promise<void>;
}

export function startScheduler(ctx: AppContext, jobs: readonly Job[]): Scheduler {
  const running = new Map<string, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];

  const runJob = (job: Job): Promise<void> => {
    const current = running.get(job.name);
    if (current) return current;
    const started = Date.now();
    const p = job
      .run(ctx, new Date())
      .then((result) => {
        if (result && Object.values(result).some((n) => n > 0)) {
          ctx.logger.info({ job: job.name, ms: Date.now() - started, ...result }, 'job finished');
        }
      })
      .catch((err: unknown) => ctx.logger.error({ job: job.name, err }, 'job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, p);
    return p;
  };

  for (const job of jobs) {
    const timer = setInterval(() => void runJob(job), job.everyMs);
    timer.unref();
    timers.push(timer);
  }
  return {
    runAll: async () => {
      await Promise.all(jobs.map(runJob));
    },
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all(running.values());
    },
  };
}
