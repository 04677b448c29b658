/** What GET /v1/analytics/overview answers (see docs/analytics.md, "Overview"). */
export interface Period {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

export interface PeriodCounts extends Period {
  readonly total: number;
  readonly byStatus: Record<string, number>;
}

export interface RunningCampaign {
  readonly id: number;
  readonly name: string;
  readonly purpose: string;
  readonly startedAt: string | null;
  readonly audience: number;
  readonly sent: number;
  readonly delivered: number;
  readonly failed: number;
}

export interface CarrierError {
  readonly carrier: string;
  readonly errorCode: string;
  readonly failed: number;
  readonly retried: number;
}

export interface Overview {
  readonly timeZone: string;
  readonly generatedAt: string;
  readonly today: PeriodCounts;
  readonly week: PeriodCounts;
  readonly rates: Period & {
    readonly sent: number;
    readonly delivered: number;
    readonly marketingSent: number;
    readonly clicked: number;
    readonly converted: number;
    readonly optedOut: number;
    readonly delivery: number;
    readonly click: number;
    readonly conversion: number;
    readonly optOut: number;
  };
  readonly daily: PeriodCounts[];
  readonly hourly: PeriodCounts[];
  readonly runningCampaigns: RunningCampaign[];
  readonly alerts: {
    readonly paused: {
      readonly id: number;
      readonly name: string;
      readonly reason: string;
      readonly details: Record<string, unknown>;
      readonly pausedAt: string;
    }[];
    readonly carrierErrors: { readonly since: string; readonly items: CarrierError[] };
  };
}
