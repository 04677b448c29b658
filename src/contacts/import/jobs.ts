/**
 * Imports running in the background of this process (API uploads), each on its own thread: at
 * most one run per import, stoppable on shutdown, which leaves each import failed at its last
 * checkpoint, resumable.
 */
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { redactPhones } from '../../core/redact.js';
import { runImportDetached, type DetachedOptions } from './detached.js';
import type { ImportPlan } from './plan.js';

export interface ImportJobs {
  /** Starts the planned import in the background; IMPORT_CONFLICT if it already runs here. */
  start(plan: ImportPlan, opts?: Omit<DetachedOptions, 'signal'>): void;
  isRunning(id: number): boolean;
  /** Resolves when the import's run here ends (at once when none runs). */
  settled(id: number): Promise<void>;
  /** Stops every run between two batches and waits for them. */
  stopAll(): Promise<void>;
}

export function createImportJobs(ctx: AppContext): ImportJobs {
  const running = new Map<number, { stop: AbortController; done: Promise<void> }>();
  return {
    start(plan, opts = {}) {
      const id = plan.record.id;
      if (running.has(id)) {
        throw new HeraldError('IMPORT_CONFLICT', `Import ${id} is already running`);
      }
      const stop = new AbortController();
      const done = runImportDetached(ctx, plan, { ...opts, signal: stop.signal }).then(
        () => undefined,
        (error: unknown) => {
          // The import record holds the failure (and the audit log); this is for operators.
          const message = redactPhones(error instanceof Error ? error.message : String(error));
          ctx.logger.warn({ importId: id, error: message }, 'import stopped');
        },
      );
      running.set(id, { stop, done: done.finally(() => running.delete(id)) });
    },
    isRunning: (id) => running.has(id),
    async settled(id) {
      await running.get(id)?.done;
    },
    async stopAll() {
      const runs = [...running.values()];
      for (const run of runs) run.stop.abort();
      await Promise.all(runs.map((run) => run.done));
    },
  };
}
