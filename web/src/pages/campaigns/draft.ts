/**
 * The composer's draft: what the form holds (strings as typed), how it becomes the API's
 * campaign input, and the checks worth making before asking (the API checks everything again).
 */
import type { Campaign, Metric, Purpose, Schedule, ScheduleKind } from './types';

export interface VariantDraft {
  key: string;
  body: string;
  weight: number;
}

export interface Draft {
  name: string;
  purpose: Purpose;
  segmentId: number | null;
  sender: string;
  brand: string;
  variants: VariantDraft[];
  test: {
    on: boolean;
    /** Percent of the audience in the test. */
    percent: number;
    metric: Metric;
    durationHours: number;
    defaultVariant: string;
  };
  schedule: {
    kind: ScheduleKind;
    /** `datetime-local` value, in the browser's zone. */
    at: string;
    date: string;
    time: string;
    start: string;
    end: string;
  };
}

export const MAX_VARIANTS = 10;
const KEYS = 'ABCDEFGHIJ';

/** The next free key: A, B, C... */
export function nextKey(variants: readonly VariantDraft[]): string {
  for (const k of KEYS) if (!variants.some((v) => v.key === k)) return k;
  return `V${variants.length + 1}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function emptyDraft(now: Date): Draft {
  const tomorrow = new Date(now.getTime() + 24 * 3600_000);
  return {
    name: '',
    purpose: 'marketing',
    segmentId: null,
    sender: '',
    brand: '',
    variants: [{ key: 'A', body: '', weight: 1 }],
    test: { on: false, percent: 20, metric: 'click_rate', durationHours: 4, defaultVariant: 'A' },
    schedule: {
      kind: 'now',
      at: `${localDate(tomorrow)}T10:00`,
      date: localDate(tomorrow),
      time: '10:00',
      start: '09:00',
      end: '21:00',
    },
  };
}

/** A saved campaign back in the form (to change a draft). */
export function draftOf(c: Campaign, now: Date): Draft {
  const d = emptyDraft(now);
  const s = c.schedule;
  const at = s.kind === 'at' ? new Date(s.at) : null;
  return {
    name: c.name,
    purpose: c.purpose,
    segmentId: 'segmentId' in c.audience ? c.audience.segmentId : null,
    sender: c.sender ?? '',
    brand: c.brand ?? '',
    variants: c.variants.map((v) => ({ key: v.key, body: v.body, weight: v.weight ?? 1 })),
    test: c.experiment
      ? {
          on: true,
          percent: Math.round(c.experiment.testFraction * 1000) / 10,
          metric: c.experiment.metric,
          durationHours: c.experiment.durationHours,
          defaultVariant: c.experiment.defaultVariant,
        }
      : { ...d.test, defaultVariant: c.variants[0]?.key ?? 'A' },
    schedule: {
      ...d.schedule,
      kind: s.kind,
      ...(at
        ? {
            at: `${localDate(at)}T${pad(at.getHours())}:${pad(at.getMinutes())}`,
          }
        : {}),
      ...(s.kind === 'local_time' ? { date: s.date, time: s.time } : {}),
      ...(s.kind === 'best_hour' ? { date: s.date, start: s.window.start, end: s.window.end } : {}),
    },
  };
}

export function scheduleOf(d: Draft['schedule']): Schedule {
  switch (d.kind) {
    case 'now':
      return { kind: 'now' };
    case 'at':
      return { kind: 'at', at: new Date(d.at).toISOString() };
    case 'local_time':
      return { kind: 'local_time', date: d.date, time: d.time };
    case 'best_hour':
      return { kind: 'best_hour', date: d.date, window: { start: d.start, end: d.end } };
  }
}

/** The A/B test is on only with two variants or more. */
export const testing = (d: Draft) => d.test.on && d.variants.length > 1;

/** The body of POST /v1/campaigns (and PATCH of a draft). */
export function campaignInput(d: Draft) {
  return {
    name: d.name.trim(),
    purpose: d.purpose,
    audience: { segmentId: d.segmentId },
    variants: d.variants.map((v) =>
      d.variants.length > 1
        ? { key: v.key, body: v.body, weight: v.weight }
        : { key: v.key, body: v.body },
    ),
    experiment: testing(d)
      ? {
          testFraction: d.test.percent / 100,
          metric: d.test.metric,
          durationHours: d.test.durationHours,
          defaultVariant: d.test.defaultVariant,
        }
      : null,
    schedule: scheduleOf(d.schedule),
    sender: d.sender.trim() || null,
    brand: d.brand.trim() || null,
  };
}

export type Problem =
  | 'nameRequired'
  | 'segmentRequired'
  | 'bodyRequired'
  | 'weightInvalid'
  | 'percentInvalid'
  | 'durationInvalid'
  | 'atRequired'
  | 'atPast'
  | 'dateRequired'
  | 'windowInvalid';

/** What the form can tell before asking, by field (variant fields as `body.A`, `weight.A`). */
export function problemsOf(d: Draft, now: Date): Map<string, Problem> {
  const out = new Map<string, Problem>();
  if (!d.name.trim()) out.set('name', 'nameRequired');
  if (d.segmentId === null) out.set('segment', 'segmentRequired');
  for (const v of d.variants) {
    if (!v.body.trim()) out.set(`body.${v.key}`, 'bodyRequired');
    if (d.variants.length > 1 && !(v.weight > 0 && v.weight <= 1000)) {
      out.set(`weight.${v.key}`, 'weightInvalid');
    }
  }
  if (testing(d)) {
    if (!(d.test.percent > 0 && d.test.percent <= 100)) out.set('percent', 'percentInvalid');
    if (!(d.test.durationHours >= 1 && d.test.durationHours <= 336)) {
      out.set('duration', 'durationInvalid');
    }
  }
  const s = d.schedule;
  if (s.kind === 'at') {
    if (!s.at || Number.isNaN(new Date(s.at).getTime())) out.set('at', 'atRequired');
    else if (new Date(s.at).getTime() < now.getTime()) out.set('at', 'atPast');
  }
  if ((s.kind === 'local_time' || s.kind === 'best_hour') && !s.date)
    out.set('date', 'dateRequired');
  if (s.kind === 'best_hour' && !(s.start && s.end && s.end > s.start)) {
    out.set('window', 'windowInvalid');
  }
  return out;
}
