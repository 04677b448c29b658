/**
 * Running an import on its own thread (run-worker.ts), as the CLI and the API do: the event
 * loop that answers requests never waits on an import's batches, and the run's memory is
 * bounded by its worker's heap limit, whatever the file's size (a million rows: measured
 * ~340 MB peak for the whole process against ~430 MB with the run on the main thread, whose
 * heap V8 lets grow). In-process `runImport` stays for tests that hook into a batch.
 */
import type { AppContext } from '../../app-context.js';
import { HeraldError, type ErrorCode } from '../../core/errors.js';
import { recordFailure, type ImportResult, type RunOptions } from './importer.js';
import type { ImportPlan } from './plan.js';
import { spawnImportWorker } from './spawn.js';
import type { RunInit, RunMessage } from './worker-protocol.js';

export type DetachedOptions = Pick<
  RunOptions,
  'workers' | 'batchRows' | 'chunkRows' | 'removeFileWhenDone' | 'onProgress' | 'signal'
>;

// Live data of a run: the batches in flight (~30 MB at a million rows); the repeat table is
// outside the heap. A bound a few times that keeps V8 from growing the heap lazily.
const RUN_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 8 };

export function runImportDetached(
  ctx: AppContext,
  plan: ImportPlan,
  opts: DetachedOptions = {},
): Promise<ImportResult> {
  const { onProgress, signal, ...options } = opts;
  const init: RunInit = {
    database: ctx.config.database,
    storeOptions: ctx.store.schema === undefined ? {} : { searchPath: ctx.store.schema },
    logLevel: ctx.config.logLevel,
    material: ctx.cipher.material(),
    auditKey: new Uint8Array(ctx.auditKey),
    plan,
    options,
  };
  const worker = spawnImportWorker('run-worker', init, RUN_LIMITS);
  const stop = () => worker.postMessage('stop');
  signal?.addEventListener('abort', stop, { once: true });
  const run = new Promise<ImportResult>((resolve, reject) => {
    let settled = false;
    const lost = (error: Error) => {
      if (settled) return;
      settled = true;
      // The thread died without a word (out of memory...): the import stays resumable.
      void recordFailure(ctx, plan.record, null, error).finally(() => reject(error));
    };
    worker.on('message', (message: RunMessage) => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'done') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        const { code, message: text, details } = message.error;
        reject(
          code === undefined ? new Error(text) : new HeraldError(code as ErrorCode, text, details),
        );
      }
    });
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the import thread stopped (exit code ${code})`)));
  });
  return run.finally(() => {
    signal?.removeEventListener('abort', stop);
    void worker.terminate();
  });
}
