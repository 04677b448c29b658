import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_ACTIONS,
  CAMPAIGN_STATUSES,
  approvalRequired,
  transition,
  type CampaignAction,
  type CampaignStatus,
} from '../../../src/core/campaigns/lifecycle.js';

const other = { actorIsAuthor: false, approvalRequired: true };
const author = { actorIsAuthor: true, approvalRequired: true };
const noApproval = { actorIsAuthor: true, approvalRequired: false };

describe('campaign lifecycle', () => {
  // [from, action, facts, expected status or error code]
  const cases: [CampaignStatus, CampaignAction, typeof other, string][] = [
    ['draft', 'submit', author, 'submitted'],
    ['draft', 'submit', noApproval, 'approved'],
    ['submitted', 'approve', other, 'approved'],
    ['submitted', 'approve', author, 'CAMPAIGN_SELF_APPROVAL'],
    ['submitted', 'approve', noApproval, 'approved'],
    ['submitted', 'reject', other, 'draft'],
    ['approved', 'schedule', author, 'scheduled'],
    ['scheduled', 'start', author, 'sending'],
    ['sending', 'complete', author, 'completed'],
    ['scheduled', 'pause', author, 'paused'],
    ['sending', 'pause', author, 'paused'],
    ['draft', 'cancel', author, 'cancelled'],
    ['sending', 'cancel', author, 'cancelled'],
    ['paused', 'cancel', author, 'cancelled'],
    ['draft', 'approve', other, 'CAMPAIGN_INVALID_TRANSITION'],
    ['draft', 'schedule', author, 'CAMPAIGN_INVALID_TRANSITION'],
    ['submitted', 'schedule', author, 'CAMPAIGN_INVALID_TRANSITION'],
    ['approved', 'submit', author, 'CAMPAIGN_INVALID_TRANSITION'],
    ['completed', 'cancel', author, 'CAMPAIGN_INVALID_TRANSITION'],
    ['cancelled', 'resume', author, 'CAMPAIGN_INVALID_TRANSITION'],
    ['draft', 'pause', author, 'CAMPAIGN_INVALID_TRANSITION'],
    ['sending', 'resume', author, 'CAMPAIGN_INVALID_TRANSITION'],
    ['completed', 'pause', author, 'CAMPAIGN_INVALID_TRANSITION'],
  ];
  it.each(cases)('%s --%s--> %s', (from, action, facts, expected) => {
    const t = transition({ status: from, pausedFrom: null }, action, facts);
    expect(t.ok ? t.to : t.code).toBe(expected);
  });

  it('resumes to where it was paused from, and remembers it while paused', () => {
    for (const from of ['scheduled', 'sending'] as const) {
      const paused = transition({ status: from, pausedFrom: null }, 'pause', author);
      expect(paused).toEqual({ ok: true, to: 'paused', pausedFrom: from });
      const resumed = transition({ status: 'paused', pausedFrom: from }, 'resume', author);
      expect(resumed).toEqual({ ok: true, to: from, pausedFrom: null });
    }
  });

  it('never leaves a final status, and every action is defined from every status', () => {
    for (const status of CAMPAIGN_STATUSES) {
      for (const action of CAMPAIGN_ACTIONS) {
        const t = transition({ status, pausedFrom: null }, action, other);
        if (status === 'completed' || status === 'cancelled') expect(t.ok).toBe(false);
        if (!t.ok) expect(t.message).toMatch(new RegExp(`Cannot ${action}|other than its author`));
      }
    }
  });

  it('asks a second person only for marketing, and only while approval is on', () => {
    expect(approvalRequired('marketing', true)).toBe(true);
    expect(approvalRequired('marketing', false)).toBe(false);
    expect(approvalRequired('transactional', true)).toBe(false);
  });
});
