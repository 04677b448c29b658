/**
 * A policy pack as GET /v1/policies shows it (in force, the workspace's overrides merged in),
 * and what the editor turns its fields into: overrides in which objects merge and lists replace.
 */
export interface LocalWindow {
  start: string;
  end: string;
  days?: number[];
}

export interface HoursRule {
  allowed: LocalWindow[];
  limit?: LocalWindow[];
}

export interface FrequencyCap {
  max: number;
  windowHours: number;
  minGapHours?: number;
}

export interface PolicyPackView {
  id: string;
  name: string;
  countries: string[];
  defaultLocale: string;
  quietHours: Record<string, HoursRule | null>;
  holidays: { appliesTo: string[]; types: string[]; extraDates?: string[] };
  content: {
    forbiddenWords: Record<string, string[]>;
    maxSegments: Record<string, number>;
    optOut: { requiredFor: string[]; texts: Record<string, string> };
  };
  keywords: { optOut: string[]; optIn: string[]; help: string[]; confirm: string[] };
  frequency: Record<string, FrequencyCap | null>;
  sources: Record<string, string>;
  overrides: Overrides | null;
}

export type Overrides = Record<string, unknown>;

export const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** Weekday names in a language, Monday first (ISO 1–7, as the packs count them). */
export function weekdayNames(locale: string): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  // 1 January 2024 was a Monday.
  return ALL_DAYS.map((d) => format.format(new Date(Date.UTC(2024, 0, d))));
}

/** `Mon–Sat 09:00–20:00`, `08:00–21:00` (every day). */
export function describeWindow(w: LocalWindow, names: readonly string[]): string {
  const hours = `${w.start}–${w.end}`;
  const days = [...(w.days ?? ALL_DAYS)].sort((a, b) => a - b);
  if (days.length === 7) return hours;
  const contiguous = days.every((d, i) => i === 0 || d === days[i - 1]! + 1);
  const label =
    contiguous && days.length > 2
      ? `${names[days[0]! - 1]}–${names[days.at(-1)! - 1]}`
      : days.map((d) => names[d - 1]).join(', ');
  return `${label} ${hours}`;
}

const TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const isTime = (v: string) => TIME.test(v);

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const asObject = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export interface PolicyForm {
  windows: LocalWindow[];
  holidayMarketing: boolean;
  cap: { max: string; windowHours: string; minGapHours: string };
  optOutWords: string[];
  forbiddenWords: string[];
}

export function formOf(pack: PolicyPackView): PolicyForm {
  const cap = pack.frequency.marketing;
  return {
    windows: (pack.quietHours.marketing?.allowed ?? []).map((w) => ({
      start: w.start,
      end: w.end,
      days: [...(w.days ?? ALL_DAYS)],
    })),
    holidayMarketing: pack.holidays.appliesTo.includes('marketing'),
    cap: {
      max: cap ? String(cap.max) : '',
      windowHours: cap ? String(cap.windowHours) : '',
      minGapHours: cap?.minGapHours !== undefined ? String(cap.minGapHours) : '',
    },
    optOutWords: [...pack.keywords.optOut],
    forbiddenWords: [...(pack.content.forbiddenWords.marketing ?? [])],
  };
}

export type PolicyProblem =
  | 'windowTime'
  | 'windowOrder'
  | 'windowDays'
  | 'noWindow'
  | 'capMax'
  | 'capWindow'
  | 'capGap'
  | 'optOutEmpty';

/** What is wrong with the form, field by field (empty: nothing). */
export function problemsOf(form: PolicyForm): Partial<Record<string, PolicyProblem>> {
  const problems: Partial<Record<string, PolicyProblem>> = {};
  if (form.windows.length === 0) problems.windows = 'noWindow';
  form.windows.forEach((w, i) => {
    if (!isTime(w.start) || !isTime(w.end)) problems[`window${i}`] = 'windowTime';
    else if (w.start >= w.end) problems[`window${i}`] = 'windowOrder';
    else if ((w.days ?? []).length === 0) problems[`window${i}`] = 'windowDays';
  });
  const max = Number(form.cap.max);
  if (!Number.isInteger(max) || max < 1) problems.capMax = 'capMax';
  const windowHours = Number(form.cap.windowHours);
  if (!(windowHours > 0)) problems.capWindow = 'capWindow';
  if (form.cap.minGapHours.trim() !== '' && !(Number(form.cap.minGapHours) >= 0)) {
    problems.capGap = 'capGap';
  }
  if (form.optOutWords.length === 0) problems.optOut = 'optOutEmpty';
  return problems;
}

/**
 * The overrides after the form's changes: the fields the form changed are written over the
 * stored overrides (which keep whatever else they held); fields left as they are stay untouched.
 */
export function overridesFrom(pack: PolicyPackView, form: PolicyForm): Overrides {
  const before = formOf(pack);
  const next: Record<string, unknown> = structuredClone(pack.overrides ?? {});
  if (!sameJson(before.windows, form.windows)) {
    const quietHours = asObject(next.quietHours);
    next.quietHours = {
      ...quietHours,
      marketing: {
        ...asObject(quietHours.marketing),
        allowed: form.windows.map((w) => ({
          start: w.start,
          end: w.end,
          ...((w.days ?? []).length === 7
            ? {}
            : { days: [...(w.days ?? [])].sort((a, b) => a - b) }),
        })),
      },
    };
  }
  if (before.holidayMarketing !== form.holidayMarketing) {
    const rest = pack.holidays.appliesTo.filter((p) => p !== 'marketing');
    next.holidays = {
      ...asObject(next.holidays),
      appliesTo: form.holidayMarketing ? ['marketing', ...rest] : rest,
    };
  }
  if (!sameJson(before.cap, form.cap)) {
    next.frequency = {
      ...asObject(next.frequency),
      marketing: {
        max: Number(form.cap.max),
        windowHours: Number(form.cap.windowHours),
        // Merging cannot delete a key: no gap is a gap of 0.
        minGapHours: form.cap.minGapHours.trim() === '' ? 0 : Number(form.cap.minGapHours),
      },
    };
  }
  if (!sameJson(before.optOutWords, form.optOutWords)) {
    next.keywords = { ...asObject(next.keywords), optOut: form.optOutWords };
  }
  if (!sameJson(before.forbiddenWords, form.forbiddenWords)) {
    const content = asObject(next.content);
    next.content = {
      ...content,
      forbiddenWords: { ...asObject(content.forbiddenWords), marketing: form.forbiddenWords },
    };
  }
  return next;
}
