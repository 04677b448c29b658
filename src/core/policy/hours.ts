/**
 * Hours rules compiled to minute ranges per weekday: allowed ∩ legal limit, merged and sorted.
 * Compiled once per rule object (packs are frozen and shared) and then only read.
 */
import { HeraldError } from '../errors.js';
import type { HoursRule, LocalWindow, Weekday } from './policy-pack.js';
import { WEEKDAYS } from './policy-pack.js';
import { parseClock } from './time.js';

/** Minute ranges `[start, end, start, end, ...]` per ISO weekday (index 1–7; 0 unused). */
export interface CompiledHours {
  readonly byWeekday: readonly (readonly number[])[];
  /** No minute of any weekday is allowed. */
  readonly never: boolean;
}

function rangesFor(windows: readonly LocalWindow[], weekday: Weekday): number[] {
  const ranges: [number, number][] = [];
  for (const w of windows) {
    if (w.days && !w.days.includes(weekday)) continue;
    const start = parseClock(w.start);
    const end = parseClock(w.end);
    // Windows never cross midnight: 22:00–02:00 is written as two windows.
    if (end <= start) {
      throw new HeraldError('VALIDATION_FAILED', `Empty or inverted window ${w.start}–${w.end}`, {
        window: w,
      });
    }
    ranges.push([start, end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of ranges) {
    const last = merged.length - 1;
    if (last > 0 && start <= merged[last]!) merged[last] = Math.max(merged[last]!, end);
    else merged.push(start, end);
  }
  return merged;
}

/**
 * The intersection of two sorted range lists.
 *
 * @example
 *   intersectRanges([480, 1260], [450, 540, 720, 810]); // [480, 540, 720, 810]
 */
export function intersectRanges(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 2) {
    for (let j = 0; j < b.length; j += 2) {
      const start = Math.max(a[i]!, b[j]!);
      const end = Math.min(a[i + 1]!, b[j + 1]!);
      if (end > start) out.push(start, end);
    }
  }
  return out;
}

/** No restriction: every minute of every day. */
export const ALWAYS: CompiledHours = {
  byWeekday: [[], ...WEEKDAYS.map(() => [0, 24 * 60])],
  never: false,
};
const compiled = new WeakMap<HoursRule, CompiledHours>();

/**
 * The effective hours of a rule: allowed ∩ limit, per weekday. null (no restriction): all day.
 *
 * @example
 *   compileHours({ allowed: [{ start: '08:00', end: '21:00' }] }).byWeekday[1]; // [480, 1260]
 */
export function compileHours(rule: HoursRule | null): CompiledHours {
  if (!rule) return ALWAYS;
  let hours = compiled.get(rule);
  if (!hours) {
    const byWeekday: number[][] = [[]];
    for (const weekday of WEEKDAYS) {
      const allowed = rangesFor(rule.allowed, weekday);
      byWeekday.push(
        rule.limit ? intersectRanges(allowed, rangesFor(rule.limit, weekday)) : allowed,
      );
    }
    hours = { byWeekday, never: byWeekday.every((ranges) => ranges.length === 0) };
    compiled.set(rule, hours);
  }
  return hours;
}
