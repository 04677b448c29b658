/**
 * The segment builder's model: the filter language of docs/segments.md as the builder edits it
 * (groups of rules with ids, so React can keep track of them), and the way to and from the API's
 * filter tree. Pure: no React, no i18n, so the tests can hold its lists against the server's
 * (test/console/segments.test.ts compares them with src/core/segment-conditions.ts).
 */

export const CONDITION_FIELDS = {
  country: ['kind', 'in'],
  region: ['kind', 'in'],
  age_band: ['kind', 'in'],
  tag: ['kind', 'in'],
  attribute: ['kind', 'name', 'op', 'value'],
  consent: ['kind', 'purpose', 'granted', 'methods', 'withinDays', 'olderThanDays'],
  engagement: ['kind', 'action', 'withinDays', 'minCount'],
  purchase: ['kind', 'withinDays', 'categories', 'skus', 'currency', 'count', 'sum'],
  last_purchase: ['kind', 'withinDays', 'olderThanDays'],
  segment: ['kind', 'id'],
} as const;
export type ConditionKind = keyof typeof CONDITION_FIELDS;
export const CONDITION_KINDS = Object.keys(CONDITION_FIELDS) as ConditionKind[];

export const AGE_BANDS = ['<18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export const PURPOSES = ['marketing', 'transactional'] as const;
export const CONSENT_METHODS = [
  'web_form',
  'double_opt_in_sms',
  'double_opt_in_link',
  'keyword',
  'paper',
  'verbal',
  'import',
  'api',
  'support',
  'existing_customer',
] as const;
export const ENGAGEMENT_ACTIONS = ['delivered', 'clicked', 'replied', 'converted'] as const;
export const ATTRIBUTE_OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'exists',
] as const;
export type AttributeOp = (typeof ATTRIBUTE_OPS)[number];
export const ATTRIBUTE_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'date',
  'enum',
  'string_list',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** The comparisons each attribute type has (src/core/segments.ts, OPS_BY_TYPE). */
export const OPS_BY_TYPE: Record<AttributeType, readonly AttributeOp[]> = {
  string: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
  date: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
  enum: ['eq', 'neq', 'in', 'not_in', 'exists'],
  number: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
  integer: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists'],
  boolean: ['eq', 'neq', 'exists'],
  string_list: ['contains', 'exists'],
};

/** What value an operator takes: none, one, a list, or (contains) one or more strings. */
export function valueShape(op: AttributeOp): 'none' | 'one' | 'list' {
  if (op === 'exists') return 'none';
  if (op === 'in' || op === 'not_in' || op === 'contains') return 'list';
  return 'one';
}

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly values?: readonly string[];
}

/** The attributes every contact may have (src/core/attributes.ts, builtInAttributes). */
export const BUILT_IN_ATTRIBUTES: readonly AttributeDefinition[] = [
  { name: 'birth_year', type: 'integer' },
  { name: 'age_band', type: 'enum', values: AGE_BANDS },
  { name: 'city', type: 'string' },
  { name: 'region', type: 'string' },
  { name: 'gender', type: 'enum', values: GENDERS },
  { name: 'locale', type: 'string' },
  { name: 'tags', type: 'string_list' },
];

export const MAX_WINDOW_DAYS = 3650;
/** Nesting levels of and / or / not (src/core/segments.ts, MAX_DEPTH). */
export const MAX_DEPTH = 8;

export type Condition = { kind: ConditionKind } & Record<string, unknown>;
export type Filter = { and: Filter[] } | { or: Filter[] } | { not: Filter } | Condition;

export type GroupOp = 'and' | 'or' | 'not';
export interface RuleNode {
  readonly id: string;
  readonly type: 'rule';
  readonly condition: Condition;
}
export interface GroupNode {
  readonly id: string;
  readonly type: 'group';
  /** `not`: none of the children holds (not of their `and`). */
  readonly op: GroupOp;
  readonly children: readonly TreeNode[];
}
export type TreeNode = RuleNode | GroupNode;

let counter = 0;
export function newId(): string {
  counter += 1;
  return `n${counter}`;
}

/** A new rule of a kind, with the defaults a person would most likely pick. */
export function newCondition(kind: ConditionKind): Condition {
  switch (kind) {
    case 'attribute':
      return { kind, name: '', op: 'eq' };
    case 'consent':
      return { kind, purpose: 'marketing', granted: true };
    case 'engagement':
      return { kind, action: 'clicked', withinDays: 30 };
    case 'purchase':
      return { kind, withinDays: 30 };
    case 'last_purchase':
      return { kind, olderThanDays: 180 };
    case 'segment':
      return { kind };
    default:
      return { kind, in: [] };
  }
}

export const newRule = (kind: ConditionKind): RuleNode => ({
  id: newId(),
  type: 'rule',
  condition: newCondition(kind),
});
export const newGroup = (op: GroupOp, children: TreeNode[] = []): GroupNode => ({
  id: newId(),
  type: 'group',
  op,
  children,
});

/** A rule not filled in yet: left out of the live count (saving still sends it, to be told). */
export function isBlank(c: Condition): boolean {
  switch (c.kind) {
    case 'country':
    case 'region':
    case 'tag':
    case 'age_band':
      return !Array.isArray(c.in) || c.in.length === 0;
    case 'attribute':
      if (!c.name) return true;
      if (c.op === 'exists') return false;
      return (
        c.value === undefined || c.value === '' || (Array.isArray(c.value) && c.value.length === 0)
      );
    case 'segment':
      return typeof c.id !== 'number';
    default:
      return false;
  }
}

const isEmptyValue = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** The condition as the API takes it: empty optional fields left out. */
export function cleanCondition(c: Condition): Condition {
  const out: Condition = { kind: c.kind };
  for (const [key, value] of Object.entries(c)) {
    if (key === 'kind') continue;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).filter(([, v]) => !isEmptyValue(v)),
      );
      if (Object.keys(inner).length > 0) out[key] = inner;
      continue;
    }
    if (!isEmptyValue(value)) out[key] = value;
  }
  // A required list left empty stays, so that the API names the problem in its place.
  if ('in' in c && !('in' in out)) out.in = [];
  return out;
}

export interface Compiled {
  /** The filter, or null when nothing in the tree says anything yet. */
  readonly filter: Filter | null;
  /** Each node's JSON pointer in the filter, to put the API's errors beside their rule. */
  readonly paths: ReadonlyMap<string, string>;
}

/**
 * The API's filter tree of the builder's tree. With `skipBlank`, rules not filled in are left
 * out (the live count); empty groups are always left out, and an empty root means everyone.
 *
 * @example
 *   toFilter(newGroup('and', [rule({ kind: 'country', in: ['CN'] })])).filter
 *   // { and: [{ kind: 'country', in: ['CN'] }] }
 */
export function toFilter(root: GroupNode, options: { skipBlank?: boolean } = {}): Compiled {
  const paths = new Map<string, string>();

  const walk = (node: TreeNode, path: string): Filter | null => {
    if (node.type === 'rule') {
      if (options.skipBlank && isBlank(node.condition)) return null;
      paths.set(node.id, path);
      return cleanCondition(node.condition);
    }
    const children = node.children.filter(
      (c) => !(options.skipBlank && c.type === 'rule' && isBlank(c.condition)),
    );
    paths.set(node.id, path);
    if (node.op === 'not') {
      if (children.length === 0) return null;
      if (children.length === 1) {
        const inner = walk(children[0]!, `${path}/not`);
        return inner ? { not: inner } : null;
      }
      const list = compileList(children, `${path}/not/and`);
      return list.length ? { not: { and: list } } : null;
    }
    const list = compileList(children, `${path}/${node.op}`);
    return list.length ? ({ [node.op]: list } as Filter) : null;
  };

  // Indices in the filter count only the children that made it in.
  const compileList = (children: readonly TreeNode[], base: string): Filter[] => {
    const out: Filter[] = [];
    for (const child of children) {
      const f = walk(child, `${base}/${out.length}`);
      if (f) out.push(f);
    }
    return out;
  };

  const filter = walk(root, '');
  return { filter, paths };
}

/** The filter everyone matches. */
export const EVERYONE: Filter = { and: [] };

function isCondition(f: Filter): f is Condition {
  return typeof (f as Condition).kind === 'string';
}

/** The builder's tree of a saved filter (in normal form, so its root may be a lone rule). */
export function fromFilter(filter: Filter): GroupNode {
  const node = (f: Filter): TreeNode => {
    if (isCondition(f)) return { id: newId(), type: 'rule', condition: { ...f } };
    if ('and' in f) return newGroup('and', f.and.map(node));
    if ('or' in f) return newGroup('or', f.or.map(node));
    const inner = f.not;
    if (!isCondition(inner) && 'and' in inner) return newGroup('not', inner.and.map(node));
    return newGroup('not', [node(inner)]);
  };
  const root = node(filter);
  return root.type === 'group' ? root : newGroup('and', [root]);
}

/** The tree with one node replaced (by id), or removed when `next` is null. */
export function replaceNode(root: GroupNode, id: string, next: TreeNode | null): GroupNode {
  const walk = (node: TreeNode): TreeNode | null => {
    if (node.id === id) return next;
    if (node.type === 'rule') return node;
    const children = node.children.map(walk).filter((c): c is TreeNode => c !== null);
    return { ...node, children };
  };
  return walk(root) as GroupNode;
}

/** Which node an error's JSON pointer belongs to: the deepest node whose path starts it. */
export function nodeOfError(paths: ReadonlyMap<string, string>, pointer: string): string | null {
  let best: { id: string; length: number } | null = null;
  for (const [id, path] of paths) {
    const within = pointer === path || pointer.startsWith(`${path}/`) || path === '';
    if (within && (!best || path.length > best.length)) best = { id, length: path.length };
  }
  return best?.id ?? null;
}

/** Splits what a person typed into a list: commas (also Chinese ones), semicolons, new lines. */
export function splitList(text: string): string[] {
  return text
    .split(/[,，;；\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
