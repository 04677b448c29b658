/**
 * The reads and writes of one import batch, chosen by dialect. PostgreSQL runs the precompiled
 * multi-row statements of imports.ts. SQLite runs cached prepared statements of better-sqlite3
 * on the connection under Kysely, one row at a time (but for the current consents, derived from
 * the batch's consent events in one statement): inside the batch's Kysely transaction (the
 * same single connection, which Kysely holds for the whole callback), so they commit or roll back
 * with it. Preparing a 1,000-row statement anew for every thousand rows cost more than SQLite
 * spends storing them (profiled on a million rows: the DB thread halved without it), and `run()`
 * gives each new contact's id, so nothing is read back.
 */
import type { Statement } from 'better-sqlite3';
import type { ContactRow } from './contacts.js';
import type { DbOrTx, Store } from './database.js';
import {
  appendImportGrants,
  findContactIdsByExternalIds,
  findContactsByIndexes,
  findSuppressionsByIndexes,
  insertImportedContacts,
  insertImportLines,
  type ImportedContact,
  type ImportGrants,
  type NewImportLine,
} from './imports.js';
import type { SuppressionRow } from './suppressions.js';

export interface ImportWrites {
  findSuppressions(tx: DbOrTx, indexes: readonly string[]): Promise<Map<string, SuppressionRow[]>>;
  findContacts(tx: DbOrTx, indexes: readonly string[]): Promise<Map<string, ContactRow>>;
  findContactIdsByExternalIds(
    tx: DbOrTx,
    externalIds: readonly string[],
  ): Promise<Map<string, number>>;
  /** See `insertImportedContacts`: blind index -> id of the contacts inserted. */
  insertContacts(
    tx: DbOrTx,
    opts: { importId: number; at: string; contacts: readonly ImportedContact[] },
  ): Promise<Map<string, number>>;
  /** See `appendImportGrants`. */
  appendGrants(tx: DbOrTx, opts: ImportGrants): Promise<void>;
  insertLines(tx: DbOrTx, importId: number, lines: readonly NewImportLine[]): Promise<void>;
}

export function importWritesFor(store: Pick<Store, 'dialect' | 'sqlite'>): ImportWrites {
  if (store.dialect === 'sqlite' && store.sqlite !== undefined) return sqliteWrites(store.sqlite);
  return {
    findSuppressions: findSuppressionsByIndexes,
    findContacts: findContactsByIndexes,
    findContactIdsByExternalIds,
    insertContacts: insertImportedContacts,
    appendGrants: appendImportGrants,
    insertLines: insertImportLines,
  };
}

type Sqlite = NonNullable<Store['sqlite']>;

const CONTACT_INSERT = `insert into contacts (phone_enc, phone_index, country, number_type, zones,
  carrier, place, external_id, birth_year, age_band, city, region, gender, locale, tags, custom,
  status, source, import_id, created_at, updated_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
  on conflict do nothing`;
const EVENT_INSERT = `insert into consent_events (contact_id, evidence, purpose, action, method,
  source, consent_text_id, consent_text_hash, recorded_by, at)
  values (?, ?, ?, 'grant', ?, ?, ?, ?, ?, ?)`;
// The current state follows from the events a batch just wrote, in one statement (as on
// PostgreSQL in imports.ts): an upsert run per row cost ~1 µs more a row (measured at 100,000
// rows, SQLite's own work the same). SQLite has one writer, so every consent event above
// `before` with this import's source is this batch's.
const CONSENTS_FROM_EVENTS = `insert into contact_consents
  (contact_id, purpose, granted, method, source, event_id, at)
  select contact_id, purpose, 1, method, source, id, at from consent_events
  where id > ? and source = ?
  on conflict (contact_id, purpose) do update set granted = excluded.granted,
  method = excluded.method, source = excluded.source, event_id = excluded.event_id,
  at = excluded.at`;
const LAST_EVENT_ID = 'select coalesce(max(id), 0) from consent_events';
const LINE_INSERT = `insert into import_rows (import_id, line, outcome, reason, contact_id,
  masked_phone) values (?, ?, ?, ?, ?, ?)`;

function sqliteWrites(sqlite: Sqlite): ImportWrites {
  const cache = new Map<string, Statement>();
  const statement = (text: string): Statement => {
    let prepared = cache.get(text);
    if (prepared === undefined) {
      prepared = sqlite.prepare(text);
      cache.set(text, prepared);
    }
    return prepared;
  };
  /** Rows whose `column` is one of `values`: one cached look-up per value, on its index. */
  const selectEach = <R>(head: string, values: readonly string[]): R[] => {
    const select = statement(`${head} = ?`);
    const out: R[] = [];
    for (const value of values) for (const row of select.all(value)) out.push(row as R);
    return out;
  };

  return {
    async findSuppressions(_tx, indexes) {
      const out = new Map<string, SuppressionRow[]>();
      const rows = selectEach<SuppressionRow>(
        'select * from suppressions where phone_index',
        indexes,
      );
      for (const row of rows) out.set(row.phone_index, [...(out.get(row.phone_index) ?? []), row]);
      return out;
    },
    async findContacts(_tx, indexes) {
      const rows = selectEach<ContactRow>('select * from contacts where phone_index', indexes);
      return new Map(rows.map((row) => [row.phone_index, row]));
    },
    async findContactIdsByExternalIds(_tx, externalIds) {
      const rows = selectEach<{ id: number; external_id: string }>(
        'select id, external_id from contacts where external_id',
        externalIds,
      );
      return new Map(rows.map((row) => [row.external_id, Number(row.id)]));
    },
    async insertContacts(_tx, { importId, at, contacts }) {
      const insert = statement(CONTACT_INSERT);
      const source = `import:${importId}`;
      const ids = new Map<string, number>();
      // In blind-index order: consecutive inserts land on neighbouring pages of its B-tree.
      const sorted = [...contacts].sort((a, b) =>
        a.phone_index < b.phone_index ? -1 : a.phone_index > b.phone_index ? 1 : 0,
      );
      for (const c of sorted) {
        const result = insert.run(
          c.phone_enc,
          c.phone_index,
          c.country ?? null,
          c.number_type,
          c.zones,
          c.carrier ?? null,
          c.place ?? null,
          c.external_id ?? null,
          c.birth_year ?? null,
          c.age_band ?? null,
          c.city ?? null,
          c.region ?? null,
          c.gender ?? null,
          c.locale ?? null,
          c.tags,
          c.custom,
          source,
          importId,
          at,
          at,
        );
        if (result.changes === 1) ids.set(c.phone_index, Number(result.lastInsertRowid));
      }
      return ids;
    },
    async appendGrants(_tx, opts) {
      if (opts.grants.length === 0) return;
      const before = statement(LAST_EVENT_ID).pluck().get() as number;
      const event = statement(EVENT_INSERT);
      for (const grant of opts.grants) {
        event.run(
          grant.contact_id,
          grant.evidence,
          opts.purpose,
          opts.method,
          opts.source,
          opts.consentTextId,
          opts.consentTextHash,
          opts.recordedBy,
          opts.at,
        );
      }
      statement(CONSENTS_FROM_EVENTS).run(before, opts.source);
    },
    async insertLines(_tx, importId, lines) {
      const insert = statement(LINE_INSERT);
      for (const l of lines) {
        insert.run(importId, l.line, l.outcome, l.reason, l.contact_id, l.masked_phone);
      }
    },
  };
}
