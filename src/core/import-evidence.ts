/**
 * The evidence of a consent grant an import records for a line of its file: which import, and
 * the file's provenance, name and SHA-256, and the line.
 *
 * All of it but the line is the same for every line of the import and already on the import's
 * record (written once, audited at `import.start`), so the ledger stores only `{import, line}`
 * for each grant and readers see the whole evidence, rebuilt from the record: on a
 * million-row import the full form cost the writer thread ~3 µs a row (bench/README.md, import,
 * fourth pass). Grants stored whole by earlier versions are read as they are.
 */

/** What the import's record gives to every line's evidence. */
export interface ImportEvidenceHead {
  readonly provenance: string;
  readonly file: string;
  readonly sha256: string;
}

/** The stored form: `{"import":12,"line":345}`. */
export function compactImportEvidence(importId: number, line: number): string {
  return `{"import":${importId},"line":${line}}`;
}

/** The import a stored evidence text refers to in its compact form; null for any other text. */
export function compactImportOf(evidence: string): number | null {
  const match = COMPACT.exec(evidence);
  return match === null ? null : Number(match[1]);
}

const COMPACT = /^\{"import":(\d+),"line":\d+\}$/;

/**
 * The evidence as readers see it (keys in this order, as imports wrote it before the compact
 * form): the compact form completed by the import's head; any other text unchanged.
 */
export function fullImportEvidence(evidence: string, head: ImportEvidenceHead | undefined): string {
  if (head === undefined || compactImportOf(evidence) === null) return evidence;
  const { import: importId, line } = JSON.parse(evidence) as { import: number; line: number };
  return JSON.stringify({
    import: importId,
    provenance: head.provenance,
    file: head.file,
    sha256: head.sha256,
    line,
  });
}
