/**
 * Deep merge for policy data: plain objects merge key by key, arrays and scalars replace, an
 * explicit null replaces, undefined leaves the base alone. Results are frozen so a shared pack
 * can never be changed by one caller under another's feet.
 */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @example
 *   mergeDeep({ a: { b: 1, c: [1] } }, { a: { c: [2] } }); // { a: { b: 1, c: [2] } }
 */
export function mergeDeep<T>(base: T, patch: unknown): T {
  if (patch === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = mergeDeep(out[key], value);
  }
  return out as T;
}

/**
 * @example
 *   const pack = deepFreeze({ a: [1] }); // Object.isFrozen(pack.a) === true
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
