/**
 * Segments as a service: check a filter against the attributes in force, preview it (live count
 * and a masked sample), and keep saved segments (create, read, update, delete; audited). The
 * campaign planner takes audiences from src/store/segments.ts directly.
 */
import type { AppContext } from '../app-context.js';
import { builtInAttributes } from '../core/attributes.js';
import { HeraldError } from '../core/errors.js';
import { maskPhone } from '../core/phone.js';
import {
  checkSegmentFilter,
  findSegmentCycle,
  segmentRefs,
  type SegmentFilter,
} from '../core/segments.js';
import type { DbOrTx } from '../store/database.js';
import {
  allSegmentFilters,
  deleteSegment,
  findSegmentById,
  findSegmentByName,
  insertSegment,
  listSegments,
  updateSegment,
  type SegmentRow,
} from '../store/saved-segments.js';
import { countSegment, resolveSegmentFilter, sampleSegment } from '../store/segments.js';
import { customAttributeSchema } from './attributes.js';

export const MAX_SAMPLE = 50;

export interface SegmentView {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly filter: SegmentFilter;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface SampleContact {
  readonly id: number;
  /** Always masked (`+86 138****8000`). */
  readonly phone: string;
  readonly country: string | null;
  readonly region: string | null;
  readonly ageBand: string | null;
}

export interface SegmentPreview {
  readonly count: number;
  /** Absent when the caller may see aggregates only. */
  readonly sample?: SampleContact[];
}

export function segmentView(row: SegmentRow): SegmentView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    filter: JSON.parse(row.filter) as SegmentFilter,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

/**
 * Validates a filter written by a person against the built-in and declared attributes and
 * returns it in normal form; references to saved segments must exist and must not loop.
 */
export async function parseSegmentFilter(
  db: DbOrTx,
  input: unknown,
  now: Date,
): Promise<SegmentFilter> {
  const attributes = [
    ...builtInAttributes(now.getUTCFullYear()),
    ...(await customAttributeSchema(db)),
  ];
  const checked = checkSegmentFilter(input, { attributes });
  if (!checked.ok) {
    const first = checked.errors[0]!;
    throw new HeraldError(
      'SEGMENT_INVALID',
      `Invalid filter at ${first.path || '/'}: ${first.message}`,
      { errors: checked.errors },
    );
  }
  await resolveSegmentFilter(db, checked.filter);
  return checked.filter;
}

export async function previewSegment(
  ctx: AppContext,
  input: unknown,
  opts: { readonly now: Date; readonly sampleSize: number },
): Promise<SegmentPreview> {
  const db = ctx.store.db;
  const filter = await parseSegmentFilter(db, input, opts.now);
  return previewFilter(ctx, filter, opts);
}

async function previewFilter(
  ctx: AppContext,
  filter: SegmentFilter,
  opts: { readonly now: Date; readonly sampleSize: number },
): Promise<SegmentPreview> {
  const db = ctx.store.db;
  const resolved = await resolveSegmentFilter(db, filter);
  const count = await countSegment(db, resolved, { now: opts.now });
  if (opts.sampleSize === 0) return { count };
  const rows = await sampleSegment(db, resolved, {
    now: opts.now,
    limit: Math.min(opts.sampleSize, MAX_SAMPLE),
  });
  return {
    count,
    sample: rows.map((r) => ({
      id: r.id,
      phone: maskPhone(ctx.cipher.decrypt(r.phone_enc)),
      country: r.country,
      region: r.region,
      ageBand: r.age_band,
    })),
  };
}

export async function getSavedSegment(ctx: AppContext, id: number): Promise<SegmentRow> {
  const row = await findSegmentById(ctx.store.db, id);
  if (!row) throw new HeraldError('SEGMENT_NOT_FOUND');
  return row;
}

export async function listSavedSegments(
  ctx: AppContext,
  opts: { readonly afterId?: number; readonly limit: number },
): Promise<SegmentView[]> {
  return (await listSegments(ctx.store.db, opts)).map(segmentView);
}

/** The live count (and sample) of a saved segment. */
export async function previewSavedSegment(
  ctx: AppContext,
  id: number,
  opts: { readonly now: Date; readonly sampleSize: number },
): Promise<SegmentPreview> {
  const row = await getSavedSegment(ctx, id);
  return previewFilter(ctx, JSON.parse(row.filter) as SegmentFilter, opts);
}

export interface SegmentInput {
  readonly name: string;
  readonly description?: string | null;
  readonly filter: unknown;
}

// Two writers may both find a name free; the unique index decides, and the loser hears why.
async function nameTaken<T>(
  ctx: AppContext,
  name: string,
  write: () => Promise<T>,
  id?: number,
): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const other = await findSegmentByName(ctx.store.db, name);
    if (other && other.id !== id) {
      throw new HeraldError('SEGMENT_EXISTS', undefined, { id: other.id });
    }
    throw err;
  }
}

async function assertNameFree(ctx: AppContext, name: string, id?: number): Promise<void> {
  const other = await findSegmentByName(ctx.store.db, name);
  if (other && other.id !== id) {
    throw new HeraldError('SEGMENT_EXISTS', undefined, { id: other.id });
  }
}

export async function createSavedSegment(
  ctx: AppContext,
  input: SegmentInput,
  actor: string,
  now = new Date(),
): Promise<SegmentView> {
  const db = ctx.store.db;
  const name = input.name.trim();
  const filter = await parseSegmentFilter(db, input.filter, now);
  await assertNameFree(ctx, name);
  const at = now.toISOString();
  const row = await nameTaken(ctx, name, () =>
    insertSegment(db, {
      name,
      description: input.description ?? null,
      filter: JSON.stringify(filter),
      created_by: actor,
      created_at: at,
      updated_by: actor,
      updated_at: at,
    }),
  );
  await ctx.auditor.record({
    actor,
    action: 'segment.create',
    target: `segment:${row.id}`,
    details: { name },
  });
  return segmentView(row);
}

export async function changeSavedSegment(
  ctx: AppContext,
  id: number,
  input: Partial<SegmentInput>,
  actor: string,
  now = new Date(),
): Promise<SegmentView> {
  const db = ctx.store.db;
  await getSavedSegment(ctx, id);
  const patch: Parameters<typeof updateSegment>[2] = {
    updated_by: actor,
    updated_at: now.toISOString(),
  };
  if (input.name !== undefined) {
    patch.name = input.name.trim();
    await assertNameFree(ctx, patch.name, id);
  }
  if (input.description !== undefined) patch.description = input.description;
  if (input.filter !== undefined) {
    const filter = await parseSegmentFilter(db, input.filter, now);
    const loop = findSegmentCycle(id, filter, await allSegmentFilters(db));
    if (loop) {
      throw new HeraldError(
        'SEGMENT_CYCLE',
        `Segment ${id} would refer to itself: ${loop.join(' → ')}`,
        { ids: loop },
      );
    }
    patch.filter = JSON.stringify(filter);
  }
  const row = patch.name
    ? await nameTaken(ctx, patch.name, () => updateSegment(db, id, patch), id)
    : await updateSegment(db, id, patch);
  if (!row) throw new HeraldError('SEGMENT_NOT_FOUND');
  await ctx.auditor.record({
    actor,
    action: 'segment.update',
    target: `segment:${id}`,
    details: { fields: Object.keys(input).sort() },
  });
  return segmentView(row);
}

export async function removeSavedSegment(
  ctx: AppContext,
  id: number,
  actor: string,
): Promise<void> {
  const db = ctx.store.db;
  const row = await getSavedSegment(ctx, id);
  const users = [...(await allSegmentFilters(db))]
    .filter(([other, f]) => other !== id && segmentRefs(f).has(id))
    .map(([other]) => other);
  if (users.length > 0) {
    throw new HeraldError(
      'SEGMENT_IN_USE',
      `Segment ${id} is named by segment${users.length > 1 ? 's' : ''} ${users.join(', ')}`,
      { ids: users },
    );
  }
  await deleteSegment(db, id);
  await ctx.auditor.record({
    actor,
    action: 'segment.delete',
    target: `segment:${id}`,
    details: { name: row.name },
  });
}
