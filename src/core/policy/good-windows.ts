/**
 * Good windows: the moments people read their texts (before work, lunch, the evening), always
 * inside the allowed hours. A campaign asks for them; they are a preference, never a legal limit.
 */
import { compileHours, intersectRanges } from './hours.js';
import type { HoursRule, LocalWindow } from './policy-pack.js';
import { WEEKDAYS } from './policy-pack.js';
import { formatClock } from './time.js';

/** Good windows a campaign may ask for: before work, lunch, evening (always within the hours). */
export const GOOD_WINDOWS: readonly LocalWindow[] = Object.freeze([
  { start: '07:30', end: '09:00' },
  { start: '12:00', end: '13:30' },
  { start: '20:00', end: '21:00' },
]);

const withGood = new WeakMap<HoursRule, HoursRule>();
const GOOD_RULE: HoursRule = { allowed: GOOD_WINDOWS };

/**
 * The rule restricted to the good windows, still clipped to the allowed hours and legal limit.
 *
 * @example
 *   withGoodWindows({ allowed: [{ start: '08:00', end: '21:00' }] });
 *   // allowed 08:00–09:00, 12:00–13:30, 20:00–21:00 on every weekday
 */
export function withGoodWindows(rule: HoursRule | null): HoursRule {
  if (!rule) return GOOD_RULE;
  let good = withGood.get(rule);
  if (!good) {
    const base = compileHours(rule);
    const goodRanges = compileHours(GOOD_RULE);
    const allowed: LocalWindow[] = [];
    for (const weekday of WEEKDAYS) {
      const ranges = intersectRanges(base.byWeekday[weekday]!, goodRanges.byWeekday[weekday]!);
      for (let i = 0; i < ranges.length; i += 2) {
        allowed.push({
          days: [weekday],
          start: formatClock(ranges[i]!),
          end: formatClock(ranges[i + 1]!),
        });
      }
    }
    good = { allowed, ...(rule.limit ? { limit: rule.limit } : {}) };
    withGood.set(rule, good);
  }
  return good;
}
