/**
 * Time in the core is always a parameter: a Date or epoch milliseconds, whichever the caller has.
 */
export type Instant = Date | number;

/**
 * @example
 *   toMillis(new Date('2026-01-01T00:00:00Z')); // 1767225600000
 *   toMillis(1767225600000); // 1767225600000
 */
export function toMillis(t: Instant): number {
  return typeof t === 'number' ? t : t.getTime();
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
