/**
 * One batch of an import: what happens to each line, decided and written inside the batch's
 * transaction (contacts, consent events, report lines), so a batch is all there or not at all.
 *
 * Repeats within the file are decided before, in file order and in memory (`markRepeats`):
 * they depend on nothing in the database and must survive a retried transaction unchanged.
 */
import { compactImportEvidence } from '../../core/import-evidence.js';
import type { Purpose } from '../../core/policy/purposes.js';
import { currentConsentsOf } from '../../store/consents.js';
import { isoNow, type DbOrTx } from '../../store/database.js';
import type { ImportWrites } from '../../store/import-writes.js';
import type { ImportedContact, NewImportLine } from '../../store/imports.js';
import { mergeInto, type Decision } from './merge.js';
import { emptyCounts, type ImportCounts } from './outcomes.js';
import type { ConsentBasis } from './provenance.js';
import type { PreparedRow, ValidRow } from './row-prepare.js';
import type { SeenNumbers } from './seen-numbers.js';

/** A prepared row with what the file itself says about it. */
export interface BatchLine {
  readonly row: PreparedRow;
  /** An earlier line of the file with the same number. */
  readonly duplicateOf?: number;
  /** An earlier line (another number) that carries the same external id. */
  readonly externalIdOn?: number;
}

export interface BatchSettings {
  readonly importId: number;
  readonly purpose: Purpose;
  readonly basis: ConsentBasis | null;
  /** Who declared the consent basis: recorded_by of the consent events. */
  readonly recordedBy: string;
}

/** A row changed under the batch (concurrent writers): the batch is decided again. */
export class BatchRaceError extends Error {}

/** In file order: marks repeats of a number or an external id, remembering first sightings. */
export function markRepeats(
  row: PreparedRow,
  seen: SeenNumbers,
  externalIds: Map<string, number>,
): BatchLine {
  if (!row.ok) return { row };
  const first = seen.firstLineOf(row.index, row.line);
  if (first !== undefined) return { row, duplicateOf: first };
  const externalId = row.attributes.external_id;
  if (externalId === undefined) return { row };
  const claimed = externalIds.get(externalId);
  if (claimed !== undefined) return { row, externalIdOn: claimed };
  externalIds.set(externalId, row.line);
  return { row };
}

/**
 * Decides and writes the batch; returns its counts. Call inside the batch's transaction.
 *
 * New numbers are inserted first (`on conflict do nothing`) and only the rows that did not go
 * in are looked up: a large import is mostly new numbers, and probing a million-entry index
 * for each of them first cost ~5 µs a row (profiled). A row that did not go in has its number,
 * or its external id, on an existing contact.
 */
export async function writeBatch(
  tx: DbOrTx,
  writes: ImportWrites,
  settings: BatchSettings,
  lines: readonly BatchLine[],
  now: Date = new Date(),
): Promise<ImportCounts> {
  const at = isoNow(now);
  const decisions = new Array<Decision>(lines.length);
  const rowAt = (i: number) => lines[i]!.row as ValidRow;
  // Positions (in `lines`) of the rows still to decide, by what is left to find out.
  const fresh: number[] = [];
  lines.forEach((line, i) => {
    if (!line.row.ok) {
      decisions[i] = { outcome: 'invalid', reason: line.row.reason, contactId: null };
    } else if (line.duplicateOf !== undefined) {
      const reason = `same number as line ${line.duplicateOf}`;
      decisions[i] = { outcome: 'duplicate', reason, contactId: null };
    } else fresh.push(i);
  });

  const suppressions = await writes.findSuppressions(
    tx,
    fresh.map((i) => rowAt(i).index),
  );
  const candidates: number[] = [];
  const linked: number[] = [];
  for (const i of fresh) {
    const blocking = (suppressions.get(rowAt(i).index) ?? []).filter(
      (s) => s.scope === 'all' || settings.purpose === 'marketing',
    );
    const repeatOf = lines[i]!.externalIdOn;
    if (blocking.length > 0) {
      const why = blocking.map((s) => `${s.scope} (${s.reason})`).join(', ');
      decisions[i] = { outcome: 'suppressed', reason: `suppressed for ${why}`, contactId: null };
      linked.push(i);
    } else if (repeatOf !== undefined) {
      const reason = `external_id already given to line ${repeatOf} (another number)`;
      decisions[i] = { outcome: 'refused', reason, contactId: null };
      linked.push(i);
    } else candidates.push(i);
  }

  const ids = await writes.insertContacts(tx, {
    importId: settings.importId,
    at,
    contacts: candidates.map((i) => newContact(rowAt(i))),
  });
  const known: number[] = [];
  for (const i of candidates) {
    const id = ids.get(rowAt(i).index);
    if (id === undefined) known.push(i);
    else decisions[i] = { outcome: 'created', reason: null, contactId: id, grant: true };
  }

  // The rows whose number (or external id) a contact already has: find whose.
  const existing = await writes.findContacts(
    tx,
    [...known, ...linked].map((i) => rowAt(i).index),
  );
  for (const i of linked) decisions[i]!.contactId = existing.get(rowAt(i).index)?.id ?? null;
  const owners = await writes.findContactIdsByExternalIds(
    tx,
    known.flatMap((i) => rowAt(i).attributes.external_id ?? []),
  );
  const consents = await currentConsentsOf(
    tx,
    known.flatMap((i) => existing.get(rowAt(i).index)?.id ?? []),
    settings.purpose,
  );
  for (const i of known) {
    const row = rowAt(i);
    const contact = existing.get(row.index);
    const externalId = row.attributes.external_id;
    const owner = externalId === undefined ? undefined : owners.get(externalId);
    if (contact === undefined) {
      // Not inserted, yet no contact has the number: its external id is taken.
      if (owner === undefined) throw new BatchRaceError('a row of this batch changed meanwhile');
      const reason = `external_id belongs to contact ${owner} (another number)`;
      decisions[i] = { outcome: 'refused', reason, contactId: null };
      continue;
    }
    decisions[i] = await mergeInto(tx, {
      purpose: settings.purpose,
      grants: settings.basis !== null,
      row,
      contact,
      consent: consents.get(contact.id),
      externalIdOwner: owner,
      at,
    });
  }
  return record(tx, writes, settings, lines, decisions, at);
}

/** Writes the report lines and consent grants of the decided batch. */
async function record(
  tx: DbOrTx,
  writes: ImportWrites,
  settings: BatchSettings,
  lines: readonly BatchLine[],
  decisions: readonly Decision[],
  at: string,
): Promise<ImportCounts> {
  const counts = emptyCounts();
  const report: NewImportLine[] = [];
  const grants: { contact_id: number; evidence: string }[] = [];
  lines.forEach(({ row }, i) => {
    const d = decisions[i]!;
    counts[d.outcome]++;
    report.push({
      line: row.line,
      outcome: d.outcome,
      reason: d.reason,
      contact_id: d.contactId,
      masked_phone: row.ok ? row.masked : null,
    });
    if (d.grant === true && d.contactId !== null) {
      // Stored short: the rest of the evidence is the import's record (core/import-evidence.ts).
      const evidence = compactImportEvidence(settings.importId, row.line);
      grants.push({ contact_id: d.contactId, evidence });
    }
  });
  const basis = settings.basis;
  if (basis !== null) {
    await writes.appendGrants(tx, {
      purpose: settings.purpose,
      method: basis.method,
      source: `import:${settings.importId}`,
      consentTextId: basis.text.id,
      consentTextHash: basis.text.hash,
      recordedBy: settings.recordedBy,
      at,
      grants,
    });
  }
  await writes.insertLines(tx, settings.importId, report);
  return counts;
}

function newContact(row: ValidRow): ImportedContact {
  const a = row.attributes;
  return {
    phone_enc: row.enc,
    phone_index: row.index,
    country: row.country,
    number_type: row.type,
    zones: row.zones,
    carrier: row.carrier,
    place: row.place,
    external_id: a.external_id ?? null,
    birth_year: a.birth_year ?? null,
    age_band: a.age_band ?? null,
    city: a.city ?? null,
    region: a.region ?? null,
    gender: a.gender ?? null,
    locale: a.locale ?? null,
    tags: JSON.stringify(a.tags ?? []),
    custom: JSON.stringify(a.custom ?? {}),
  };
}
