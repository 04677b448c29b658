/**
 * Segments: a filter tree over contacts (and / or / not of the conditions in
 * segment-conditions.ts), its validation with errors that name the place and the reason, its
 * normal form, and the expansion of references to other saved segments (refusing cycles).
 * Compilation to SQL is the store's (src/store/segments.ts); everything here is pure.
 *
 * @example
 *   checkSegmentFilter(
 *     { and: [{ kind: 'country', in: ['cn'] }, { kind: 'purchase', withinDays: 30 }] },
 *     { attributes: builtInAttributes(2026) },
 *   );
 *   // { ok: true, filter: { and: [{ kind: 'country', in: ['CN'] },
 *   //                              { kind: 'purchase', withinDays: 30, count: { min: 1 } }] } }
 */
import { Value } from 'typebox/value';
import type { AgeBand, AttributeDefinition, AttributeSchema } from './attributes.js';
import {
  CONDITION_KINDS,
  CONDITION_SCHEMAS,
  type AttributeCondition,
  type AttributeScalar,
  type ConditionKind,
  type SegmentCondition,
} from './segment-conditions.js';

export * from './segment-conditions.js';

export type SegmentFilter =
  | { readonly and: readonly SegmentFilter[] }
  | { readonly or: readonly SegmentFilter[] }
  | { readonly not: SegmentFilter }
  | SegmentCondition;

/** Nesting levels of and / or / not a filter written by a person may have. */
export const MAX_DEPTH = 8;
/** Nodes (operators and conditions) of a filter written by a person. */
export const MAX_NODES = 100;
/** Limits once references to saved segments are expanded. */
export const MAX_EXPANDED_DEPTH = 40;
export const MAX_EXPANDED_NODES = 1000;

export interface SegmentError {
  /** JSON pointer into the filter, e.g. `/and/1/in/0`. */
  readonly path: string;
  readonly message: string;
}

export type SegmentCheck =
  | { readonly ok: true; readonly filter: SegmentFilter }
  | { readonly ok: false; readonly errors: readonly SegmentError[] };

export interface SegmentCheckContext {
  /** The attributes an `attribute` condition may name: built-in and declared custom ones. */
  readonly attributes: AttributeSchema;
}

const OPERATORS = ['and', 'or', 'not'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isKind(v: unknown): v is ConditionKind {
  return typeof v === 'string' && (CONDITION_KINDS as string[]).includes(v);
}

/**
 * Validates a filter written by a person and returns it in normal form. Errors carry a JSON
 * pointer and say what was expected; values are echoed only as far as needed (they are not
 * personal data, but they are not needed either).
 *
 * @example
 *   checkSegmentFilter({ not: { kind: 'colour', in: ['red'] } }, ctx);
 *   // { ok: false, errors: [{ path: '/not/kind', message: 'unknown condition "colour"; ...' }] }
 */
export function checkSegmentFilter(input: unknown, ctx: SegmentCheckContext): SegmentCheck {
  const errors: SegmentError[] = [];
  let nodes = 0;

  const walk = (node: unknown, path: string, depth: number): void => {
    nodes += 1;
    if (nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1) {
        errors.push({ path, message: `a filter may have at most ${MAX_NODES} nodes` });
      }
      return;
    }
    if (!isObject(node)) {
      errors.push({ path, message: 'must be an object: and / or / not, or a condition' });
      return;
    }
    const keys = Object.keys(node);
    const op = OPERATORS.find((o) => o in node);
    if (op) {
      if (keys.length !== 1) {
        const extra = keys.find((k) => k !== op) ?? '';
        errors.push({ path, message: `"${op}" stands alone; unexpected field "${extra}"` });
        return;
      }
      if (depth >= MAX_DEPTH) {
        errors.push({ path, message: `filters may nest at most ${MAX_DEPTH} levels` });
        return;
      }
      const value = node[op];
      if (op === 'not') {
        walk(value, `${path}/not`, depth + 1);
        return;
      }
      if (!Array.isArray(value)) {
        errors.push({ path: `${path}/${op}`, message: `"${op}" takes a list of filters` });
        return;
      }
      if (op === 'or' && value.length === 0) {
        errors.push({ path: `${path}/or`, message: '"or" needs at least one filter' });
        return;
      }
      value.forEach((child, i) => walk(child, `${path}/${op}/${i}`, depth + 1));
      return;
    }
    if (!('kind' in node)) {
      errors.push({
        path,
        message: `expected "and", "or", "not" or a condition with "kind"; found ${
          keys.length ? `"${keys[0]}"` : 'an empty object'
        }`,
      });
      return;
    }
    if (!isKind(node.kind)) {
      errors.push({
        path: `${path}/kind`,
        message: `unknown condition${typeof node.kind === 'string' ? ` "${node.kind.slice(0, 40)}"` : ''}; expected one of ${CONDITION_KINDS.join(', ')}`,
      });
      return;
    }
    const schema = CONDITION_SCHEMAS[node.kind];
    const shapeErrors = [...Value.Errors(schema, node)];
    if (shapeErrors.length > 0) {
      for (const e of shapeErrors.filter((x) => x.keyword !== 'boolean')) {
        errors.push(shapeError(path, node.kind, e));
      }
      return;
    }
    for (const message of meaningErrors(node as SegmentCondition, ctx)) {
      errors.push({ path, message });
    }
  };

  walk(input, '', 0);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, filter: normaliseSegmentFilter(input as SegmentFilter) };
}

function shapeError(
  path: string,
  kind: ConditionKind,
  e: { keyword: string; instancePath: string; message: string; params: unknown },
): SegmentError {
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    const known = Object.keys(CONDITION_SCHEMAS[kind].properties).join(', ');
    return {
      path,
      message: `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((x) => `"${x}"`).join(', ')} in a "${kind}" condition; expected ${known}`,
    };
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? [];
    return {
      path,
      message: `a "${kind}" condition needs ${missing.map((x) => `"${x}"`).join(', ')}`,
    };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return { path: `${path}${e.instancePath}`, message: `must be one of ${allowed.join(', ')}` };
  }
  if (e.keyword === 'pattern' && (e.params as { pattern?: string }).pattern === '\\S') {
    return { path: `${path}${e.instancePath}`, message: 'must not be blank' };
  }
  if (e.keyword === 'pattern' && kind === 'country') {
    return {
      path: `${path}${e.instancePath}`,
      message: 'must be a two-letter country code (ISO 3166-1 alpha-2)',
    };
  }
  if (e.keyword === 'pattern' && kind === 'purchase') {
    return { path: `${path}${e.instancePath}`, message: 'must be a currency code (ISO 4217)' };
  }
  return { path: `${path}${e.instancePath}`, message: e.message };
}

type Rule = 'scalar' | 'list' | 'none' | 'string_or_list';

// Which comparisons each attribute type supports, and what value each takes.
const OP_VALUE: Record<AttributeCondition['op'], Rule> = {
  eq: 'scalar',
  neq: 'scalar',
  in: 'list',
  not_in: 'list',
  gt: 'scalar',
  gte: 'scalar',
  lt: 'scalar',
  lte: 'scalar',
  contains: 'string_or_list',
  exists: 'none',
};

/** The comparisons each attribute type supports (the console offers exactly these). */
export const OPS_BY_TYPE: Record<AttributeDefinition['type'], readonly AttributeCondition['op'][]> =
  {
    string: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
    date: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
    enum: ['eq', 'neq', 'in', 'not_in', 'exists'],
    number: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
    integer: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
    boolean: ['eq', 'neq', 'exists'],
    string_list: ['contains', 'exists'],
  };

function scalarError(def: AttributeDefinition, v: AttributeScalar): string | null {
  switch (def.type) {
    case 'number':
      return typeof v === 'number' ? null : 'must be a number';
    case 'integer':
      return Number.isInteger(v) ? null : 'must be an integer';
    case 'boolean':
      return typeof v === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)
        ? null
        : 'must be a date YYYY-MM-DD';
    case 'enum':
      return typeof v === 'string' && (def.values ?? []).includes(v.trim())
        ? null
        : `must be one of ${(def.values ?? []).join(', ')}`;
    default:
      return typeof v === 'string' ? null : 'must be a string';
  }
}

function attributeErrors(c: AttributeCondition, ctx: SegmentCheckContext): string[] {
  const def = ctx.attributes.find((d) => d.name === c.name);
  if (!def) return [`"${c.name.slice(0, 64)}" is not a declared attribute`];
  const ops = OPS_BY_TYPE[def.type];
  if (!ops.includes(c.op)) {
    return [`attribute "${def.name}" (${def.type}) supports ${ops.join(', ')}, not "${c.op}"`];
  }
  const rule = OP_VALUE[c.op];
  const v = c.value;
  if (rule === 'none') return v === undefined ? [] : [`"${c.op}" takes no value`];
  if (v === undefined) return [`"${c.op}" needs a value`];
  if (rule === 'list' && !Array.isArray(v)) return [`"${c.op}" takes a list of values`];
  if (rule === 'scalar' && Array.isArray(v)) return [`"${c.op}" takes one value, not a list`];
  const values = Array.isArray(v) ? v : [v];
  if (rule === 'string_or_list') {
    return values.every((x) => typeof x === 'string') ? [] : ['"contains" takes strings'];
  }
  const problems = values.map((x) => scalarError(def, x)).filter((m) => m !== null);
  return problems.length ? [`value of "${def.name}" ${problems[0]!}`] : [];
}

function meaningErrors(c: SegmentCondition, ctx: SegmentCheckContext): string[] {
  switch (c.kind) {
    case 'attribute':
      return attributeErrors(c, ctx);
    case 'consent':
    case 'last_purchase':
      if (
        c.kind === 'last_purchase' &&
        c.withinDays === undefined &&
        c.olderThanDays === undefined
      ) {
        return ['"last_purchase" needs "withinDays" or "olderThanDays"'];
      }
      return c.withinDays !== undefined &&
        c.olderThanDays !== undefined &&
        c.olderThanDays >= c.withinDays
        ? ['"olderThanDays" must be less than "withinDays" (a window between them)']
        : [];
    case 'purchase': {
      const out: string[] = [];
      for (const r of ['count', 'sum'] as const) {
        const range = c[r];
        if (range && range.min !== undefined && range.max !== undefined && range.min > range.max) {
          out.push(`"${r}.min" must not exceed "${r}.max"`);
        }
      }
      if (c.count && (!Number.isInteger(c.count.min ?? 0) || !Number.isInteger(c.count.max ?? 0))) {
        out.push('"count" bounds must be whole numbers');
      }
      if (c.sum && !c.currency) {
        out.push('"sum" needs a "currency": amounts in different currencies cannot be added');
      }
      return out;
    }
    default:
      return [];
  }
}

function sortedUnique<T extends string | number | boolean>(values: readonly T[]): T[] {
  return [...new Set(values)].sort((a, b) =>
    String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
  );
}

function normaliseCondition(c: SegmentCondition): SegmentCondition {
  switch (c.kind) {
    case 'country':
      return { kind: 'country', in: sortedUnique(c.in.map((x) => x.toUpperCase())) };
    case 'region':
    case 'tag':
      return { kind: c.kind, in: sortedUnique(c.in.map((x) => x.trim())) };
    case 'age_band':
      return { kind: 'age_band', in: sortedUnique(c.in) };
    case 'attribute': {
      const trim = (x: AttributeScalar) => (typeof x === 'string' ? x.trim() : x);
      const value =
        c.value === undefined
          ? undefined
          : Array.isArray(c.value)
            ? sortedUnique(c.value.map(trim))
            : trim(c.value);
      return value === undefined
        ? { kind: 'attribute', name: c.name, op: c.op }
        : { kind: 'attribute', name: c.name, op: c.op, value };
    }
    case 'consent':
      return {
        kind: 'consent',
        purpose: c.purpose,
        granted: c.granted ?? true,
        ...(c.methods ? { methods: sortedUnique(c.methods) } : {}),
        ...(c.withinDays !== undefined ? { withinDays: c.withinDays } : {}),
        ...(c.olderThanDays !== undefined ? { olderThanDays: c.olderThanDays } : {}),
      };
    case 'engagement':
      return {
        kind: 'engagement',
        action: c.action,
        withinDays: c.withinDays,
        minCount: c.minCount ?? 1,
      };
    case 'purchase':
      return {
        kind: 'purchase',
        ...(c.withinDays !== undefined ? { withinDays: c.withinDays } : {}),
        ...(c.categories ? { categories: sortedUnique(c.categories.map((x) => x.trim())) } : {}),
        ...(c.skus ? { skus: sortedUnique(c.skus.map((x) => x.trim())) } : {}),
        ...(c.currency ? { currency: c.currency.toUpperCase() } : {}),
        ...(c.count || !c.sum ? { count: c.count ?? { min: 1 } } : {}),
        ...(c.sum ? { sum: c.sum } : {}),
      };
    case 'last_purchase':
      return {
        kind: 'last_purchase',
        ...(c.withinDays !== undefined ? { withinDays: c.withinDays } : {}),
        ...(c.olderThanDays !== undefined ? { olderThanDays: c.olderThanDays } : {}),
      };
    case 'segment':
      return { kind: 'segment', id: c.id };
  }
}

/**
 * The normal form of a valid filter: and / or flattened and de-duplicated, a single child
 * lifted, double negation removed, lists sorted and unique, codes upper-cased, defaults written
 * out. Two filters that mean the same by these rules compare equal as JSON.
 *
 * @example
 *   normaliseSegmentFilter({ and: [{ and: [A] }, { not: { not: B } }] }); // { and: [A, B] }
 */
export function normaliseSegmentFilter(filter: SegmentFilter): SegmentFilter {
  if ('not' in filter) {
    const inner = normaliseSegmentFilter(filter.not);
    return 'not' in inner ? inner.not : { not: inner };
  }
  if ('and' in filter || 'or' in filter) {
    const op = 'and' in filter ? 'and' : 'or';
    const children = 'and' in filter ? filter.and : filter.or;
    const flat: SegmentFilter[] = [];
    const seen = new Set<string>();
    for (const child of children.map(normaliseSegmentFilter)) {
      const parts: readonly SegmentFilter[] =
        op === 'and' && 'and' in child
          ? child.and
          : op === 'or' && 'or' in child
            ? child.or
            : [child];
      for (const part of parts) {
        const key = JSON.stringify(part);
        if (!seen.has(key)) {
          seen.add(key);
          flat.push(part);
        }
      }
    }
    if (flat.length === 1) return flat[0]!;
    return op === 'and' ? { and: flat } : { or: flat };
  }
  return normaliseCondition(filter);
}

/** The saved segments a filter names directly. */
export function segmentRefs(filter: SegmentFilter): Set<number> {
  const ids = new Set<number>();
  const walk = (f: SegmentFilter): void => {
    if ('and' in f) f.and.forEach(walk);
    else if ('or' in f) f.or.forEach(walk);
    else if ('not' in f) walk(f.not);
    else if (f.kind === 'segment') ids.add(f.id);
  };
  walk(filter);
  return ids;
}

export type SegmentExpansion =
  | { readonly ok: true; readonly filter: SegmentFilter }
  | {
      readonly ok: false;
      readonly reason: 'unknown_segment' | 'cycle' | 'too_large';
      readonly message: string;
      readonly ids: readonly number[];
    };

/**
 * Replaces every `{ kind: 'segment', id }` by that saved segment's filter, recursively. A
 * segment that (through others) names itself is a cycle and is refused; so is an expansion
 * beyond MAX_EXPANDED_NODES / MAX_EXPANDED_DEPTH.
 *
 * @example
 *   expandSegmentRefs({ kind: 'segment', id: 1 }, new Map([[1, { kind: 'segment', id: 1 }]]));
 *   // { ok: false, reason: 'cycle', message: 'segment 1 refers to itself: 1 → 1', ids: [1, 1] }
 */
export function expandSegmentRefs(
  filter: SegmentFilter,
  saved: ReadonlyMap<number, SegmentFilter>,
): SegmentExpansion {
  let nodes = 0;
  const fail = (
    reason: 'unknown_segment' | 'cycle' | 'too_large',
    message: string,
    ids: number[],
  ) => {
    throw { reason, message, ids };
  };
  const walk = (f: SegmentFilter, stack: number[], depth: number): SegmentFilter => {
    nodes += 1;
    if (nodes > MAX_EXPANDED_NODES || depth > MAX_EXPANDED_DEPTH) {
      fail(
        'too_large',
        `the filter with the segments it names is larger than ${MAX_EXPANDED_NODES} nodes or ${MAX_EXPANDED_DEPTH} levels`,
        stack,
      );
    }
    if ('and' in f) return { and: f.and.map((c) => walk(c, stack, depth + 1)) };
    if ('or' in f) return { or: f.or.map((c) => walk(c, stack, depth + 1)) };
    if ('not' in f) return { not: walk(f.not, stack, depth + 1) };
    if (f.kind !== 'segment') return f;
    if (stack.includes(f.id)) {
      const path = [...stack.slice(stack.indexOf(f.id)), f.id];
      fail('cycle', `segment ${f.id} refers to itself: ${path.join(' → ')}`, path);
    }
    const target = saved.get(f.id);
    if (!target) fail('unknown_segment', `no saved segment ${f.id}`, [f.id]);
    return walk(target!, [...stack, f.id], depth + 1);
  };
  try {
    return { ok: true, filter: normaliseSegmentFilter(walk(filter, [], 0)) };
  } catch (e) {
    const x = e as {
      reason: 'unknown_segment' | 'cycle' | 'too_large';
      message: string;
      ids: number[];
    };
    if (!x || typeof x.reason !== 'string') throw e;
    return { ok: false, reason: x.reason, message: x.message, ids: x.ids };
  }
}

/**
 * Would saving `filter` as segment `id` make a cycle? Returns the loop (ids) or null. `saved`
 * holds the other segments' filters; its entry for `id` (the old version) is ignored.
 *
 * @example
 *   findSegmentCycle(1, { kind: 'segment', id: 2 }, new Map([[2, { kind: 'segment', id: 1 }]]));
 *   // [1, 2, 1]
 */
export function findSegmentCycle(
  id: number,
  filter: SegmentFilter,
  saved: ReadonlyMap<number, SegmentFilter>,
): number[] | null {
  const graph = new Map(saved);
  graph.set(id, filter);
  const result = expandSegmentRefs({ kind: 'segment', id }, graph);
  return !result.ok && result.reason === 'cycle' ? result.ids.slice() : null;
}

/**
 * The birth years that put a contact in an age band in `year` (age taken as year − birth year),
 * for contacts that gave a birth year instead of a band.
 *
 * @example
 *   birthYearsOfBand('25-34', 2026); // { from: 1992, to: 2001 }
 *   birthYearsOfBand('65+', 2026); // { from: null, to: 1961 }
 */
export function birthYearsOfBand(
  band: AgeBand,
  year: number,
): { from: number | null; to: number | null } {
  if (band === '<18') return { from: year - 17, to: null };
  if (band === '65+') return { from: null, to: year - 65 };
  const [lo, hi] = band.split('-').map(Number) as [number, number];
  return { from: year - hi, to: year - lo };
}
