/**
 * Candidate worst-case values of contact fields over an audience, for worst-case segment counts:
 * the longest values, plus the longest value with a non-ASCII character (a short Chinese city
 * name can cost more than a long Latin one, because it turns the whole message into UCS-2).
 */
import { PostgresAdapter, sql } from 'kysely';
import type { DbOrTx } from './database.js';

const COLUMNS = new Set([
  'city',
  'region',
  'country',
  'gender',
  'locale',
  'birth_year',
  'age_band',
]);

export async function candidateFieldValues(
  db: DbOrTx,
  fields: readonly string[],
  filter: { country?: string } = {},
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const field of fields) {
    if (!COLUMNS.has(field)) continue;
    const col = sql.ref(`contacts.${field}`);
    const text = sql`cast(${col} as text)`;
    const where = filter.country ? sql`and country = ${filter.country}` : sql``;
    const nonAscii = postgres ? sql`${text} ~ '[^ -~]'` : sql`${text} glob '*[^ -~]*'`;
    const longest = await sql<{ v: string }>`
      select v from (select distinct ${text} as v from contacts where ${col} is not null ${where}) d
      order by length(v) desc limit 10`.execute(db);
    const wide = await sql<{ v: string }>`
      select ${text} as v from contacts where ${col} is not null and ${nonAscii} ${where}
      order by length(${text}) desc limit 1`.execute(db);
    const values = [...new Set([...longest.rows, ...wide.rows].map((r) => r.v))];
    if (values.length > 0) out[field] = values;
  }
  return out;
}

/** The longest value of custom attributes, scanning the JSON in id order. */
export async function longestCustomValues(
  db: DbOrTx,
  names: readonly string[],
  filter: { country?: string } = {},
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (names.length === 0) return out;
  let after = 0;
  for (;;) {
    let q = db.selectFrom('contacts').select(['id', 'custom']).where('id', '>', after);
    if (filter.country) q = q.where('country', '=', filter.country);
    const rows = await q.orderBy('id').limit(2000).execute();
    if (rows.length === 0) return out;
    for (const row of rows) {
      const custom = JSON.parse(row.custom) as Record<string, unknown>;
      for (const name of names) {
        const v = custom[name];
        if (v === undefined || v === null) continue;
        const text = Array.isArray(v) ? v.join(', ') : String(v);
        if (text.length > (out[name]?.length ?? -1)) out[name] = text;
      }
    }
    after = rows[rows.length - 1]!.id;
  }
}
