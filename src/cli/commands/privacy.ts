/**
 * `herald export`, `herald erase` (data-subject rights) and `herald clean` (hygiene). Each
 * command's work is a function of the application context and an output, so tests run it
 * in-process; the commander wiring only reads options and opens the context.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AppContext } from '../../app-context.js';
import { runHygiene, type HygieneReport } from '../../contacts/hygiene.js';
import { eraseSubject, exportSubject, type SubjectRef } from '../../contacts/privacy.js';
import { CliError, EXIT, cliActor, withContext } from '../runtime.js';

export interface Output {
  write(text: string): unknown;
}

export interface SubjectOptions {
  phone?: string;
  country?: string;
  contactId?: string;
  reason?: string;
}

export function subjectOf(o: SubjectOptions): SubjectRef {
  if ((o.phone === undefined) === (o.contactId === undefined)) {
    throw new CliError('give exactly one of --phone or --contact-id', EXIT.usage);
  }
  if (o.contactId !== undefined) {
    const id = Number(o.contactId);
    if (!Number.isInteger(id) || id < 1)
      throw new CliError('--contact-id must be a positive integer', EXIT.usage);
    return { contactId: id };
  }
  const country = o.country?.toUpperCase();
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) {
    throw new CliError('--country must be an ISO 3166 alpha-2 code such as CN or US', EXIT.usage);
  }
  return { phone: o.phone!, country };
}

export async function exportCommand(
  ctx: AppContext,
  o: SubjectOptions & { out?: string },
  out: Output,
  err: Output,
): Promise<void> {
  const doc = await exportSubject(ctx, subjectOf(o), { actor: cliActor(), reason: o.reason });
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (o.out) {
    // Personal data: readable by the owner only.
    writeFileSync(o.out, text, { mode: 0o600 });
    err.write(
      `exported ${doc.subject.found ? 'contact ' + doc.contact!.id : 'a number with no contact'} to ${o.out}\n`,
    );
  } else {
    out.write(text);
  }
}

export async function eraseCommand(
  ctx: AppContext,
  o: SubjectOptions & { yes?: boolean },
  out: Output,
): Promise<void> {
  const subject = subjectOf(o);
  if (!o.yes) throw new CliError('erasure cannot be undone: add --yes to confirm', EXIT.usage);
  const { contactId, counts } = await eraseSubject(ctx, subject, {
    actor: cliActor(),
    reason: o.reason,
  });
  const list = Object.entries(counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  out.write(
    `erased ${contactId === null ? 'a number with no contact' : `contact ${contactId}`}: ${list}\n`,
  );
}

export function formatHygieneReport(report: HygieneReport): string {
  const c = report.counts;
  const head = [
    `hygiene${report.dryRun ? ' (dry run: nothing changed)' : ''}: scanned ${c.scanned} contacts`,
    `  invalid numbers ${c.invalid_number}, hard bounces ${c.hard_bounce}, merged ${c.merged}, ` +
      `renormalised ${c.renormalised}, retyped ${c.retyped}`,
    `  re-permission flagged ${c.repermission_flagged}, cleared ${c.repermission_cleared}; ` +
      `suppressions added ${c.suppressionsAdded}${c.unreadable ? `; unreadable ${c.unreadable}` : ''}`,
  ];
  const lines = report.lines.map(
    (l) => `contact ${l.contactId}\t${l.phone}\t${l.change}${l.detail ? `\t${l.detail}` : ''}`,
  );
  if (report.linesOmitted > 0) lines.push(`... and ${report.linesOmitted} more changes`);
  return `${[...head, ...lines].join('\n')}\n`;
}

export async function cleanCommand(
  ctx: AppContext,
  o: { dryRun?: boolean; json?: boolean; batchSize?: string; now?: Date },
  out: Output,
  progress?: Output,
): Promise<HygieneReport> {
  const batchSize = o.batchSize === undefined ? 500 : Number(o.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new CliError('--batch-size must be an integer from 1 to 10000', EXIT.usage);
  }
  const report = await runHygiene(ctx, {
    now: o.now ?? new Date(),
    actor: cliActor(),
    dryRun: o.dryRun,
    batchSize,
    onProgress: progress ? (n) => progress.write(`\rscanned ${n} contacts`) : undefined,
  });
  if (progress) progress.write('\n');
  out.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatHygieneReport(report));
  return report;
}

export function registerPrivacyCommands(program: Command): void {
  const subject = (cmd: Command) =>
    cmd
      .option('--phone <number>', 'the number, in any common writing')
      .option('--country <code>', 'country for a number written without its country code')
      .option('--contact-id <id>', 'the contact instead of a number')
      .option('--reason <text>', 'why (kept in the audit trail)');

  subject(program.command('export'))
    .description('export everything held on a number as JSON (data-subject access request)')
    .option('--out <file>', 'write to this file (mode 0600) instead of standard output')
    .action(async (o: SubjectOptions & { out?: string }) => {
      await withContext({}, (ctx) => exportCommand(ctx, o, process.stdout, process.stderr));
    });

  subject(program.command('erase'))
    .description('erase the personal data held on a number; keeps only its suppression hash')
    .option('--yes', 'confirm: erasure cannot be undone')
    .action(async (o: SubjectOptions & { yes?: boolean }) => {
      await withContext({}, (ctx) => eraseCommand(ctx, o, process.stdout));
    });

  program
    .command('clean')
    .description(
      'hygiene: re-validate numbers, invalidate hard bounces, merge duplicates, flag stale consent',
    )
    .option('--dry-run', 'report what would change without changing anything')
    .option('--json', 'print the report as JSON')
    .option('--batch-size <n>', 'contacts per batch', '500')
    .action(async (o: { dryRun?: boolean; json?: boolean; batchSize?: string }) => {
      await withContext({}, (ctx) =>
        cleanCommand(ctx, o, process.stdout, process.stderr.isTTY ? process.stderr : undefined),
      );
    });
}
