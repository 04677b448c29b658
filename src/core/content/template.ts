/**
 * Message templates: Liquid over a contact's attributes (`Hi {{ contact.first_name }}`).
 *
 * liquidjs does the parsing, the rendering and the static analysis of the variables. Herald adds
 * the sandbox a marketer-written template needs:
 * - no file system: `include`, `render` and `layout` are refused at parse time;
 * - no hidden inputs: `sample` (random) is removed and `date` refuses "now"/"today", so the same
 *   template and contact always give the same text; dates print in UTC;
 * - strict variables and filters, own properties only (no `contact.constructor`), a memory
 *   limit, a render-time limit and an output limit, so that a loop cannot render megabytes or
 *   spin (the time limit only ever turns a pathological template into TEMPLATE_INVALID);
 * - a missing value may still be handled by the author: `{% if contact.city %}` and
 *   `{{ contact.city | default: "you" }}` are lenient, a bare `{{ contact.city }}` is not.
 * Rendering is synchronous (`renderSync`), so the core stays free of promises.
 */
import {
  Context,
  Liquid,
  LiquidError,
  UndefinedVariableError,
  toValue,
  toValueSync,
} from 'liquidjs';
import type { Template, Variable } from 'liquidjs';
import { HeraldError } from '../errors.js';
import { inspectText } from './encoding.js';
import type { TextInspection } from './encoding.js';

export type CompiledTemplate = {
  readonly source: string;
  /** Variables the template reads, as dotted paths, in order of first use. */
  readonly variables: readonly string[];
  readonly ast: Template[];
};

export type CompileOptions = {
  /**
   * Dotted paths the template may read, e.g. `contact.first_name`, `contact.attributes.plan`.
   * A listed path also allows what lies below it (`contact.first_name.size`). Absent: anything.
   */
  allowedVariables?: readonly string[];
};

/** SMS templates are short; these bound what a hostile or broken template can cost. */
const MAX_TEMPLATE_LENGTH = 10_000;
const MAX_RENDER_MEMORY = 100_000;
const MAX_RENDER_MS = 1_000;
/** Far above any SMS (10 concatenated parts are ~1,530 characters), far below a memory bomb. */
export const MAX_RENDERED_LENGTH = 20_000;
const FILE_TAGS = ['include', 'render', 'layout'] as const;
const CLOCK_INPUTS = new Set(['now', 'today']);

const engine = createEngine();

/**
 * Parse a template and check its variables against the allowed ones.
 *
 * @throws HeraldError TEMPLATE_INVALID (details: line, column, reason) or
 *   TEMPLATE_UNKNOWN_VARIABLE (details: variable, line, column).
 * @example
 *   const t = compileTemplate('Hi {{ contact.first_name }}', {
 *     allowedVariables: ['contact.first_name'],
 *   });
 *   t.variables; // ['contact.first_name']
 */
export function compileTemplate(source: string, options: CompileOptions = {}): CompiledTemplate {
  const ast = parse(source);
  const used = globalVariables(ast);
  if (options.allowedVariables) {
    const allowed = options.allowedVariables.map((path) => path.split('.'));
    const unknown = used.find((v) => !allowed.some((prefix) => startsWith(v.segments, prefix)));
    if (unknown) {
      const variable = unknown.toString();
      throw new HeraldError('TEMPLATE_UNKNOWN_VARIABLE', `Unknown template variable: ${variable}`, {
        variable,
        line: unknown.location.row,
        column: unknown.location.col,
      });
    }
  }
  return { source, variables: distinctNames(used), ast };
}

/**
 * Render a compiled template for one recipient.
 *
 * @throws HeraldError TEMPLATE_VARIABLE_MISSING when a variable printed without a `default` has no
 *   value for this recipient, TEMPLATE_INVALID when rendering fails otherwise (memory limit...).
 * @example
 *   renderTemplate(compileTemplate('Hi {{ contact.first_name }}'), {
 *     contact: { first_name: 'Ann' },
 *   }); // 'Hi Ann'
 */
export function renderTemplate(compiled: CompiledTemplate, vars: Record<string, unknown>): string {
  let text: string;
  try {
    text = renderBounded(compiled.ast, vars, {});
  } catch (error) {
    throw toHeraldError(error, 'render');
  }
  return boundedOutput(text);
}

class OutputTooLong extends Error {}

/**
 * renderSync with an emitter that stops as soon as the output passes MAX_RENDERED_LENGTH, so a
 * loop is cut off at the limit instead of building its whole output first.
 */
function renderBounded(
  ast: Template[],
  vars: Record<string, unknown>,
  options: { strictVariables?: boolean },
): string {
  const emitter = {
    buffer: '',
    write(html: unknown) {
      this.buffer += stringify(html);
      if (this.buffer.length > MAX_RENDERED_LENGTH) throw new OutputTooLong();
    },
  };
  const ctx = new Context(vars, engine.options, { ...options, sync: true }, { liquid: engine });
  try {
    toValueSync(engine.renderer.renderTemplates(ast, ctx, emitter));
  } catch (error) {
    if (error instanceof OutputTooLong || hasCause(error, OutputTooLong)) return emitter.buffer;
    throw error;
  }
  return emitter.buffer;
}

function hasCause(error: unknown, type: new () => Error): boolean {
  return error instanceof LiquidError && error.originalError instanceof type;
}

/** What liquidjs's own emitter writes for a value (drops unwrapped, nil empty, arrays joined). */
function stringify(raw: unknown): string {
  const value: unknown = toValue(raw);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify).join('');
  return String(value);
}

/** Output past MAX_RENDERED_LENGTH is refused (loops can multiply a short template). */
function boundedOutput(text: string): string {
  if (text.length <= MAX_RENDERED_LENGTH) return text;
  throw new HeraldError(
    'TEMPLATE_INVALID',
    `The template renders more than ${MAX_RENDERED_LENGTH} characters`,
    { reason: 'output_too_long', length: text.length, max: MAX_RENDERED_LENGTH },
  );
}

/**
 * The variables a template reads, as dotted paths in order of first use; assigned locals and
 * loop variables are not listed.
 *
 * @example
 *   templateVariables('{% if contact.city %}{{ contact.city }}{% endif %} {{ contact.first_name }}');
 *   // ['contact.city', 'contact.first_name']
 */
export function templateVariables(source: string): string[] {
  return distinctNames(globalVariables(parse(source)));
}

/**
 * Inspect the longest message a template can produce over an audience, given the longest value of
 * each variable (keys are dotted paths, as `templateVariables` lists them). Variables without a
 * value render as missing, so `{% if %}` and `default` behave as for a contact without them.
 *
 * One value that forces UCS-2 changes the whole message, so where an audience has such values the
 * caller should pass the longest of them: that is nearly always the worst case (70 < 160).
 *
 * @example
 *   worstCaseInspection('Hi {{ contact.first_name }}!', { 'contact.first_name': 'Bartholomew' })
 *     .units; // 15
 */
export function worstCaseInspection(
  source: string,
  longestValues: Record<string, string>,
): TextInspection {
  const ast = parse(source);
  const vars = nest(longestValues);
  let text: string;
  try {
    text = renderBounded(ast, vars, { strictVariables: false });
  } catch (error) {
    throw toHeraldError(error, 'render');
  }
  return inspectText(boundedOutput(text));
}

function createEngine(): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    lenientIf: true,
    // An empty in-memory template map: even a re-registered include could not reach a disk.
    templates: {},
    timezoneOffset: 0,
    relativeReference: false,
    parseLimit: MAX_TEMPLATE_LENGTH,
    memoryLimit: MAX_RENDER_MEMORY,
    renderLimit: MAX_RENDER_MS,
  });
  for (const tag of FILE_TAGS) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`the ${tag} tag is not available in message templates`);
      },
      render() {
        return undefined;
      },
    });
  }
  liquid.unregisterFilter('sample');
  const date = liquid.filters.date as (this: unknown, ...args: unknown[]) => unknown;
  liquid.registerFilter('date', function (this: unknown, value: unknown, ...args: unknown[]) {
    if (typeof value === 'string' && CLOCK_INPUTS.has(value.trim().toLowerCase())) {
      throw new Error('"now" is not available in message templates; pass the date in');
    }
    return date.call(this, value, ...args);
  });
  liquid.registerFilter('mask', mask);
  return liquid;
}

/**
 * `{{ contact.phone | mask }}` → `138****8000`: keeps `keepStart` leading and `keepEnd` trailing
 * characters and stars the rest; a value too short to keep anything is starred entirely.
 */
function mask(value: unknown, keepStart: unknown = 3, keepEnd: unknown = 4): string {
  const chars = [...String(value ?? '')];
  const start = Math.max(0, Number(keepStart) || 0);
  const end = Math.max(0, Number(keepEnd) || 0);
  if (chars.length <= start + end) return '*'.repeat(chars.length);
  const hidden = chars.length - start - end;
  return (
    chars.slice(0, start).join('') + '*'.repeat(hidden) + chars.slice(chars.length - end).join('')
  );
}

function parse(source: string): Template[] {
  if (source.length > MAX_TEMPLATE_LENGTH) {
    throw new HeraldError(
      'TEMPLATE_INVALID',
      `Template longer than ${MAX_TEMPLATE_LENGTH} characters`,
      {
        reason: 'too_long',
        length: source.length,
        max: MAX_TEMPLATE_LENGTH,
      },
    );
  }
  try {
    return engine.parse(source);
  } catch (error) {
    throw toHeraldError(error, 'parse');
  }
}

function globalVariables(ast: Template[]): Variable[] {
  const { globals } = engine.analyzeSync(ast, { partials: false });
  return Object.values(globals)
    .flat()
    .sort((a, b) => a.location.row - b.location.row || a.location.col - b.location.col);
}

/** Whether a used variable lies at or below an allowed path; dynamic segments never match. */
function startsWith(segments: Variable['segments'], prefix: string[]): boolean {
  if (segments.length < prefix.length) return false;
  return prefix.every((name, i) => {
    const segment = segments[i];
    return (typeof segment === 'string' || typeof segment === 'number') && String(segment) === name;
  });
}

function distinctNames(variables: Variable[]): string[] {
  return [...new Set(variables.map((v) => v.toString()))];
}

/** `{ 'contact.city': 'Paris' }` → `{ contact: { city: 'Paris' } }`, without prototype writes. */
function nest(flat: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(flat)) {
    const names = path.split('.');
    let node = root;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      const existing = Object.hasOwn(node, name) ? node[name] : undefined;
      const next = last ? value : isRecord(existing) ? existing : {};
      Object.defineProperty(node, name, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (!last) node = next as Record<string, unknown>;
    });
  }
  return root;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function toHeraldError(error: unknown, phase: 'parse' | 'render'): HeraldError {
  if (!(error instanceof LiquidError)) {
    return new HeraldError('TEMPLATE_INVALID', `Template ${phase} failed`, {
      reason: String(error),
    });
  }
  const [line, column] = error.token.getPosition();
  const reason = (error.originalError?.message ?? error.message).replace(
    /, line:\d+, col:\d+$/,
    '',
  );
  if (error instanceof UndefinedVariableError) {
    const variable = reason.replace(/^undefined variable: /, '');
    return new HeraldError('TEMPLATE_VARIABLE_MISSING', `No value for ${variable}`, {
      variable,
      line,
      column,
    });
  }
  return new HeraldError(
    'TEMPLATE_INVALID',
    `Template ${phase} error at line ${line}, column ${column}: ${reason}`,
    { line, column, reason },
  );
}
