/**
 * What /v1/campaigns, /v1/content, /v1/templates and /v1/analytics answer, as the campaigns
 * area reads them (docs/campaigns.md, docs/analytics.md, docs/experiments.md).
 */
export const CAMPAIGN_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'scheduled',
  'sending',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const FINAL_STATUSES: readonly CampaignStatus[] = ['completed', 'cancelled'];
/** While these last, the results page asks again by itself. */
export const LIVE_STATUSES: readonly CampaignStatus[] = ['scheduled', 'sending'];

export const PURPOSES = ['marketing', 'transactional'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const METRICS = ['click_rate', 'conversion_rate'] as const;
export type Metric = (typeof METRICS)[number];
export const SCHEDULE_KINDS = ['now', 'at', 'local_time', 'best_hour'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export type Schedule =
  | { kind: 'now' }
  | { kind: 'at'; at: string }
  | { kind: 'local_time'; date: string; time: string }
  | { kind: 'best_hour'; date: string; window: { start: string; end: string } };

export interface Variant {
  key: string;
  body: string;
  weight?: number;
  schedule?: Schedule;
}

export interface Experiment {
  testFraction: number;
  metric: Metric;
  durationHours: number;
  defaultVariant: string;
}

export interface Campaign {
  readonly id: number;
  readonly name: string;
  readonly purpose: Purpose;
  readonly status: CampaignStatus;
  readonly audience: { segmentId: number } | { filter: unknown };
  readonly variants: Variant[];
  readonly experiment: Experiment | null;
  readonly schedule: Schedule;
  readonly guardrails: Record<string, unknown>;
  readonly sender: string | null;
  readonly brand: string | null;
  readonly author: string;
  readonly approver: string | null;
  readonly approvedAt: string | null;
  readonly rejection: string | null;
  readonly pause: {
    reason: string;
    from: string | null;
    details: Record<string, unknown>;
  } | null;
  readonly planAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly winner: { variant: string; reason: string | null } | null;
  readonly cost: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly counts?: {
    planned: number;
    byStatus: Record<string, number>;
    blockedByReason: Record<string, number>;
    deferredByReason: Record<string, number>;
    byVariant: Record<string, Record<string, number>>;
  };
}

export interface CampaignList {
  readonly items: Campaign[];
  readonly nextBefore: number | null;
}

export interface Inspection {
  readonly encoding: 'GSM-7' | 'UCS-2';
  readonly characters: number;
  readonly units: number;
  readonly segments: number;
  readonly perSegment: number;
  readonly remainingInSegment: number;
  readonly unicodeCharacters: string[];
  readonly segmentTexts: string[];
  readonly suggestions: { from: string; to: string; count: number }[];
  readonly gsmIfReplaced: boolean;
}

export interface InspectAnswer {
  readonly inspection: Inspection;
  readonly smartEncoded: { text: string; inspection: Inspection };
}

export interface LintIssue {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

export interface LintAnswer {
  readonly policy: string;
  readonly lint: { ok: boolean; issues: LintIssue[]; fixedText?: string };
}

export interface TemplatePreview {
  readonly text: string;
  readonly variables: string[];
  readonly inspection: Inspection;
}

export interface Figures {
  audience: number;
  blocked: number;
  blockedByReason: Record<string, number>;
  deferred: number;
  sent: number;
  delivered: number;
  failed: number;
  clicks: { unique: number; total: number };
  conversions: number;
  converters: number;
  revenue: Record<string, number>;
  optOuts: number;
  segmentsBilled: number;
  cost: number;
  rates: { delivery: number; click: number; conversion: number; optOut: number };
}

export interface Interval {
  low: number;
  high: number;
}

export interface TestResult {
  outcome: string;
  winner: string | null;
  leader: string | null;
  alpha: number;
  variants: { key: string; trials: number; successes: number; rate: number; interval: Interval }[];
  comparisons: {
    against: string;
    difference: number;
    differenceInterval: Interval;
    z: number;
    pValue: number;
    adjustedP: number;
    significant: boolean;
  }[];
}

export interface CampaignAnalytics {
  campaign: {
    id: number;
    name: string;
    status: string;
    purpose: string;
    winner: string | null;
    winnerReason: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  };
  total: Figures;
  variants: (Figures & { variant: string })[];
  experiment: {
    metric: Metric;
    testFraction: number;
    durationHours: number;
    defaultVariant: string;
    decision: {
      variant: string;
      reason: string;
      at: string;
      test: Record<string, unknown>;
    } | null;
    current: TestResult | null;
  } | null;
}

export interface HourlyPoint {
  hour: string;
  variant: string;
  sent: number;
  delivered: number;
  clicks: number;
  conversions: number;
  optOuts: number;
}
