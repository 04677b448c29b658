/**
 * Importing a CSV file of phone numbers: provenance checked first, the file fingerprinted and
 * its columns resolved, an import record created (audited); then the file streams through the
 * parse workers into batches, each written in one transaction together with its checkpoint.
 * A failed or killed import is resumed from that checkpoint with the same id; lines already
 * written are read again (to know the file's earlier numbers) but not written again.
 */
import { availableParallelism } from 'node:os';
import { unlink } from 'node:fs/promises';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { redactPhones } from '../../core/redact.js';
import {
  findImport,
  insertImport,
  lockImportCheckpoint,
  reopenImport,
  saveImportCheckpoint,
  tuneForBulkWrites,
  updateImport,
  type ImportRecord,
} from '../../store/imports.js';
import { importWritesFor } from '../../store/import-writes.js';
import { BatchRaceError, markRepeats, writeBatch, type BatchLine } from './batch.js';
import { openCsvReader } from './csv-source.js';
import { addCounts, emptyCounts, parseCounts, type ImportCounts } from './outcomes.js';
import { planImport, planResume, type ImportPlan, type ImportRequest } from './plan.js';
import { SeenNumbers } from './seen-numbers.js';
import { threadCpuSeconds } from './thread-cpu.js';
import { mapOrdered, startChunkProcessor } from './worker-pool.js';

export interface ImportProgress {
  readonly importId: number;
  readonly processedRows: number;
  /** From the file's line breaks: a guide for progress bars, not a promise. */
  readonly estimatedRows: number;
  readonly counts: ImportCounts;
}

export interface RunOptions {
  /** Worker threads; default: one per core up to 4, none for small files. */
  readonly workers?: number;
  /** Rows per transaction (and checkpoint). */
  readonly batchRows?: number;
  /** Rows per chunk sent to a worker. */
  readonly chunkRows?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Stops between batches; the import is left failed and resumable. */
  readonly signal?: AbortSignal;
  /** Runs inside each batch's transaction, after its writes; throwing rolls the batch back. */
  readonly beforeCommit?: (batch: { index: number; firstRow: number; lastRow: number }) => unknown;
  /** Delete the file once the import is done (uploads kept only for a resume). */
  readonly removeFileWhenDone?: boolean;
}

export interface ImportResult {
  readonly id: number;
  readonly status: 'done';
  readonly processedRows: number;
  readonly counts: ImportCounts;
  readonly seconds: number;
  /**
   * CPU seconds of this run's threads, where the platform tells (Linux): the thread that
   * reads the file and writes the database, and the parse workers together (0 without any).
   */
  readonly cpu?: { readonly writer: number; readonly parse: number };
}

const SMALL_FILE_ROWS = 5_000;
const MAX_WORKERS = 4;
const DEFAULT_CHUNK_ROWS = 2_000;
// SQLite's cost per commit is the phone_index pages it rewrites (random keys touch pages all
// over the index). Measured on a million contacts: 2,000 rows a commit cost ~50% more per row
// than 10,000; 50,000 saved another ~10% but holds five times the rows in memory. 25,000: the
// commit's share fell from ~7 to ~4.4 µs a row at 400,000 rows (bench/README.md, import), for
// ~30 MB more in flight (the run's heap is bounded in detached.ts).
const DEFAULT_BATCH_ROWS = { sqlite: 25_000, postgres: 5_000 } as const;
const RACE_RETRIES = 3;

/** Checks and records a new import (audited), ready for `runImport`. */
export async function startImport(ctx: AppContext, request: ImportRequest): Promise<ImportPlan> {
  const plan = await planImport(ctx, request);
  const now = new Date().toISOString();
  const record = await insertImport(ctx.store.db, {
    file_name: plan.fileName,
    file_hash: plan.file.sha256,
    options: JSON.stringify(plan.stored),
    status: 'running',
    counts: JSON.stringify(emptyCounts()),
    error: null,
    created_by: request.actor,
    created_at: now,
    updated_at: now,
    finished_at: null,
  });
  await ctx.auditor.record({
    actor: request.actor,
    action: 'import.start',
    target: `import:${record.id}`,
    details: {
      file: plan.fileName,
      sha256: plan.file.sha256,
      source: plan.provenance.source,
      purpose: plan.provenance.purpose,
      consentMethod: plan.provenance.basis?.method ?? null,
      consentTextId: plan.provenance.basis?.text.id ?? null,
      mapping: plan.mapping.mapping,
    },
  });
  return { ...plan, record };
}

/** Prepares a stopped import to continue from its checkpoint (audited). */
export async function startResume(
  ctx: AppContext,
  id: number,
  opts: { actor: string; file?: string },
): Promise<ImportPlan> {
  const record = await findImport(ctx.store.db, id);
  if (record === undefined) throw new HeraldError('IMPORT_NOT_FOUND', `No import ${id}`);
  if (record.status === 'done') {
    throw new HeraldError('IMPORT_CONFLICT', `Import ${id} is already done`);
  }
  const plan = await planResume(ctx, record, opts.file);
  await reopenImport(ctx.store.db, { id, now: new Date().toISOString() });
  await ctx.auditor.record({
    actor: opts.actor,
    action: 'import.resume',
    target: `import:${id}`,
    details: { fromRow: record.processed_rows },
  });
  return { ...plan, record: { ...record, status: 'running' } };
}

/** What running an import needs of the application: a detached run (run-worker.ts) has its own. */
export type ImportDeps = Pick<AppContext, 'store' | 'cipher' | 'auditor' | 'logger'>;

/** Runs (or continues) a planned import to its end, on this thread (see detached.ts). */
export async function runImport(
  ctx: ImportDeps,
  plan: ImportPlan,
  opts: RunOptions = {},
): Promise<ImportResult> {
  const started = performance.now();
  const writerCpuAtStart = threadCpuSeconds();
  const id = plan.record.id;
  const db = ctx.store.db;
  const estimatedRows = plan.stored.estimatedRows;
  const workers =
    opts.workers ??
    (estimatedRows < SMALL_FILE_ROWS ? 0 : Math.min(MAX_WORKERS, availableParallelism()));
  const batchRows = opts.batchRows ?? DEFAULT_BATCH_ROWS[ctx.store.dialect];
  const chunkRows = opts.chunkRows ?? DEFAULT_CHUNK_ROWS;
  let processed = plan.record.processed_rows;
  const counts = parseCounts(plan.record.counts);
  const settings = {
    importId: id,
    purpose: plan.provenance.purpose,
    basis: plan.provenance.basis,
    recordedBy: plan.record.created_by,
  };

  const processor = startChunkProcessor({
    workers,
    cipher: ctx.cipher,
    init: { config: plan.prepare, delimiter: plan.delimiter },
  });
  const writes = importWritesFor(ctx.store);
  const restore = await tuneForBulkWrites(db, ctx.store.dialect, {
    cacheMb: 24,
    walPages: 50_000,
  });
  let batchIndex = 0;
  const writePending = async (lines: readonly BatchLine[]): Promise<void> => {
    if (lines.length === 0) return;
    if (opts.signal?.aborted === true) {
      throw new HeraldError('IMPORT_CONFLICT', 'The import was stopped; resume it to continue');
    }
    const from = processed;
    const to = processed + lines.length;
    const index = batchIndex++;
    for (let attempt = 1; ; attempt++) {
      try {
        const batchCounts = await db.transaction().execute(async (tx) => {
          const now = new Date();
          const at = now.toISOString();
          if (!(await lockImportCheckpoint(tx, { id, processedRows: from, now: at }))) {
            throw new HeraldError(
              'IMPORT_CONFLICT',
              `Import ${id} moved past row ${from} elsewhere: is another run of it going on?`,
              { concurrentRun: true },
            );
          }
          const written = await writeBatch(tx, writes, settings, lines, now);
          const total = { ...counts };
          addCounts(total, written);
          await saveImportCheckpoint(tx, {
            id,
            processedRows: to,
            counts: JSON.stringify(total),
            now: at,
          });
          await opts.beforeCommit?.({ index, firstRow: from + 1, lastRow: to });
          return written;
        });
        addCounts(counts, batchCounts);
        break;
      } catch (error) {
        if (!(error instanceof BatchRaceError) || attempt >= RACE_RETRIES) throw error;
      }
    }
    processed = to;
    opts.onProgress?.({ importId: id, processedRows: processed, estimatedRows, counts });
  };

  try {
    const reader = await openCsvReader(plan.file.path, {
      encoding: plan.file.encoding,
      delimiter: plan.delimiter,
      chunkRows,
    });
    const seen = new SeenNumbers(estimatedRows);
    const externalIds = new Map<string, number>();
    const resumeAfter = processed;
    let ordinal = 0;
    let pending: BatchLine[] = [];
    // Read-ahead: a whole batch plus two chunks per worker, so the workers prepare the next
    // batch while this thread writes the current one (with less, both sides wait in turn).
    const limit = Math.ceil(batchRows / chunkRows) + 2 * Math.max(1, processor.workers);
    for await (const rows of mapOrdered(reader.chunks(), (c) => processor.process(c), limit)) {
      for (const row of rows) {
        const line = markRepeats(row, seen, externalIds);
        // Rows up to the checkpoint were written by an earlier run: only remembered.
        if (++ordinal <= resumeAfter) continue;
        pending.push(line);
        if (pending.length === batchRows) {
          await writePending(pending);
          pending = [];
        }
      }
    }
    await writePending(pending);
    const parseCpu = processor.workers > 0 ? await processor.cpuSeconds() : 0;
    const writerCpu = threadCpuSeconds();
    const cpu =
      writerCpuAtStart === null || writerCpu === null || parseCpu === null
        ? undefined
        : { writer: writerCpu - writerCpuAtStart, parse: parseCpu };
    const finishedAt = new Date().toISOString();
    await updateImport(db, id, {
      status: 'done',
      counts: JSON.stringify(counts),
      updated_at: finishedAt,
      finished_at: finishedAt,
    });
    const seconds = (performance.now() - started) / 1000;
    await ctx.auditor.record({
      actor: plan.record.created_by,
      action: 'import.finish',
      target: `import:${id}`,
      details: { rows: processed, counts, seconds: Math.round(seconds * 10) / 10 },
    });
    if (opts.removeFileWhenDone === true) await unlink(plan.file.path).catch(() => undefined);
    return { id, status: 'done', processedRows: processed, counts, seconds, ...(cpu && { cpu }) };
  } catch (error) {
    // Another run owns the import now: its record is that run's to keep.
    const concurrent =
      error instanceof HeraldError &&
      error.code === 'IMPORT_CONFLICT' &&
      (error.details as { concurrentRun?: boolean } | undefined)?.concurrentRun === true;
    if (!concurrent) await recordFailure(ctx, plan.record, processed, error);
    throw error;
  } finally {
    await processor.close();
    await restore().catch(() => undefined);
  }
}

/** Marks the import failed (resumable) and audits it; never throws. */
export async function recordFailure(
  ctx: ImportDeps,
  record: ImportRecord,
  processed: number | null,
  error: unknown,
): Promise<void> {
  const message = redactPhones(error instanceof Error ? error.message : String(error));
  try {
    const now = new Date().toISOString();
    await updateImport(ctx.store.db, record.id, {
      status: 'failed',
      error: message,
      updated_at: now,
    });
    await ctx.auditor.record({
      actor: record.created_by,
      action: 'import.fail',
      target: `import:${record.id}`,
      details: { rows: processed, error: message },
    });
  } catch (secondary) {
    ctx.logger.error({ err: secondary, importId: record.id }, 'could not record a failed import');
  }
}

/** Plans, records and runs an import in one call (the CLI's path). */
export async function importFile(
  ctx: AppContext,
  request: ImportRequest,
  opts: RunOptions = {},
): Promise<ImportResult> {
  return runImport(ctx, await startImport(ctx, request), opts);
}
