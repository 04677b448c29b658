/**
 * What a crash leaves of an import, put right by the API process that holds uploads:
 *
 * - An upload whose process died mid-run stays `running` at its last checkpoint, and nothing
 *   updates it any more. Once its record has been still for `staleSeconds` (a live run writes a
 *   checkpoint every batch, a few seconds apart at most), the first API process to notice claims
 *   it (one conditional update, so two processes never both do) and resumes it from that
 *   checkpoint, as `POST /v1/imports/:id/resume` would; the audit log says `system:recovery`.
 *   An import of the CLI (its file is the user's own, elsewhere) is marked failed with the
 *   command that continues it instead: only its user can run it again.
 * - Uploaded files hold numbers in clear, so none stays longer than needed: a file no import
 *   names (the process died between receiving it and recording the import) goes after an hour;
 *   the file of a failed import goes after `keepFailedDays`, and the import says so (a resume
 *   then asks for the file again).
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../app-context.js';
import { updateImport, type ImportRecord } from '../../store/imports.js';
import { startResume } from './importer.js';
import type { ImportJobs } from './jobs.js';
import type { StoredOptions } from './plan.js';

export const RECOVERY_ACTOR = 'system:recovery';
/** An upload no import names is removed after this long (ms). */
const ORPHAN_UPLOAD_MS = 3_600_000;

export interface RecoveryOptions {
  readonly staleSeconds: number;
  readonly keepFailedDays: number;
}

export interface RecoveryReport {
  /** Imports resumed in this process. */
  readonly resumed: number[];
  /** Imports marked failed: a CLI import, or an upload whose file is gone. */
  readonly failed: number[];
  /** Uploaded files removed. */
  readonly filesRemoved: number;
}

const uploadsDir = (ctx: AppContext) => path.join(ctx.config.dataDir, 'imports');

function storedFile(record: ImportRecord): string | null {
  try {
    return path.resolve((JSON.parse(record.options) as StoredOptions).file);
  } catch {
    return null;
  }
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

async function openImports(ctx: AppContext): Promise<ImportRecord[]> {
  return ctx.store.db
    .selectFrom('imports')
    .selectAll()
    .where('status', 'in', ['running', 'failed'])
    .orderBy('id')
    .execute();
}

/** Claims a still `running` import whose record has not moved since `seen`; false if taken. */
async function claim(ctx: AppContext, record: ImportRecord, now: Date): Promise<boolean> {
  const result = await ctx.store.db
    .updateTable('imports')
    .set({ updated_at: now.toISOString() })
    .where('id', '=', record.id)
    .where('status', '=', 'running')
    .where('updated_at', '=', record.updated_at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recoverImports(
  ctx: AppContext,
  jobs: ImportJobs,
  opts: RecoveryOptions,
  now = new Date(),
): Promise<RecoveryReport> {
  const resumed: number[] = [];
  const failed: number[] = [];
  let filesRemoved = 0;
  const uploads = uploadsDir(ctx);
  const staleBefore = new Date(now.getTime() - opts.staleSeconds * 1000).toISOString();
  const keepFailedBefore = new Date(now.getTime() - opts.keepFailedDays * 86_400_000).toISOString();
  const records = await openImports(ctx);
  const named = new Set<string>();

  for (const record of records) {
    const file = storedFile(record);
    if (file) named.add(file);
    if (record.status === 'running') {
      if (jobs.isRunning(record.id) || record.updated_at >= staleBefore) continue;
      if (!(await claim(ctx, record, now))) continue;
      const upload = file !== null && path.dirname(file) === uploads;
      const problem = !upload
        ? `interrupted: continue it with \`herald import FILE --resume ${record.id}\``
        : !(await exists(file))
          ? 'interrupted, and the uploaded file is gone: upload the file again'
          : null;
      if (problem) {
        await updateImport(ctx.store.db, record.id, {
          status: 'failed',
          error: problem,
          updated_at: now.toISOString(),
        });
        failed.push(record.id);
        continue;
      }
      try {
        const plan = await startResume(ctx, record.id, { actor: RECOVERY_ACTOR });
        jobs.start(plan, { removeFileWhenDone: true });
        resumed.push(record.id);
        ctx.logger.info({ importId: record.id }, 'interrupted import resumed');
      } catch (err) {
        ctx.logger.warn({ err, importId: record.id }, 'interrupted import could not be resumed');
      }
    } else if (file && path.dirname(file) === uploads && record.updated_at < keepFailedBefore) {
      if (await exists(file)) {
        await unlink(file).catch(() => undefined);
        filesRemoved += 1;
        await updateImport(ctx.store.db, record.id, {
          error: `${record.error ?? 'failed'}; the uploaded file was removed after ${opts.keepFailedDays} days`,
        });
      }
    }
  }

  // Uploads that no import names: the process died between receiving and recording them.
  const entries = await readdir(uploads).catch(() => [] as string[]);
  for (const name of entries) {
    const file = path.join(uploads, name);
    if (!name.startsWith('upload-') || named.has(file)) continue;
    const info = await stat(file).catch(() => null);
    if (!info || now.getTime() - info.mtimeMs < ORPHAN_UPLOAD_MS) continue;
    // A done import's file is already gone; one recorded since the list was read is named now.
    const since = await ctx.store.db
      .selectFrom('imports')
      .select('options')
      .where('status', '!=', 'done')
      .where('options', 'like', `%${name}%`)
      .executeTakeFirst();
    if (since) continue;
    await unlink(file).catch(() => undefined);
    filesRemoved += 1;
  }
  return { resumed, failed, filesRemoved };
}
