/**
 * The shape of a policy pack: the rules of one jurisdiction as data. Packs live in packs/, are
 * chosen by the recipient's country (resolve.ts) and read by decide() and lintContent().
 * Every field cites its legal or industry source in `sources`, rendered into docs/compliance.md.
 */
import type { KeywordSets } from '../keywords.js';
import type { ConsentRequirement } from './consent.js';
import type { Purpose } from './purposes.js';

/** ISO weekday numbers as luxon counts them: 1 = Monday ... 7 = Sunday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A window of local wall-clock time, `HH:mm`–`HH:mm` (end may be `24:00`), on some weekdays. */
export interface LocalWindow {
  readonly start: string;
  readonly end: string;
  /** Absent: every day of the week. */
  readonly days?: readonly Weekday[];
}

/**
 * When a purpose may be sent. `allowed` is what Herald does and settings may change; `limit` is
 * the bound set by law or by the carriers, which settings can never widen (the effective hours
 * are always allowed ∩ limit).
 */
export interface HoursRule {
  readonly allowed: readonly LocalWindow[];
  readonly limit?: readonly LocalWindow[];
}

/** Holiday types as date-holidays names them. */
export const HOLIDAY_TYPES = ['public', 'bank', 'school', 'optional', 'observance'] as const;
export type HolidayType = (typeof HOLIDAY_TYPES)[number];

export interface HolidayRule {
  /** Purposes not sent on holidays (the next lawful instant is the following working day). */
  readonly appliesTo: readonly Purpose[];
  readonly types: readonly HolidayType[];
  /** date-holidays rule keys that are not a day off for the public (e.g. CN Children's Day). */
  readonly ignoreRules?: readonly string[];
  /** Official days off (`YYYY-MM-DD`) that date-holidays does not know, e.g. bridge days. */
  readonly extraDates?: readonly string[];
}

export interface SignatureRule {
  readonly requiredFor: readonly Purpose[];
  /** `cn_brackets`: 【Brand】 at the very start of the text. */
  readonly format: 'cn_brackets';
  readonly minLength: number;
  readonly maxLength: number;
}

export interface OptOutTextRule {
  readonly requiredFor: readonly Purpose[];
  /** Text to append, by locale (`en`, `zh`, `fr`, `de`); the pack's default locale is the fallback. */
  readonly texts: Readonly<Record<string, string>>;
  /** Regular expressions (case-insensitive) that recognise an opt-out instruction in any locale. */
  readonly patterns: readonly string[];
  /** Whether lintContent appends the text by default when it is missing. */
  readonly autoAppend: boolean;
}

export interface ContentRules {
  readonly signature: SignatureRule | null;
  /** Purposes whose text must name the brand (sender identification). */
  readonly brandRequiredFor: readonly Purpose[];
  readonly optOut: OptOutTextRule;
  readonly forbiddenWords: Readonly<Record<Purpose, readonly string[]>>;
  readonly maxSegments: Readonly<Record<Purpose, number>>;
  /** Purposes that may only use templates registered with the regulator or carriers. */
  readonly templateRequiredFor: readonly Purpose[];
  /** Link hosts allowed in texts; null: links are not checked (settings usually set this). */
  readonly allowedLinkDomains: readonly string[] | null;
}

/** At most `max` sends in any rolling `windowHours`, and at least `minGapHours` between two. */
export interface FrequencyCap {
  readonly max: number;
  readonly windowHours: number;
  readonly minGapHours?: number;
}

/** Caps per purpose, plus the flood limit on one-time codes (SMS pumping, brute force). */
export type FrequencyRules = Readonly<Record<Purpose | 'oneTimeCode', FrequencyCap | null>>;

export interface OptOutRules {
  /** 'all': an opt-out stops transactional traffic too (US carriers block the sender). */
  readonly appliesTo: 'marketing' | 'all';
  /** Legal deadline to honour an opt-out, in business days (null: without delay). Herald: at once. */
  readonly legalDeadlineBusinessDays: number | null;
  /** One confirmation reply, without marketing content, by locale; null: none is sent. */
  readonly confirmation: {
    readonly withinMinutes: number;
    readonly texts: Readonly<Record<string, string>>;
  } | null;
}

/**
 * What a HELP reply says (CTIA § 5.1.2: the program's name, how to stop); one text per locale, no
 * marketing content.
 */
export interface HelpRules {
  readonly texts: Readonly<Record<string, string>>;
}

/** The fields a pack cites a source for, in the order of docs/compliance.md. */
export const POLICY_FIELDS = [
  'quietHours',
  'holidays',
  'signature',
  'brand',
  'optOutText',
  'forbiddenWords',
  'maxSegments',
  'templates',
  'keywords',
  'frequency',
  'consent',
  'optOut',
] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

/** Every pack Herald ships, by id; a country maps to one of them (resolve.ts). */
export const POLICY_PACK_IDS = ['default', 'US', 'CN', 'EU', 'FR', 'DE', 'GB', 'AU', 'IN'] as const;
export type PolicyPackId = (typeof POLICY_PACK_IDS)[number];

export interface PolicyPack {
  readonly id: PolicyPackId;
  readonly name: string;
  /** ISO 3166-1 alpha-2 codes the pack is chosen for (empty for the default pack). */
  readonly countries: readonly string[];
  readonly defaultLocale: string;
  /** null: no time restriction for the purpose. */
  readonly quietHours: Readonly<Record<Purpose, HoursRule | null>>;
  /** Stricter hours in some regions (ISO 3166-2 subdivision without the country, e.g. `FL`). */
  readonly regionalQuietHours: Readonly<Record<string, Partial<Record<Purpose, HoursRule | null>>>>;
  readonly holidays: HolidayRule;
  readonly content: ContentRules;
  readonly keywords: KeywordSets;
  readonly frequency: FrequencyRules;
  readonly consent: Readonly<Record<Purpose, ConsentRequirement>>;
  readonly optOut: OptOutRules;
  /** The answer to HELP (and the pack's other help words), by locale; `{brand}` is filled in. */
  readonly help: HelpRules;
  /** Destination countries settings allow (fraud protection); null: any. */
  readonly allowedCountries: readonly string[] | null;
  readonly sources: Readonly<Record<PolicyField, string>>;
}

type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { -readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Settings layered over a pack by resolvePolicy; arrays replace, objects merge. */
export type PolicyOverrides = DeepPartial<Omit<PolicyPack, 'id' | 'countries' | 'sources'>>;
