/**
 * Campaigns as a service: create and change a draft, then every step of the lifecycle
 * (src/core/campaigns/lifecycle.ts decides whether it may be taken), each one audited. Pause,
 * resume and cancel reach the campaign's messages in the same transaction: waiting ones (and
 * ones a worker claimed but has not handed over yet) are held, released or cancelled, so a
 * cancelled campaign sends nothing more and a paused one nothing until it resumes.
 */
import type { AppContext } from '../app-context.js';
import { customAttributeSchema } from '../contacts/attributes.js';
import { builtInAttributes } from '../core/attributes.js';
import { compileTemplate } from '../core/content/template.js';
import { HeraldError } from '../core/errors.js';
import type { GuardrailInput, PauseReason } from '../core/campaigns/guardrails.js';
import {
  approvalRequired,
  transition,
  type CampaignAction,
  type CampaignStatus,
} from '../core/campaigns/lifecycle.js';
import { checkSchedule, planStart, type CampaignSchedule } from '../core/campaigns/schedule.js';
import { variantProblems, type Experiment, type Variant } from '../core/campaigns/variants.js';
import { checkSegmentFilter, type SegmentFilter } from '../core/segments.js';
import {
  findCampaign,
  insertCampaign,
  moveCampaignMessages,
  updateCampaignFrom,
  type CampaignPatch,
  type CampaignRow,
} from '../store/campaigns.js';
import type { DbOrTx } from '../store/database.js';
import { findSegmentById } from '../store/saved-segments.js';
import { resolveSegmentFilter, type ResolvedSegment } from '../store/segments.js';
import type { Audience, CampaignInput, CampaignPatchInput } from './campaign-input.js';
import { allowedTemplateVariables } from './template-vars.js';

/** The stored JSON of a campaign, parsed. */
export interface CampaignSpec {
  readonly audience: Audience;
  readonly variants: readonly Variant[];
  readonly experiment: Experiment | null;
  readonly schedule: CampaignSchedule;
}

export function specOf(row: CampaignRow): CampaignSpec {
  return {
    audience: JSON.parse(row.audience) as Audience,
    variants: JSON.parse(row.variants) as Variant[],
    experiment: row.experiment ? (JSON.parse(row.experiment) as Experiment) : null,
    schedule: JSON.parse(row.schedule) as CampaignSchedule,
  };
}

function invalid(problems: string[]): never {
  throw new HeraldError('CAMPAIGN_INVALID', problems.join('; '), { problems });
}

async function checkAudience(ctx: AppContext, audience: Audience, now: Date): Promise<Audience> {
  if ('segmentId' in audience) {
    if (!(await findSegmentById(ctx.store.db, audience.segmentId))) {
      throw new HeraldError('SEGMENT_NOT_FOUND', `No segment ${audience.segmentId}`);
    }
    return audience;
  }
  const attributes = [
    ...builtInAttributes(now.getUTCFullYear()),
    ...(await customAttributeSchema(ctx.store.db)),
  ];
  const checked = checkSegmentFilter(audience.filter, { attributes });
  if (!checked.ok) {
    throw new HeraldError('SEGMENT_INVALID', 'The audience filter is not valid', {
      errors: checked.errors,
    });
  }
  await resolveSegmentFilter(ctx.store.db, checked.filter); // references exist, no cycle
  return { filter: checked.filter };
}

async function checkContent(ctx: AppContext, input: CampaignInput): Promise<void> {
  const problems = variantProblems(input.variants, input.experiment);
  if (problems.length > 0) invalid(problems);
  checkSchedule(input.schedule);
  const custom = (await customAttributeSchema(ctx.store.db)).map((d) => d.name);
  const allowed = allowedTemplateVariables(custom);
  for (const v of input.variants) {
    if (v.schedule) checkSchedule(v.schedule);
    compileTemplate(v.body, { allowedVariables: allowed });
  }
}

function rowOf(input: CampaignInput, audience: Audience) {
  return {
    name: input.name,
    purpose: input.purpose,
    audience: JSON.stringify(audience),
    variants: JSON.stringify(input.variants),
    experiment: input.experiment ? JSON.stringify(input.experiment) : null,
    schedule: JSON.stringify(input.schedule),
    guardrails: JSON.stringify(input.guardrails ?? {}),
    sender: input.sender ?? null,
    brand: input.brand ?? null,
  };
}

export async function createCampaign(
  ctx: AppContext,
  input: CampaignInput,
  opts: { actor: string; now?: Date },
): Promise<CampaignRow> {
  const now = opts.now ?? new Date();
  await checkContent(ctx, input);
  const audience = await checkAudience(ctx, input.audience, now);
  const row = await insertCampaign(ctx.store.db, {
    ...rowOf(input, audience),
    status: 'draft',
    author: opts.actor,
    plan_phase: 'none',
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    paused_from: null,
    pause_reason: null,
    pause_detail: null,
    approver: null,
    approved_at: null,
    rejection: null,
    plan_at: null,
    started_at: null,
    finished_at: null,
    winner: null,
    winner_reason: null,
  });
  await ctx.auditor.record({
    actor: opts.actor,
    action: 'campaign.create',
    target: `campaign:${row.id}`,
    details: { name: row.name, purpose: row.purpose },
  });
  return row;
}

function inputOf(row: CampaignRow): CampaignInput {
  const spec = specOf(row);
  return {
    name: row.name,
    purpose: row.purpose as CampaignInput['purpose'],
    audience: spec.audience,
    variants: [...spec.variants],
    experiment: spec.experiment,
    schedule: spec.schedule,
    guardrails: JSON.parse(row.guardrails) as CampaignInput['guardrails'],
    sender: row.sender,
    brand: row.brand,
  };
}

export async function getCampaign(ctx: AppContext, id: number): Promise<CampaignRow> {
  const row = await findCampaign(ctx.store.db, id);
  if (!row) throw new HeraldError('CAMPAIGN_NOT_FOUND', `No campaign ${id}`);
  return row;
}

/** Changes a draft (anything else is frozen: what was approved is what is sent). */
export async function updateCampaign(
  ctx: AppContext,
  id: number,
  patch: CampaignPatchInput,
  opts: { actor: string; now?: Date },
): Promise<CampaignRow> {
  const now = opts.now ?? new Date();
  const current = await getCampaign(ctx, id);
  if (current.status !== 'draft') {
    throw new HeraldError('CAMPAIGN_NOT_EDITABLE', `The campaign is ${current.status}`, {
      status: current.status,
    });
  }
  const merged: CampaignInput = { ...inputOf(current), ...patch };
  await checkContent(ctx, merged);
  const audience = await checkAudience(ctx, merged.audience, now);
  const row = await updateCampaignFrom(ctx.store.db, {
    id,
    from: ['draft'],
    patch: { ...rowOf(merged, audience), updated_at: now.toISOString() },
  });
  if (!row) throw new HeraldError('CAMPAIGN_NOT_EDITABLE', 'The campaign left draft meanwhile');
  await ctx.auditor.record({
    actor: opts.actor,
    action: 'campaign.update',
    target: `campaign:${id}`,
    details: { fields: Object.keys(patch) },
  });
  return row;
}

export interface ActOptions {
  readonly actor: string;
  readonly now?: Date;
  /** reject: why; pause: a note. */
  readonly note?: string;
  /** schedule: a new schedule (timing is not content: it may change at this step). */
  readonly schedule?: CampaignSchedule;
  /** pause: why (a guardrail, or `manual`). */
  readonly pauseReason?: PauseReason;
  readonly pauseDetail?: Record<string, unknown>;
  /** resume: new guardrails (e.g. a higher budget after a budget pause). */
  readonly guardrails?: GuardrailInput;
}

function patchFor(
  row: CampaignRow,
  action: CampaignAction,
  to: CampaignStatus,
  pausedFrom: CampaignStatus | null,
  opts: ActOptions,
  now: Date,
): CampaignPatch {
  const at = now.toISOString();
  const base: CampaignPatch = { status: to, updated_at: at };
  switch (action) {
    case 'submit':
      return to === 'approved'
        ? { ...base, approved_at: at, approver: null, rejection: null }
        : { ...base, rejection: null };
    case 'approve':
      return { ...base, approver: opts.actor, approved_at: at };
    case 'reject':
      return { ...base, rejection: opts.note ?? null };
    case 'schedule': {
      const schedule = opts.schedule ?? specOf(row).schedule;
      return {
        ...base,
        schedule: JSON.stringify(schedule),
        plan_at: new Date(planStart(schedule, now.getTime())).toISOString(),
      };
    }
    case 'start':
      return {
        ...base,
        started_at: at,
        plan_phase: specOf(row).experiment ? 'test' : 'all',
        plan_after_id: 0,
      };
    case 'complete':
    case 'cancel':
      return { ...base, finished_at: at, paused_from: null };
    case 'pause':
      return {
        ...base,
        paused_from: pausedFrom,
        pause_reason: opts.pauseReason ?? 'manual',
        pause_detail: JSON.stringify({ ...(opts.pauseDetail ?? {}), note: opts.note ?? null }),
      };
    case 'resume':
      return {
        ...base,
        paused_from: null,
        pause_reason: null,
        pause_detail: null,
        ...(opts.guardrails ? { guardrails: JSON.stringify(opts.guardrails) } : {}),
      };
  }
}

async function moveMessages(
  tx: DbOrTx,
  row: CampaignRow,
  action: CampaignAction,
  at: string,
): Promise<number> {
  const common = { campaignId: row.id, at };
  switch (action) {
    case 'pause':
      return moveCampaignMessages(tx, {
        ...common,
        from: ['queued', 'deferred', 'sending'],
        to: 'paused',
        detail: 'campaign_paused',
      });
    case 'resume':
      return moveCampaignMessages(tx, {
        ...common,
        from: ['paused'],
        to: 'queued',
        detail: 'campaign_resumed',
        restoreDeferred: true,
      });
    case 'cancel':
      return moveCampaignMessages(tx, {
        ...common,
        from: ['queued', 'deferred', 'sending', 'paused'],
        to: 'cancelled',
        detail: 'campaign_cancelled',
        errorCode: 'campaign_cancelled',
      });
    default:
      return 0;
  }
}

/** One step of the lifecycle, checked, applied and audited. */
export async function actOnCampaign(
  ctx: AppContext,
  id: number,
  action: CampaignAction,
  opts: ActOptions,
): Promise<CampaignRow> {
  const now = opts.now ?? new Date();
  const row = await getCampaign(ctx, id);
  if (opts.schedule) checkSchedule(opts.schedule);
  const t = transition(
    { status: row.status as CampaignStatus, pausedFrom: row.paused_from as CampaignStatus | null },
    action,
    {
      actorIsAuthor: row.author === opts.actor,
      approvalRequired: approvalRequired(row.purpose, ctx.config.campaignApproval),
    },
  );
  if (!t.ok) {
    throw new HeraldError(t.code, t.message, { status: row.status, action });
  }
  const patch = patchFor(row, action, t.to, t.pausedFrom, opts, now);
  const { updated, moved } = await ctx.store.db.transaction().execute(async (tx) => {
    const updated = await updateCampaignFrom(tx, { id, from: [row.status], patch });
    if (!updated) return { updated: undefined, moved: 0 };
    return { updated, moved: await moveMessages(tx, row, action, now.toISOString()) };
  });
  if (!updated) {
    throw new HeraldError(
      'CAMPAIGN_INVALID_TRANSITION',
      'The campaign changed meanwhile; try again',
      {
        action,
      },
    );
  }
  await ctx.auditor.record({
    actor: opts.actor,
    action: `campaign.${action}`,
    target: `campaign:${id}`,
    details: {
      from: row.status,
      to: t.to,
      ...(action === 'submit' && t.to === 'approved' ? { approval: 'not_required' } : {}),
      ...(opts.note ? { note: opts.note } : {}),
      ...(action === 'resume' && opts.guardrails ? { guardrails: opts.guardrails } : {}),
      ...(action === 'pause' ? { reason: opts.pauseReason ?? 'manual', ...opts.pauseDetail } : {}),
      ...(moved > 0 ? { messages: moved } : {}),
    },
  });
  return updated;
}

/** The audience as a resolved segment (saved segment or inline filter). */
export async function campaignSegment(db: DbOrTx, spec: CampaignSpec): Promise<ResolvedSegment> {
  const filter: SegmentFilter =
    'segmentId' in spec.audience
      ? { kind: 'segment', id: spec.audience.segmentId }
      : (spec.audience.filter as SegmentFilter);
  return resolveSegmentFilter(db, filter);
}
