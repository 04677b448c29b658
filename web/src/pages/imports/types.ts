/** What the imports area reads from /v1 (the shapes of the API's answers). */
import type { IMPORT_OUTCOMES } from './domain';

export type Outcome = (typeof IMPORT_OUTCOMES)[number];

export interface ImportRecord {
  readonly id: number;
  readonly status: string;
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
  readonly counts: Record<Outcome, number>;
  readonly error: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface ReportLine {
  readonly line: number;
  readonly outcome: Outcome;
  readonly reason: string | null;
  readonly maskedPhone: string | null;
  readonly contactId: number | null;
}

export interface ReportPage {
  readonly items: ReportLine[];
  readonly nextAfterLine: number | null;
}

export interface ConsentText {
  readonly id: number;
  readonly key: string;
  readonly version: number;
  readonly purpose: string;
  readonly locale: string;
}

export interface AttributeDefinition {
  readonly name: string;
}
