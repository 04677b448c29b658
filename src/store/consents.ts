/**
 * The consent ledger. `consent_events` is append-only; `contact_consents` holds the current state
 * per contact and purpose and is only ever written by `appendConsentEvent`, in the same
 * transaction, so the two cannot disagree.
 */
import type { Insertable, Selectable } from 'kysely';
import {
  compactImportOf,
  fullImportEvidence,
  type ImportEvidenceHead,
} from '../core/import-evidence.js';
import type { DbOrTx } from './database.js';
import type { ConsentEventsTable, ConsentTextsTable, ContactConsentsTable } from './schema.js';

export type ConsentEventRow = Selectable<ConsentEventsTable>;
export type NewConsentEvent = Omit<Insertable<ConsentEventsTable>, 'id'>;
export type ContactConsentRow = Selectable<ContactConsentsTable>;
export type ConsentTextRow = Selectable<ConsentTextsTable>;

/** Appends one grant or revoke and updates the derived state. Call inside a transaction. */
export async function appendConsentEvent(
  tx: DbOrTx,
  event: NewConsentEvent,
): Promise<ConsentEventRow> {
  const row = await tx
    .insertInto('consent_events')
    .values(event)
    .returningAll()
    .executeTakeFirstOrThrow();
  const state = {
    contact_id: row.contact_id,
    purpose: row.purpose,
    granted: row.action === 'grant' ? 1 : 0,
    method: row.method,
    source: row.source,
    event_id: row.id,
    at: row.at,
  };
  await tx
    .insertInto('contact_consents')
    .values(state)
    .onConflict((oc) =>
      oc.columns(['contact_id', 'purpose']).doUpdateSet({
        granted: state.granted,
        method: state.method,
        source: state.source,
        event_id: state.event_id,
        at: state.at,
      }),
    )
    .execute();
  return row;
}

export async function currentConsents(db: DbOrTx, contactId: number): Promise<ContactConsentRow[]> {
  return db
    .selectFrom('contact_consents')
    .selectAll()
    .where('contact_id', '=', contactId)
    .execute();
}

/** Current consents for many contacts at once (imports, segment previews). */
export async function currentConsentsOf(
  db: DbOrTx,
  contactIds: readonly number[],
  purpose: string,
): Promise<Map<number, ContactConsentRow>> {
  const out = new Map<number, ContactConsentRow>();
  for (let i = 0; i < contactIds.length; i += 500) {
    const rows = await db
      .selectFrom('contact_consents')
      .selectAll()
      .where('contact_id', 'in', contactIds.slice(i, i + 500))
      .where('purpose', '=', purpose)
      .execute();
    for (const r of rows) out.set(r.contact_id, r);
  }
  return out;
}

/** A contact's consent events, oldest first, each with its whole evidence. */
export async function consentHistory(db: DbOrTx, contactId: number): Promise<ConsentEventRow[]> {
  const rows = await db
    .selectFrom('consent_events')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('id')
    .execute();
  return withFullEvidence(db, rows);
}

/**
 * The events with the evidence of import grants completed from their import's record (see
 * core/import-evidence.ts): what every reader of the ledger shows, never the stored short form.
 */
export async function withFullEvidence<R extends { evidence: string }>(
  db: DbOrTx,
  rows: readonly R[],
): Promise<R[]> {
  const refs = rows.map((row) => compactImportOf(row.evidence));
  const ids = new Set(refs.filter((id): id is number => id !== null));
  if (ids.size === 0) return [...rows];
  const records = await db
    .selectFrom('imports')
    .select(['id', 'file_name', 'file_hash', 'options'])
    .where('id', 'in', [...ids])
    .execute();
  const heads = new Map<number, ImportEvidenceHead>(
    records.map((r) => [
      Number(r.id),
      {
        provenance: (JSON.parse(r.options) as { source: string }).source,
        file: r.file_name,
        sha256: r.file_hash,
      },
    ]),
  );
  return rows.map((row, i) => {
    const id = refs[i]!;
    return id === null
      ? row
      : { ...row, evidence: fullImportEvidence(row.evidence, heads.get(id)) };
  });
}

export async function insertConsentText(
  db: DbOrTx,
  row: Omit<Insertable<ConsentTextsTable>, 'id'>,
): Promise<ConsentTextRow> {
  return db.insertInto('consent_texts').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findConsentText(db: DbOrTx, id: number): Promise<ConsentTextRow | undefined> {
  return db.selectFrom('consent_texts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The newest version of a consent text key. */
export async function latestConsentText(
  db: DbOrTx,
  key: string,
): Promise<ConsentTextRow | undefined> {
  return db
    .selectFrom('consent_texts')
    .selectAll()
    .where('key', '=', key)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function listConsentTexts(db: DbOrTx): Promise<ConsentTextRow[]> {
  return db.selectFrom('consent_texts').selectAll().orderBy('key').orderBy('version').execute();
}
