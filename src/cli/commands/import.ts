/**
 * `herald import FILE --source ... --purpose ... [--consent-method ... --consent-text ...]`:
 * imports a CSV with its provenance, with a progress bar on a terminal (stderr) and silence in
 * pipes, then one summary line of counts on stdout. Exit 0 when the import ran (invalid rows
 * included), 2 for usage or provenance errors, 1 when it stopped midway (resumable with
 * --resume; Ctrl-C stops it between two batches).
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { AppContext } from '../../app-context.js';
import { redactPhones } from '../../core/redact.js';
import { runImportDetached } from '../../contacts/import/detached.js';
import { startImport, startResume, type ImportProgress } from '../../contacts/import/importer.js';
import { parseMappingOption } from '../../contacts/import/header-map.js';
import type { ImportPlan } from '../../contacts/import/plan.js';
import { importView, reportCsv, reportJson, summaryLine } from '../../contacts/import/report.js';
import { findImport } from '../../store/imports.js';
import { CliError, EXIT, cliActor, withContext } from '../runtime.js';

export interface ImportCommandOptions {
  source?: string;
  purpose?: string;
  consentMethod?: string;
  consentText?: string;
  country?: string;
  encoding?: string;
  delimiter?: string;
  map?: string;
  ignore?: string[];
  report?: string;
  resume?: string;
  workers?: string;
}

export interface ImportIo {
  readonly out: { write(text: string): unknown };
  /** Where the progress bar goes; none when not a terminal. */
  readonly progress?: NodeJS.WritableStream;
  readonly actor: string;
}

const PROVENANCE_FLAGS = ['source', 'purpose', 'consentMethod', 'consentText'] as const;

export function registerImportCommand(program: Command): void {
  program
    .command('import <file>')
    .description(
      'import a CSV of phone numbers with its provenance; prints a summary line of counts',
    )
    .option('--source <text>', 'where the numbers were collected, e.g. "2025 trade show"')
    .option('--purpose <purpose>', 'marketing or transactional')
    .option('--consent-method <method>', 'how the people consented (web_form, paper, ...)')
    .option('--consent-text <key|id>', 'the consent text they agreed to (its key or id)')
    .option('--country <code>', 'country of numbers written without a country code (CN, US...)')
    .option('--encoding <name>', 'file encoding (default: detected, UTF-8 or GB18030)')
    .option('--delimiter <char>', 'field delimiter: , ; | or tab (default: detected)')
    .option('--map <pairs>', 'columns for fields: phone=手机号,city=城市')
    .option(
      '--ignore <header>',
      'leave this column out even when it is named like a field (repeat for several)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--report <file>', 'write the row-level report to FILE (.csv or .json)')
    .option('--resume <id>', 'continue import ID from its checkpoint (same file)')
    .option('--workers <n>', 'parse worker threads (default: one per core)')
    .action(async (file: string, o: ImportCommandOptions) => {
      await withContext({}, (ctx) =>
        importCommand(ctx, file, o, {
          out: process.stdout,
          progress: process.stderr.isTTY ? process.stderr : undefined,
          actor: cliActor(),
        }),
      );
    });
}

export async function importCommand(
  ctx: AppContext,
  file: string,
  o: ImportCommandOptions,
  io: ImportIo,
): Promise<number> {
  const report = o.report;
  if (report !== undefined && !/\.(csv|json)$/i.test(report)) {
    throw new CliError('--report must name a .csv or .json file', EXIT.usage);
  }
  const workers = o.workers === undefined ? undefined : Number(o.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 64)) {
    throw new CliError('--workers must be a whole number from 0 to 64', EXIT.usage);
  }
  const plan =
    o.resume === undefined ? await planNew(ctx, file, o, io) : await planResumed(ctx, file, o, io);
  const bar = io.progress ? progressBar(io.progress) : null;
  let total = Math.max(1, plan.stored.estimatedRows);
  bar?.start(total, plan.record.processed_rows);
  const onProgress = (p: ImportProgress) => {
    // The total is an estimate from the file's line breaks: never show more than 100%.
    if (p.processedRows > total) bar?.setTotal((total = p.processedRows));
    bar?.update(p.processedRows);
  };
  // Ctrl-C stops between two batches, so the import is left at a clean checkpoint.
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  try {
    await runImportDetached(ctx, plan, { workers, onProgress, signal: stop.signal });
  } catch (error) {
    bar?.stop();
    const message = redactPhones(error instanceof Error ? error.message : String(error));
    const id = plan.record.id;
    throw new CliError(
      `import ${id} stopped: ${message}; continue it with --resume ${id}`,
      EXIT.failure,
    );
  } finally {
    process.off('SIGINT', interrupt);
  }
  const record = (await findImport(ctx.store.db, plan.record.id))!;
  if (bar) {
    bar.setTotal(Math.max(1, record.processed_rows));
    bar.update(record.processed_rows);
    bar.stop();
  }
  if (report !== undefined) {
    const text = report.toLowerCase().endsWith('.json')
      ? reportJson(ctx.store.db, record)
      : reportCsv(ctx.store.db, record.id);
    // The report shows masked numbers and contact ids: readable by its owner only.
    await pipeline(Readable.from(text), createWriteStream(report, { mode: 0o600 }));
  }
  io.out.write(`${summaryLine(importView(record))}\n`);
  return record.id;
}

async function planNew(
  ctx: AppContext,
  file: string,
  o: ImportCommandOptions,
  io: ImportIo,
): Promise<ImportPlan> {
  if (o.source === undefined || o.purpose === undefined) {
    throw new CliError('a new import needs --source and --purpose', EXIT.usage);
  }
  return startImport(ctx, {
    file,
    actor: io.actor,
    source: o.source,
    purpose: o.purpose,
    consentMethod: o.consentMethod,
    consentText: o.consentText,
    defaultCountry: o.country,
    encoding: o.encoding,
    delimiter: o.delimiter,
    mapping: o.map === undefined ? undefined : parseMappingOption(o.map),
    ignore: o.ignore,
  });
}

async function planResumed(
  ctx: AppContext,
  file: string,
  o: ImportCommandOptions,
  io: ImportIo,
): Promise<ImportPlan> {
  const id = Number(o.resume);
  if (!Number.isInteger(id) || id < 1)
    throw new CliError('--resume takes an import id', EXIT.usage);
  // A resume reads the file exactly as the first run did: its options are the stored ones.
  const given = PROVENANCE_FLAGS.filter((flag) => o[flag] !== undefined);
  if (given.length > 0 || o.map || o.ignore || o.country || o.encoding || o.delimiter) {
    throw new CliError(
      "--resume takes the import's own options; give only FILE and --resume",
      EXIT.usage,
    );
  }
  return startResume(ctx, id, { actor: io.actor, file });
}

function progressBar(stream: NodeJS.WritableStream): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    {
      stream,
      format: 'importing |{bar}| {percentage}% {value}/{total} rows, eta {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
}
