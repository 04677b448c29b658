/**
 * Imports after a crash, on both dialects: an upload left `running` by a dead process is
 * resumed from its checkpoint by the next API process (once, however many look), to the same end
 * as an uninterrupted run; a CLI import is marked failed with the command that continues it; and
 * upload files, which hold numbers in clear, do not outlive their use.
 */
import { copyFileSync, existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app-context.js';
import { runImport, startImport } from '../../src/contacts/import/importer.js';
import { createImportJobs } from '../../src/contacts/import/jobs.js';
import { RECOVERY_ACTOR, recoverImports } from '../../src/contacts/import/recovery.js';
import { queryAuditRows } from '../../src/store/audit-log.js';
import { findImport, listImportLines } from '../../src/store/imports.js';
import { DIALECTS, type TestDatabase } from '../helpers/databases.js';
import { openTestContext } from '../helpers/context.js';

const NUMBERS_CSV = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
  'fixtures',
  'numbers.csv',
);
const OPTS = { staleSeconds: 120, keepFailedDays: 7 };
const BASIS = { source: 'crm export', purpose: 'transactional', actor: 'user:ann' } as const;
const MINUTE = 60_000;

describe.each(DIALECTS)('[%s] import recovery', (dialect) => {
  let ctx: AppContext;
  let database: TestDatabase;
  let uploads: string;
  let n = 0;

  beforeAll(async () => {
    ({ ctx, database } = await openTestContext(dialect));
    uploads = path.join(database.dataDir, 'imports');
    mkdirSync(uploads, { recursive: true });
  });
  afterAll(async () => {
    await ctx?.close();
    await database?.drop();
  });

  const upload = () => {
    const file = path.join(uploads, `upload-${dialect}-${++n}.csv`);
    copyFileSync(NUMBERS_CSV, file);
    return file;
  };

  /** What kill -9 leaves: the record `running` at its checkpoint, last touched `ago` ms back. */
  async function interrupted(file: string, ago: number, afterBatches = 3) {
    const plan = await startImport(ctx, { ...BASIS, file });
    await runImport(ctx, plan, {
      workers: 0,
      batchRows: 10,
      beforeCommit: ({ index }) => {
        if (index === afterBatches) throw new Error('killed');
      },
    }).catch(() => undefined);
    await ctx.store.db
      .updateTable('imports')
      .set({
        status: 'running',
        error: null,
        updated_at: new Date(Date.now() - ago).toISOString(),
      })
      .where('id', '=', plan.record.id)
      .execute();
    return plan.record.id;
  }

  it('resumes an upload a dead process left running, from its checkpoint, to the end', async () => {
    const file = upload();
    const id = await interrupted(file, 10 * MINUTE);
    expect(await findImport(ctx.store.db, id)).toMatchObject({ processed_rows: 30 });
    const jobs = createImportJobs(ctx);
    const report = await recoverImports(ctx, jobs, OPTS);
    expect(report.resumed).toEqual([id]);
    await jobs.settled(id);
    const done = (await findImport(ctx.store.db, id))!;
    expect(done).toMatchObject({ status: 'done', processed_rows: 95, error: null });
    const lines = await listImportLines(ctx.store.db, { importId: id, limit: 1000 });
    expect(lines.map((l) => l.line)).toEqual([...new Set(lines.map((l) => l.line))]);
    expect(lines).toHaveLength(95);
    expect(existsSync(file)).toBe(false);
    const [resume] = await queryAuditRows(ctx.store.db, { action: 'import.resume', limit: 1 });
    expect(resume).toMatchObject({ actor: RECOVERY_ACTOR, target: `import:${id}` });
  });

  it('leaves a run that is still writing checkpoints alone', async () => {
    const id = await interrupted(upload(), 30_000);
    const report = await recoverImports(ctx, createImportJobs(ctx), OPTS);
    expect(report.resumed).not.toContain(id);
    expect(await findImport(ctx.store.db, id)).toMatchObject({ status: 'running' });
    await ctx.store.db
      .updateTable('imports')
      .set({ status: 'failed' })
      .where('id', '=', id)
      .execute();
  });

  it('is resumed by one process only when several look at once', async () => {
    const id = await interrupted(upload(), 10 * MINUTE);
    const [a, b] = [createImportJobs(ctx), createImportJobs(ctx)];
    const reports = await Promise.all([recoverImports(ctx, a, OPTS), recoverImports(ctx, b, OPTS)]);
    expect(reports.flatMap((r) => r.resumed).filter((x) => x === id)).toHaveLength(1);
    await Promise.all([a.settled(id), b.settled(id)]);
    expect(await findImport(ctx.store.db, id)).toMatchObject({
      status: 'done',
      processed_rows: 95,
    });
  });

  it('marks a dead CLI import failed with the command that continues it', async () => {
    // The CLI reads the user's own file, outside Herald's uploads.
    const id = await interrupted(NUMBERS_CSV, 10 * MINUTE);
    const report = await recoverImports(ctx, createImportJobs(ctx), OPTS);
    expect(report.failed).toContain(id);
    const record = (await findImport(ctx.store.db, id))!;
    expect(record.status).toBe('failed');
    expect(record.error).toContain(`--resume ${id}`);
  });

  it('removes a failed upload after the kept days, and an upload no import names after an hour', async () => {
    const failedFile = upload();
    const id = await interrupted(failedFile, 0);
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * MINUTE).toISOString();
    await ctx.store.db
      .updateTable('imports')
      .set({ status: 'failed', error: 'killed', updated_at: eightDaysAgo })
      .where('id', '=', id)
      .execute();
    const orphan = path.join(uploads, 'upload-orphan.csv');
    writeFileSync(orphan, 'phone\n+8613912345678\n');
    const young = path.join(uploads, 'upload-young.csv');
    writeFileSync(young, 'phone\n+8613912345679\n');
    const twoHoursAgo = new Date(Date.now() - 120 * MINUTE);
    utimesSync(orphan, twoHoursAgo, twoHoursAgo);

    const report = await recoverImports(ctx, createImportJobs(ctx), OPTS);
    expect(existsSync(failedFile)).toBe(false);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(report.filesRemoved).toBeGreaterThanOrEqual(2);
    expect((await findImport(ctx.store.db, id))!.error).toContain('removed after 7 days');
  });
});
