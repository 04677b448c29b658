/**
 * Segments in SQL: a filter tree (src/core/segments.ts) compiled to one parameterised WHERE
 * clause over `contacts c` for SQLite and PostgreSQL, and the queries the API and the campaign
 * planner run with it: the count, keyset pages of contact ids, a sample to show masked.
 *
 * Every value from a filter is a bound parameter; the only words put into SQL are column and
 * table names written here. Every condition compiles to a predicate that is true or false,
 * never NULL, so `not` is the exact complement within the active contacts (SQL's three-valued
 * logic would otherwise drop contacts whose field is empty from both a condition and its
 * negation).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AttributeDefinition } from '../core/attributes.js';
import { HeraldError } from '../core/errors.js';
import { PURCHASE } from '../core/events.js';
import {
  birthYearsOfBand,
  expandSegmentRefs,
  segmentRefs,
  type AttributeCondition,
  type AttributeScalar,
  type EngagementCondition,
  type PurchaseCondition,
  type SegmentCondition,
  type SegmentFilter,
} from '../core/segments.js';
import { isPostgres, type DbOrTx } from './database.js';
import { listAttributeDefinitions } from './attribute-definitions.js';
import { segmentFilters } from './saved-segments.js';

type Predicate = RawBuilder<SqlBool>;

/** A filter whose saved-segment references are expanded, with what compiling it needs. */
export interface ResolvedSegment {
  readonly resolved: true;
  readonly filter: SegmentFilter;
  /** Declared custom attributes, by name (those the filter names). */
  readonly custom: ReadonlyMap<string, AttributeDefinition>;
}

interface CompileContext {
  readonly postgres: boolean;
  readonly now: Date;
  readonly custom: ReadonlyMap<string, AttributeDefinition>;
}

/** Event types that count as a conversion ("converted" engagement). */
export const CONVERSION_EVENT_TYPES: readonly string[] = [PURCHASE];

const DAY_MS = 86_400_000;
const TRUE: Predicate = sql<SqlBool>`(1 = 1)`;
const FALSE: Predicate = sql<SqlBool>`(1 = 0)`;

// Built-in attributes and their columns; anything else is a declared custom attribute in JSON.
const ATTRIBUTE_COLUMNS = {
  birth_year: { column: sql.ref('c.birth_year'), type: 'integer' },
  age_band: { column: sql.ref('c.age_band'), type: 'enum' },
  city: { column: sql.ref('c.city'), type: 'string' },
  region: { column: sql.ref('c.region'), type: 'string' },
  gender: { column: sql.ref('c.gender'), type: 'enum' },
  locale: { column: sql.ref('c.locale'), type: 'string' },
  tags: { column: sql.ref('c.tags'), type: 'string_list' },
} as const;

function daysAgo(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

function list(values: readonly unknown[]) {
  return sql.join(values.map((v) => sql`${v}`));
}

function and(parts: readonly Predicate[]): Predicate {
  return parts.length === 0 ? TRUE : sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

function or(parts: readonly Predicate[]): Predicate {
  return parts.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/** `column in (...)`, false (not NULL) when the column is empty. */
function inList(column: RawBuilder<unknown>, values: readonly unknown[]): Predicate {
  return sql<SqlBool>`(${column} is not null and ${column} in (${list(values)}))`;
}

// Booleans are 0/1 in SQLite (json_extract gives 1/0, better-sqlite3 cannot bind booleans).
function bind(value: AttributeScalar, ctx: CompileContext): unknown {
  if (typeof value === 'boolean' && !ctx.postgres) return value ? 1 : 0;
  return value;
}

/** Elements of a JSON array of strings, as rows of one column `v`. */
function jsonElements(json: RawBuilder<unknown>, ctx: CompileContext): RawBuilder<unknown> {
  return ctx.postgres
    ? sql`jsonb_array_elements_text(coalesce(${json}, '[]'::jsonb)) as t(v)`
    : sql`(select value as v from json_each(coalesce(${json}, '[]'))) as t`;
}

function listContains(
  json: RawBuilder<unknown>,
  values: readonly string[],
  ctx: CompileContext,
): Predicate {
  return sql<SqlBool>`exists (select 1 from ${jsonElements(json, ctx)} where t.v in (${list(values)}))`;
}

function listNotEmpty(json: RawBuilder<unknown>, ctx: CompileContext): Predicate {
  return ctx.postgres
    ? sql<SqlBool>`(coalesce(jsonb_array_length(${json}), 0) > 0)`
    : sql<SqlBool>`(coalesce(json_array_length(${json}), 0) > 0)`;
}

function attributeValue(
  c: AttributeCondition,
  ctx: CompileContext,
): { value: RawBuilder<unknown>; type: AttributeDefinition['type'] } {
  const builtIn = ATTRIBUTE_COLUMNS[c.name as keyof typeof ATTRIBUTE_COLUMNS];
  if (builtIn) {
    const column =
      builtIn.type === 'string_list' && ctx.postgres
        ? sql`${builtIn.column}::jsonb`
        : builtIn.column;
    return { value: column, type: builtIn.type };
  }
  const def = ctx.custom.get(c.name);
  if (!def) {
    throw new HeraldError('SEGMENT_INVALID', `"${c.name}" is not a declared attribute`, {
      errors: [{ path: '', message: `"${c.name}" is not a declared attribute` }],
    });
  }
  if (ctx.postgres) {
    const path = sql`${c.name}::text`;
    switch (def.type) {
      case 'string_list':
        return { value: sql`(c.custom::jsonb -> ${path})`, type: def.type };
      case 'number':
      case 'integer':
        return { value: sql`((c.custom::jsonb ->> ${path})::double precision)`, type: def.type };
      case 'boolean':
        return { value: sql`((c.custom::jsonb ->> ${path})::boolean)`, type: def.type };
      default:
        return { value: sql`(c.custom::jsonb ->> ${path})`, type: def.type };
    }
  }
  const path = `$.${JSON.stringify(c.name)}`;
  return { value: sql`json_extract(c.custom, ${path})`, type: def.type };
}

function attribute(c: AttributeCondition, ctx: CompileContext): Predicate {
  const { value, type } = attributeValue(c, ctx);
  if (type === 'string_list') {
    if (c.op === 'exists') return listNotEmpty(value, ctx);
    const wanted = (Array.isArray(c.value) ? c.value : [c.value]) as string[];
    return listContains(value, wanted, ctx);
  }
  const one = bind(c.value as AttributeScalar, ctx);
  const many = Array.isArray(c.value) ? c.value.map((v) => bind(v, ctx)) : [];
  const present = sql<SqlBool>`(${value} is not null)`;
  switch (c.op) {
    case 'exists':
      return present;
    case 'eq':
      return sql<SqlBool>`(${present} and ${value} = ${one})`;
    case 'neq':
      return sql<SqlBool>`(not (${present} and ${value} = ${one}))`;
    case 'in':
      return inList(value, many);
    case 'not_in':
      return sql<SqlBool>`(not ${inList(value, many)})`;
    case 'gt':
      return sql<SqlBool>`(${present} and ${value} > ${one})`;
    case 'gte':
      return sql<SqlBool>`(${present} and ${value} >= ${one})`;
    case 'lt':
      return sql<SqlBool>`(${present} and ${value} < ${one})`;
    case 'lte':
      return sql<SqlBool>`(${present} and ${value} <= ${one})`;
    case 'contains':
      return FALSE; // refused by validation for anything but lists
  }
}

function ageBand(bands: readonly string[], ctx: CompileContext): Predicate {
  const year = ctx.now.getUTCFullYear();
  const byYear = bands.map((band) => {
    const { from, to } = birthYearsOfBand(band as Parameters<typeof birthYearsOfBand>[0], year);
    const parts: Predicate[] = [];
    if (from !== null) parts.push(sql<SqlBool>`c.birth_year >= ${from}`);
    if (to !== null) parts.push(sql<SqlBool>`c.birth_year <= ${to}`);
    return and(parts);
  });
  // A contact who gave a birth year but no band is placed by the year.
  return or([
    inList(sql.ref('c.age_band'), bands),
    sql<SqlBool>`(c.age_band is null and c.birth_year is not null and ${or(byYear)})`,
  ]);
}

/** `exists (...)` for at least one matching row, a count for more. */
function atLeast(from: RawBuilder<unknown>, where: Predicate, n: number): Predicate {
  return n <= 1
    ? sql<SqlBool>`exists (select 1 from ${from} where ${where})`
    : sql<SqlBool>`((select count(*) from ${from} where ${where}) >= ${n})`;
}

function engagement(c: EngagementCondition, ctx: CompileContext): Predicate {
  const since = daysAgo(ctx.now, c.withinDays);
  const n = c.minCount ?? 1;
  switch (c.action) {
    case 'delivered':
      return atLeast(
        sql`messages m`,
        sql<SqlBool>`m.contact_id = c.id and m.status = ${'delivered'} and m.delivered_at >= ${since}`,
        n,
      );
    case 'clicked':
      return atLeast(
        sql`link_clicks lc join short_links sl on sl.code = lc.code`,
        sql<SqlBool>`sl.contact_id = c.id and lc.is_bot = 0 and lc.at >= ${since}`,
        n,
      );
    case 'replied':
      // An opt-out is an answer, but not the engagement a marketer means.
      return atLeast(
        sql`inbound_messages im`,
        sql<SqlBool>`im.contact_id = c.id and im.received_at >= ${since} and im.intent <> ${'opt_out'}`,
        n,
      );
    case 'converted':
      return and([
        // While every conversion is a purchase, non-buyers are skipped without their events.
        CONVERSION_EVENT_TYPES.every((t) => t === PURCHASE) ? purchasedSince(since) : TRUE,
        atLeast(
          sql`events e`,
          sql<SqlBool>`e.contact_id = c.id and e.type in (${list(CONVERSION_EVENT_TYPES)}) and e.occurred_at >= ${since}`,
          n,
        ),
      ]);
  }
}

/**
 * `contacts.last_purchase_at` (migration 0010) is the latest purchase, kept by triggers and
 * never moved back: a contact with a purchase since `since` has `last_purchase_at >= since`.
 * Alone it answers "bought in the last N days"; in front of a finer condition on the events it
 * skips the contacts that cannot match, without touching their events.
 */
function purchasedSince(since: string | null): Predicate {
  return since === null
    ? sql<SqlBool>`(c.last_purchase_at is not null)`
    : sql<SqlBool>`(c.last_purchase_at is not null and c.last_purchase_at >= ${since})`;
}

function purchase(c: PurchaseCondition, ctx: CompileContext): Predicate {
  const since = c.withinDays === undefined ? null : daysAgo(ctx.now, c.withinDays);
  const count = c.count;
  const needsOne = (count?.min ?? 0) >= 1 || (c.sum?.min ?? 0) > 0;
  const onlyWhen = !c.categories && !c.skus && !c.currency && !c.sum;
  if (onlyWhen && count?.min === 1 && count.max === undefined) return purchasedSince(since);
  if (onlyWhen && (count?.min ?? 0) === 0 && count?.max === 0) {
    return sql<SqlBool>`(not ${purchasedSince(since)})`;
  }

  const where: Predicate[] = [
    sql<SqlBool>`e.contact_id = c.id`,
    sql<SqlBool>`e.type = ${PURCHASE}`,
  ];
  if (since !== null) where.push(sql<SqlBool>`e.occurred_at >= ${since}`);
  if (c.categories) where.push(sql<SqlBool>`e.category in (${list(c.categories)})`);
  if (c.skus) where.push(sql<SqlBool>`e.sku in (${list(c.skus)})`);
  if (c.currency) where.push(sql<SqlBool>`e.currency = ${c.currency}`);
  const w = and(where);
  const parts: Predicate[] = needsOne ? [purchasedSince(since)] : [];
  if (count) {
    const simple = count.max === undefined && (count.min ?? 0) >= 1;
    if (simple) parts.push(atLeast(sql`events e`, w, count.min!));
    else {
      const n = sql`(select count(*) from events e where ${w})`;
      if (count.min !== undefined) parts.push(sql<SqlBool>`${n} >= ${count.min}`);
      if (count.max !== undefined) parts.push(sql<SqlBool>`${n} <= ${count.max}`);
    }
  }
  if (c.sum) {
    const total = sql`coalesce((select sum(e.amount) from events e where ${w}), 0)`;
    if (c.sum.min !== undefined) parts.push(sql<SqlBool>`${total} >= ${c.sum.min}`);
    if (c.sum.max !== undefined) parts.push(sql<SqlBool>`${total} <= ${c.sum.max}`);
  }
  return and(parts);
}

function condition(c: SegmentCondition, ctx: CompileContext): Predicate {
  switch (c.kind) {
    case 'country':
      return inList(sql.ref('c.country'), c.in);
    case 'region':
      return inList(sql.ref('c.region'), c.in);
    case 'age_band':
      return ageBand(c.in, ctx);
    case 'tag':
      return listContains(ctx.postgres ? sql`c.tags::jsonb` : sql.ref('c.tags'), c.in, ctx);
    case 'attribute':
      return attribute(c, ctx);
    case 'consent': {
      const where: Predicate[] = [
        sql<SqlBool>`cc.contact_id = c.id`,
        sql<SqlBool>`cc.purpose = ${c.purpose}`,
        sql<SqlBool>`cc.granted = ${c.granted === false ? 0 : 1}`,
      ];
      if (c.methods) where.push(sql<SqlBool>`cc.method in (${list(c.methods)})`);
      if (c.withinDays !== undefined) {
        where.push(sql<SqlBool>`cc.at >= ${daysAgo(ctx.now, c.withinDays)}`);
      }
      if (c.olderThanDays !== undefined) {
        where.push(sql<SqlBool>`cc.at < ${daysAgo(ctx.now, c.olderThanDays)}`);
      }
      return sql<SqlBool>`exists (select 1 from contact_consents cc where ${and(where)})`;
    }
    case 'engagement':
      return engagement(c, ctx);
    case 'purchase':
      return purchase(c, ctx);
    case 'last_purchase': {
      const parts: Predicate[] = [];
      if (c.withinDays !== undefined) parts.push(purchasedSince(daysAgo(ctx.now, c.withinDays)));
      if (c.olderThanDays !== undefined) {
        parts.push(
          sql<SqlBool>`(c.last_purchase_at is not null and c.last_purchase_at < ${daysAgo(ctx.now, c.olderThanDays)})`,
        );
      }
      return and(parts);
    }
    case 'segment':
      throw new Error('segment references must be resolved before compiling');
  }
}

function compile(filter: SegmentFilter, ctx: CompileContext): Predicate {
  if ('and' in filter) return and(filter.and.map((f) => compile(f, ctx)));
  if ('or' in filter) return or(filter.or.map((f) => compile(f, ctx)));
  if ('not' in filter) return sql<SqlBool>`(not ${compile(filter.not, ctx)})`;
  return condition(filter, ctx);
}

function customNames(filter: SegmentFilter, out = new Set<string>()): Set<string> {
  if ('and' in filter) filter.and.forEach((f) => customNames(f, out));
  else if ('or' in filter) filter.or.forEach((f) => customNames(f, out));
  else if ('not' in filter) customNames(filter.not, out);
  else if (filter.kind === 'attribute' && !(filter.name in ATTRIBUTE_COLUMNS)) out.add(filter.name);
  return out;
}

/**
 * Expands references to saved segments (loading them, and those they name, from the store) and
 * loads the custom attributes the filter compares. Throws SEGMENT_INVALID for a reference to a
 * segment that does not exist, SEGMENT_CYCLE for a loop. Resolve once and reuse the result when
 * paging through a large audience.
 */
export async function resolveSegmentFilter(
  db: DbOrTx,
  filter: SegmentFilter | ResolvedSegment,
): Promise<ResolvedSegment> {
  if ('resolved' in filter) return filter;
  const saved = new Map<number, SegmentFilter>();
  const missing = new Set<number>();
  let pending = [...segmentRefs(filter)];
  while (pending.length > 0) {
    const loaded = await segmentFilters(db, pending);
    for (const id of pending) if (!loaded.has(id)) missing.add(id);
    for (const [id, f] of loaded) saved.set(id, f);
    const named = new Set([...loaded.values()].flatMap((f) => [...segmentRefs(f)]));
    pending = [...named].filter((id) => !saved.has(id) && !missing.has(id));
  }
  const expanded = expandSegmentRefs(filter, saved);
  if (!expanded.ok) {
    const code = expanded.reason === 'cycle' ? 'SEGMENT_CYCLE' : 'SEGMENT_INVALID';
    throw new HeraldError(code, expanded.message, { reason: expanded.reason, ids: expanded.ids });
  }
  const names = customNames(expanded.filter);
  const custom = new Map<string, AttributeDefinition>();
  if (names.size > 0) {
    for (const row of await listAttributeDefinitions(db)) {
      if (names.has(row.name))
        custom.set(row.name, JSON.parse(row.definition) as AttributeDefinition);
    }
  }
  return { resolved: true, filter: expanded.filter, custom };
}

export interface SegmentQueryOptions {
  /** The instant "in the last N days" counts back from, and the year ages are taken in. */
  readonly now: Date;
}

/** The WHERE clause over `contacts c`: active contacts matching the filter. */
export function segmentPredicate(
  db: DbOrTx,
  segment: ResolvedSegment,
  opts: SegmentQueryOptions,
): Predicate {
  const ctx: CompileContext = { postgres: isPostgres(db), now: opts.now, custom: segment.custom };
  return and([sql<SqlBool>`c.status = ${'active'}`, compile(segment.filter, ctx)]);
}

/** How many active contacts match. */
export async function countSegment(
  db: DbOrTx,
  filter: SegmentFilter | ResolvedSegment,
  opts: SegmentQueryOptions,
): Promise<number> {
  const segment = await resolveSegmentFilter(db, filter);
  const row = await db
    .selectFrom('contacts as c')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(segmentPredicate(db, segment, opts))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One page of matching contact ids in ascending order, after `afterId` (keyset paging: pass the
 * last id of a page to get the next; an empty page is the end).
 */
export async function segmentContactIds(
  db: DbOrTx,
  filter: SegmentFilter | ResolvedSegment,
  opts: SegmentQueryOptions & { readonly afterId?: number; readonly limit: number },
): Promise<number[]> {
  const segment = await resolveSegmentFilter(db, filter);
  let q = db
    .selectFrom('contacts as c')
    .select('c.id')
    .where(segmentPredicate(db, segment, opts));
  if (opts.afterId !== undefined) q = q.where('c.id', '>', opts.afterId);
  const rows = await q.orderBy('c.id').limit(opts.limit).execute();
  return rows.map((r) => r.id);
}

export interface SegmentSampleRow {
  readonly id: number;
  /** Encrypted: the caller masks it, never shows it in clear. */
  readonly phone_enc: string;
  readonly country: string | null;
  readonly region: string | null;
  readonly age_band: string | null;
  readonly created_at: string;
}

/** The newest matching contacts, for a preview (the caller masks the numbers). */
export async function sampleSegment(
  db: DbOrTx,
  filter: SegmentFilter | ResolvedSegment,
  opts: SegmentQueryOptions & { readonly limit: number },
): Promise<SegmentSampleRow[]> {
  const segment = await resolveSegmentFilter(db, filter);
  return db
    .selectFrom('contacts as c')
    .select(['c.id', 'c.phone_enc', 'c.country', 'c.region', 'c.age_band', 'c.created_at'])
    .where(segmentPredicate(db, segment, opts))
    .orderBy('c.id', 'desc')
    .limit(opts.limit)
    .execute();
}
