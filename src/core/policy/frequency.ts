/**
 * Frequency caps per contact and purpose over a rolling window. The store supplies the contact's
 * send times (and reserves atomically under concurrency); this only decides, given that list,
 * whether one more send may go at an instant, and if not, when the cap frees up.
 */
import { HeraldError } from '../errors.js';
import type { Instant } from './instant.js';
import { HOUR_MS, toMillis } from './instant.js';
import type { FrequencyCap } from './policy-pack.js';

export type FrequencyVerdict =
  { allowed: true } | { allowed: false; until: Date | null; rule: 'count' | 'gap' };

const checkedCaps = new WeakSet<FrequencyCap>();

function assertCap(cap: FrequencyCap): void {
  if (checkedCaps.has(cap)) return;
  if (!Number.isInteger(cap.max) || cap.max < 0 || !(cap.windowHours > 0)) {
    throw new HeraldError('VALIDATION_FAILED', 'A frequency cap needs max ≥ 0 and a window > 0', {
      cap,
    });
  }
  checkedCaps.add(cap);
}

// Which constraint a send at t breaks, if any. Rolling windows are half-open (t - W, t]: a send
// exactly W ago has left the window. Sends after t (reservations) count too: a send at t must
// not overfill any window that contains both. Loops rather than array helpers: this runs for
// every decision.
function violation(
  t: number,
  sends: readonly Instant[],
  cap: FrequencyCap,
): 'count' | 'gap' | null {
  const gap = (cap.minGapHours ?? 0) * HOUR_MS;
  const window = cap.windowHours * HOUR_MS;
  if (gap > 0) {
    for (const s of sends) if (Math.abs(t - toMillis(s)) < gap) return 'gap';
  }
  if (countIn(t, sends, window) + 1 > cap.max) return 'count';
  for (const s of sends) {
    const end = toMillis(s);
    if (end > t && end < t + window && countIn(end, sends, window) + 1 > cap.max) return 'count';
  }
  return null;
}

function countIn(end: number, sends: readonly Instant[], window: number): number {
  let count = 0;
  for (const s of sends) {
    const ms = toMillis(s);
    if (ms > end - window && ms <= end) count += 1;
  }
  return count;
}

/**
 * The earliest instant ≥ now at which one more send respects the cap; null if never (max 0).
 * The allowed set only grows back where a send leaves the window (s + W) or the gap (s + gap),
 * so those are the only candidates to try.
 *
 * @example
 *   const day = 24 * 3600_000;
 *   nextFrequencyMillis(10 * day, [4 * day, 9.5 * day], { max: 2, windowHours: 168, minGapHours: 24 });
 *   // 11 * day: the 7-day window is full until the send of day 4 leaves it (day 11)
 */
export function nextFrequencyMillis(
  now: Instant,
  sends: readonly Instant[],
  cap: FrequencyCap | null,
): number | null {
  const t = toMillis(now);
  if (!cap) return t;
  assertCap(cap);
  if (cap.max === 0) return null;
  if (sends.length === 0) return t;
  const gap = (cap.minGapHours ?? 0) * HOUR_MS;
  const window = cap.windowHours * HOUR_MS;
  let latest = -Infinity;
  let future = false;
  for (const s of sends) {
    const ms = toMillis(s);
    if (ms > t) future = true;
    else if (ms > latest) latest = ms;
  }
  if (!future) {
    // Only past sends (the usual case): the gap frees at latest + gap, and the window once the
    // max-th most recent send has left it.
    let until = gap > 0 ? Math.max(t, latest + gap) : t;
    if (sends.length >= cap.max) {
      const recent = sends.map(toMillis).sort((a, b) => b - a);
      until = Math.max(until, recent[cap.max - 1]! + window);
    }
    return until;
  }
  if (violation(t, sends, cap) === null) return t;
  const times = sends.map(toMillis);
  const candidates: number[] = [];
  for (const s of times) {
    if (s + window > t) candidates.push(s + window);
    if (s + gap > t) candidates.push(s + gap);
  }
  candidates.sort((a, b) => a - b);
  for (const c of candidates) if (violation(c, times, cap) === null) return c;
  return null;
}

/**
 * @example
 *   checkFrequency(Date.UTC(2026, 0, 2), [Date.UTC(2026, 0, 1, 12)], { max: 2, windowHours: 168, minGapHours: 24 });
 *   // { allowed: false, until: 2026-01-02T12:00:00.000Z, rule: 'gap' }
 */
export function checkFrequency(
  now: Instant,
  sends: readonly Instant[],
  cap: FrequencyCap | null,
): FrequencyVerdict {
  const t = toMillis(now);
  if (!cap) return { allowed: true };
  assertCap(cap);
  const rule = cap.max === 0 ? 'count' : violation(t, sends, cap);
  if (rule === null) return { allowed: true };
  const until = nextFrequencyMillis(t, sends, cap);
  return { allowed: false, until: until === null ? null : new Date(until), rule };
}
