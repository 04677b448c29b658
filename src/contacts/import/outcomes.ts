/**
 * The closed sets of an import: what happened to each line of the file, and where the import
 * stands. The report, the API schemas and the counts all derive from these arrays.
 */
export const IMPORT_OUTCOMES = [
  'created',
  'merged',
  'duplicate',
  'invalid',
  'suppressed',
  'refused',
] as const;
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];

export type ImportCounts = Record<ImportOutcome, number>;

/** `running` also covers an import whose process died: it is resumed from its checkpoint. */
export const IMPORT_STATUSES = ['running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export function emptyCounts(): ImportCounts {
  return { created: 0, merged: 0, duplicate: 0, invalid: 0, suppressed: 0, refused: 0 };
}

/** Counts as stored (JSON text); unknown keys are dropped, missing ones are 0. */
export function parseCounts(text: string): ImportCounts {
  const raw = JSON.parse(text) as Partial<Record<string, unknown>>;
  const counts = emptyCounts();
  for (const outcome of IMPORT_OUTCOMES) {
    const value = raw[outcome];
    if (typeof value === 'number') counts[outcome] = value;
  }
  return counts;
}

export function addCounts(into: ImportCounts, more: ImportCounts): void {
  for (const outcome of IMPORT_OUTCOMES) into[outcome] += more[outcome];
}

export function totalOf(counts: ImportCounts): number {
  return IMPORT_OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0);
}
