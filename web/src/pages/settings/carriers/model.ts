/**
 * Carrier accounts as /v1/carriers shows them, the types as /v1/carrier-types describes them,
 * and the form fields a type's settings schema gives: text, numbers, yes/no, a group of texts
 * (senders per purpose), or JSON for anything deeper (template maps).
 */
export interface CarrierView {
  name: string;
  type: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, 'set' | 'not set'>;
  webhooks: { receipts: string; inbound: string };
  source: 'database' | 'config';
  active: boolean;
  createdBy: string | null;
  createdAt: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  description?: string;
}

export interface CarrierTypeView {
  type: string;
  settings: JsonSchema;
  secrets: string[];
  requiredSecrets: string[];
}

export interface RoutingInput {
  routes?: RouteRule[];
  rates?: { carriers?: Record<string, unknown>; senders?: Record<string, unknown> };
}

export interface RouteRule {
  purpose?: string;
  countries?: string[];
  carriers: string[];
  sender?: string;
}

export type FieldKind = 'text' | 'integer' | 'number' | 'boolean' | 'group' | 'json';

export interface SettingField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly schema: JsonSchema;
  /** The texts of a group (senders: marketing, transactional). */
  readonly children?: readonly string[];
}

/** The form fields of a settings schema: required ones first, groups and JSON last. */
export function fieldsOf(schema: JsonSchema | undefined): SettingField[] {
  const required = new Set(schema?.required ?? []);
  const fields = Object.entries(schema?.properties ?? {}).map(([name, prop]): SettingField => {
    const base = { name, required: required.has(name), schema: prop };
    if (prop.type === 'string') return { ...base, kind: 'text' };
    if (prop.type === 'integer') return { ...base, kind: 'integer' };
    if (prop.type === 'number') return { ...base, kind: 'number' };
    if (prop.type === 'boolean') return { ...base, kind: 'boolean' };
    const children = Object.entries(prop.properties ?? {});
    if (
      prop.type === 'object' &&
      children.length > 0 &&
      !prop.patternProperties &&
      children.every(([, c]) => c.type === 'string')
    ) {
      return { ...base, kind: 'group', children: children.map(([c]) => c) };
    }
    return { ...base, kind: 'json' };
  });
  const rank = (f: SettingField) =>
    (f.required ? 0 : 2) + (f.kind === 'group' || f.kind === 'json' ? 1 : 0);
  return fields.sort((a, b) => rank(a) - rank(b));
}

/** The form's text for each field (and `name.child` for a group's texts). */
export type FormValues = Record<string, string>;

export function formValuesOf(fields: readonly SettingField[], settings: Record<string, unknown>) {
  const values: FormValues = {};
  for (const f of fields) {
    const v = settings[f.name];
    if (f.kind === 'group') {
      const group = (v ?? {}) as Record<string, unknown>;
      for (const c of f.children ?? []) values[`${f.name}.${c}`] = String(group[c] ?? '');
    } else if (f.kind === 'json')
      values[f.name] = v === undefined ? '' : JSON.stringify(v, null, 2);
    else if (f.kind === 'boolean') values[f.name] = v === undefined ? '' : String(v);
    else values[f.name] = v === undefined || v === null ? '' : String(v);
  }
  return values;
}

export type FieldProblem = 'required' | 'number' | 'integer' | 'json';

/** The settings object the form describes, or the fields it cannot make one of. */
export function settingsOf(
  fields: readonly SettingField[],
  values: FormValues,
): { settings: Record<string, unknown>; problems: Record<string, FieldProblem> } {
  const settings: Record<string, unknown> = {};
  const problems: Record<string, FieldProblem> = {};
  for (const f of fields) {
    const raw = (values[f.name] ?? '').trim();
    if (f.kind === 'group') {
      const group: Record<string, string> = {};
      for (const c of f.children ?? []) {
        const v = (values[`${f.name}.${c}`] ?? '').trim();
        if (v) group[c] = v;
      }
      if (Object.keys(group).length > 0) settings[f.name] = group;
      else if (f.required) problems[f.name] = 'required';
      continue;
    }
    if (raw === '') {
      if (f.required) problems[f.name] = 'required';
      continue;
    }
    if (f.kind === 'text') settings[f.name] = raw;
    else if (f.kind === 'boolean') settings[f.name] = raw === 'true';
    else if (f.kind === 'integer' || f.kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) problems[f.name] = 'number';
      else if (f.kind === 'integer' && !Number.isInteger(n)) problems[f.name] = 'integer';
      else settings[f.name] = n;
    } else {
      try {
        settings[f.name] = JSON.parse(raw) as unknown;
      } catch {
        problems[f.name] = 'json';
      }
    }
  }
  return { settings, problems };
}

/** The field a refusal names (`/settings/from` → from), to mark it in the form. */
export function fieldOfProblem(details: unknown): string | null {
  const first = Array.isArray(details) ? (details[0] as { path?: unknown } | undefined) : null;
  const path = typeof first?.path === 'string' ? first.path : null;
  const match = path ? /^\/(settings|secrets)\/([^/]+)/.exec(path) : null;
  return match ? `${match[1]}:${match[2]}` : null;
}
