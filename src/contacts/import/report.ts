/**
 * An import as people and programs see it: its record (provenance, progress, counts) and its
 * row-level report, read page by page so a million-line report streams in constant memory.
 * Numbers appear only masked.
 */
import { csvRows } from '../../core/csv.js';
import type { DbOrTx } from '../../store/database.js';
import { listImportLines, type ImportLine, type ImportRecord } from '../../store/imports.js';
import {
  parseCounts,
  type ImportCounts,
  type ImportOutcome,
  type ImportStatus,
} from './outcomes.js';
import type { StoredOptions } from './plan.js';

export interface ImportView {
  readonly id: number;
  readonly status: ImportStatus;
  readonly fileName: string;
  readonly sha256: string;
  readonly source: string;
  readonly purpose: string;
  readonly consentMethod: string | null;
  readonly consentTextId: number | null;
  readonly mapping: Record<string, string>;
  readonly ignoredColumns: string[];
  readonly processedRows: number;
  readonly estimatedRows: number;
  readonly counts: ImportCounts;
  readonly error: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

export function importView(record: ImportRecord): ImportView {
  const options = JSON.parse(record.options) as StoredOptions;
  return {
    id: record.id,
    status: record.status as ImportStatus,
    fileName: record.file_name,
    sha256: record.file_hash,
    source: options.source,
    purpose: options.purpose,
    consentMethod: options.consentMethod,
    consentTextId: options.consentTextId,
    mapping: { ...options.mapping },
    ignoredColumns: [...options.ignoredColumns],
    processedRows: record.processed_rows,
    estimatedRows: options.estimatedRows,
    counts: parseCounts(record.counts),
    error: record.error,
    createdBy: record.created_by,
    createdAt: record.created_at,
    updatedAt: record.updated_at,
    finishedAt: record.finished_at,
  };
}

export interface ReportLine {
  readonly line: number;
  readonly outcome: ImportOutcome;
  readonly reason: string | null;
  readonly maskedPhone: string | null;
  readonly contactId: number | null;
}

export function reportLine(row: ImportLine): ReportLine {
  return {
    line: row.line,
    outcome: row.outcome as ImportOutcome,
    reason: row.reason,
    maskedPhone: row.masked_phone,
    contactId: row.contact_id,
  };
}

const PAGE = 5_000;

/** Every report line in file order, a page at a time. */
export async function* reportPages(
  db: DbOrTx,
  importId: number,
  opts: { outcome?: ImportOutcome } = {},
): AsyncGenerator<ReportLine[]> {
  let afterLine: number | undefined;
  for (;;) {
    const rows = await listImportLines(db, {
      importId,
      afterLine,
      outcome: opts.outcome,
      limit: PAGE,
    });
    if (rows.length === 0) return;
    yield rows.map(reportLine);
    if (rows.length < PAGE) return;
    afterLine = rows.at(-1)!.line;
  }
}

const CSV_COLUMNS = ['line', 'outcome', 'reason', 'masked_phone', 'contact_id'];

/** The report as CSV text, in pieces; cells that a spreadsheet would run are neutralised. */
export async function* reportCsv(
  db: DbOrTx,
  importId: number,
  opts: { outcome?: ImportOutcome } = {},
): AsyncGenerator<string> {
  yield csvRows([CSV_COLUMNS]);
  for await (const page of reportPages(db, importId, opts)) {
    yield csvRows(page.map((l) => [l.line, l.outcome, l.reason, l.maskedPhone, l.contactId]));
  }
}

/** The report as one JSON document `{ import, lines }`, in pieces. */
export async function* reportJson(db: DbOrTx, record: ImportRecord): AsyncGenerator<string> {
  yield `{"import":${JSON.stringify(importView(record))},"lines":[`;
  let first = true;
  for await (const page of reportPages(db, record.id)) {
    const text = page.map((l) => JSON.stringify(l)).join(',\n');
    yield first ? `\n${text}` : `,\n${text}`;
    first = false;
  }
  yield '\n]}\n';
}

/** One line for people: `import 12 done: 1000 rows, created 850, merged 0, ...`. */
export function summaryLine(
  view: Pick<ImportView, 'id' | 'status' | 'processedRows' | 'counts'>,
): string {
  const counts = Object.entries(view.counts)
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(', ');
  return `import ${view.id} ${view.status}: ${view.processedRows} rows, ${counts}`;
}
