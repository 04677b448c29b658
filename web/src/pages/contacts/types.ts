/** What the contacts area reads from /v1 (the shapes of the API's answers). */
export interface ConsentState {
  readonly granted: boolean;
  readonly method: string;
  readonly source: string;
  readonly at: string;
}

export interface Contact {
  readonly id: number;
  /** Masked, e.g. +86 139****5678. */
  readonly phone: string;
  readonly country: string | null;
  readonly numberType: string;
  readonly zones: string[];
  readonly timeZone: string | null;
  readonly carrier: string | null;
  readonly place: string | null;
  readonly externalId: string | null;
  readonly status: string;
  readonly invalidReason: string | null;
  readonly attributes: {
    readonly birth_year?: number | null;
    readonly age_band?: string | null;
    readonly city?: string | null;
    readonly region?: string | null;
    readonly gender?: string | null;
    readonly locale?: string | null;
    readonly tags?: string[];
    readonly custom?: Record<string, unknown>;
  };
  readonly consents: Record<string, ConsentState>;
  readonly suppressions: { scope: string; reason: string; since: string }[];
  readonly source: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ContactPage {
  readonly items: Contact[];
  readonly nextAfter: number | null;
}

export interface ConsentEvent {
  readonly id: number;
  readonly purpose: string;
  readonly action: 'grant' | 'revoke';
  readonly method: string;
  readonly source: string;
  readonly ip: string | null;
  readonly formUrl: string | null;
  readonly consentTextId: number | null;
  readonly consentTextHash: string | null;
  readonly evidence: Record<string, unknown> | null;
  readonly recordedBy: string;
  readonly at: string;
}

export interface Consents {
  readonly current: Record<string, ConsentState>;
  readonly history: ConsentEvent[];
}

export interface Message {
  readonly id: number;
  readonly purpose: string;
  readonly status: string;
  readonly errorCode: string | null;
  readonly body: string | null;
  readonly campaignId: number | null;
  readonly createdAt: string;
}

export interface Click {
  readonly id: number;
  readonly at: string;
  readonly code: string;
  readonly target: string;
  readonly campaignId: number | null;
  readonly variant: string | null;
  readonly bot: boolean;
}

export interface ContactEvent {
  readonly id: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly properties: Record<string, unknown>;
}
