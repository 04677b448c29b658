/** Saved segments (0010): a unique name, a description and a filter tree stored as JSON. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { SegmentFilter } from '../core/segments.js';
import type { DbOrTx } from './database.js';
import type { SegmentsTable } from './schema.js';

export type SegmentRow = Selectable<SegmentsTable>;
export type NewSegmentRow = Insertable<SegmentsTable>;
export type SegmentPatch = Updateable<SegmentsTable>;

export async function insertSegment(db: DbOrTx, row: NewSegmentRow): Promise<SegmentRow> {
  return db.insertInto('segments').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findSegmentById(db: DbOrTx, id: number): Promise<SegmentRow | undefined> {
  return db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findSegmentByName(db: DbOrTx, name: string): Promise<SegmentRow | undefined> {
  return db.selectFrom('segments').selectAll().where('name', '=', name).executeTakeFirst();
}

/** A page of saved segments in id order (keyset paging with `afterId`). */
export async function listSegments(
  db: DbOrTx,
  opts: { readonly afterId?: number; readonly limit: number },
): Promise<SegmentRow[]> {
  let q = db.selectFrom('segments').selectAll();
  if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
  return q.orderBy('id').limit(opts.limit).execute();
}

export async function updateSegment(
  db: DbOrTx,
  id: number,
  patch: SegmentPatch,
): Promise<SegmentRow | undefined> {
  return db
    .updateTable('segments')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteSegment(db: DbOrTx, id: number): Promise<boolean> {
  const result = await db.deleteFrom('segments').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The filters of the given saved segments, by id (unknown ids are simply absent). */
export async function segmentFilters(
  db: DbOrTx,
  ids: readonly number[],
): Promise<Map<number, SegmentFilter>> {
  const found = new Map<number, SegmentFilter>();
  if (ids.length === 0) return found;
  const rows = await db
    .selectFrom('segments')
    .select(['id', 'filter'])
    .where('id', 'in', [...ids])
    .execute();
  for (const r of rows) found.set(r.id, JSON.parse(r.filter) as SegmentFilter);
  return found;
}

/**
 * Every saved segment's filter. Segments are few (tens, hundreds): cycle checks and "which
 * segments name this one" read them all.
 */
export async function allSegmentFilters(db: DbOrTx): Promise<Map<number, SegmentFilter>> {
  const rows = await db.selectFrom('segments').select(['id', 'filter']).execute();
  return new Map(rows.map((r) => [r.id, JSON.parse(r.filter) as SegmentFilter]));
}
