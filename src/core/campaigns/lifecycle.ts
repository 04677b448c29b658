/**
 * A campaign's lifecycle as a pure state machine: draft → submitted → approved → scheduled →
 * sending → completed, with paused (from scheduled or sending, back to where it was) and
 * cancelled (from anything not finished). A rejected submission goes back to draft.
 *
 * Approval: a marketing campaign needs a second person's approval (someone other than its
 * author, holding `campaigns:approve`, which the route checks) unless the organisation turned
 * approval off. A campaign that needs none is approved by its submission.
 *
 * @example
 *   transition({ status: 'submitted', pausedFrom: null }, 'approve',
 *     { actorIsAuthor: true, approvalRequired: true });
 *   // { ok: false, code: 'CAMPAIGN_SELF_APPROVAL', message: 'A campaign is approved by someone other than its author' }
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

/** What people (and the lifecycle job: start, complete, and pause for a guardrail) do to one. */
export const CAMPAIGN_ACTIONS = [
  'submit',
  'approve',
  'reject',
  'schedule',
  'start',
  'complete',
  'pause',
  'resume',
  'cancel',
] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

export const FINAL_STATUSES = ['completed', 'cancelled'] as const satisfies CampaignStatus[];

export interface CampaignState {
  readonly status: CampaignStatus;
  /** The status a paused campaign resumes to (scheduled or sending). */
  readonly pausedFrom: CampaignStatus | null;
}

export interface TransitionFacts {
  /** The one acting wrote the campaign. */
  readonly actorIsAuthor: boolean;
  /** A second person must approve (marketing, and approval not turned off). */
  readonly approvalRequired: boolean;
}

export type TransitionError = 'CAMPAIGN_INVALID_TRANSITION' | 'CAMPAIGN_SELF_APPROVAL';

export type Transition =
  | { readonly ok: true; readonly to: CampaignStatus; readonly pausedFrom: CampaignStatus | null }
  | { readonly ok: false; readonly code: TransitionError; readonly message: string };

const FROM: Record<CampaignAction, readonly CampaignStatus[]> = {
  submit: ['draft'],
  approve: ['submitted'],
  reject: ['submitted'],
  schedule: ['approved'],
  start: ['scheduled'],
  complete: ['sending'],
  pause: ['scheduled', 'sending'],
  resume: ['paused'],
  cancel: ['draft', 'submitted', 'approved', 'scheduled', 'sending', 'paused'],
};

const TO: Record<Exclude<CampaignAction, 'resume' | 'submit'>, CampaignStatus> = {
  approve: 'approved',
  reject: 'draft',
  schedule: 'scheduled',
  start: 'sending',
  complete: 'completed',
  pause: 'paused',
  cancel: 'cancelled',
};

/** The statuses an action may be taken from (for error details and the API's documentation). */
export function allowedFrom(action: CampaignAction): readonly CampaignStatus[] {
  return FROM[action];
}

export function isFinal(status: CampaignStatus): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** The status an action leads to from a state, or why it may not be taken. */
export function transition(
  state: CampaignState,
  action: CampaignAction,
  facts: TransitionFacts,
): Transition {
  if (!FROM[action].includes(state.status)) {
    return {
      ok: false,
      code: 'CAMPAIGN_INVALID_TRANSITION',
      message: `Cannot ${action} a campaign that is ${state.status} (only from ${FROM[action].join(', ')})`,
    };
  }
  switch (action) {
    case 'submit':
      return { ok: true, to: facts.approvalRequired ? 'submitted' : 'approved', pausedFrom: null };
    case 'approve':
      if (facts.actorIsAuthor && facts.approvalRequired) {
        return {
          ok: false,
          code: 'CAMPAIGN_SELF_APPROVAL',
          message: 'A campaign is approved by someone other than its author',
        };
      }
      return { ok: true, to: 'approved', pausedFrom: null };
    case 'resume':
      return { ok: true, to: state.pausedFrom ?? 'scheduled', pausedFrom: null };
    case 'pause':
      return { ok: true, to: 'paused', pausedFrom: state.status };
    default:
      return { ok: true, to: TO[action], pausedFrom: null };
  }
}

/** Whether a campaign of this purpose needs a second person's approval. */
export function approvalRequired(purpose: string, approvalOn: boolean): boolean {
  return approvalOn && purpose === 'marketing';
}
