/**
 * The planner: turns a sending campaign into messages in the outbox, a batch of contacts at a
 * time, in contact id order. Each batch is one transaction that
 *   1. claims the batch (holdPlan: the campaign is still sending and its checkpoint is where we
 *      read it; on SQLite this first write takes the write lock);
 *   2. reads the next contacts of the audience after the checkpoint (on PostgreSQL locking their
 *      rows, so two campaigns planning the same people take turns and the second sees the
 *      first's reservations: frequency caps hold across campaigns);
 *   3. decides every recipient with decide() at the instant the schedule wants for them (now,
 *      an instant, a local wall-clock time, or the send-time model's best hour): send → queued
 *      for that instant; defer → deferred to the earliest lawful instant; block → recorded as
 *      blocked with its reason;
 *   4. writes the messages (at most one per campaign and contact: a unique key) with their
 *      history, and moves the checkpoint to the batch's last contact.
 * A crash rolls the batch back whole; the next run starts from the checkpoint.
 *
 * A/B tests: the test phase plans the contacts assigned to the test (deterministically, by
 * hash), the rest phase the others with the winner. The budget guardrail is applied here: the
 * batch stops before the message that would pass the budget, and the campaign pauses.
 */
import type { AppContext } from '../app-context.js';
import { policyResolver, loadPolicyOverrides } from '../compliance/policies.js';
import { inspectText } from '../core/content/encoding.js';
import {
  compileTemplate,
  renderTemplate,
  type CompiledTemplate,
} from '../core/content/template.js';
import { guardrailsOf, messageCost, overBudget } from '../core/campaigns/guardrails.js';
import { sendInstant, windowHours, type CampaignSchedule } from '../core/campaigns/schedule.js';
import { bestHour, histogramOf, hourPrior, localHour } from '../core/campaigns/send-time.js';
import { assignVariant, type Variant } from '../core/campaigns/variants.js';
import { GOOD_WINDOWS } from '../core/policy/good-windows.js';
import type { Decision, Message } from '../core/policy/index.js';
import type { Purpose } from '../core/policy/purposes.js';
import { recordHistory } from '../delivery/history.js';
import { capWindowStart, contactRecipient, decideAt } from '../delivery/recipients.js';
import { findCampaign, type CampaignRow } from '../store/campaigns.js';
import {
  audienceEngagement,
  consentsOfContacts,
  engagementOf,
  holdPlan,
  insertPlannedMessages,
  mayHaveSendsSince,
  nextAudienceBatch,
  reservedSendsOf,
  settleCheckpoint,
  type PlanContact,
  type PlannedMessage,
} from '../store/campaign-plan.js';
import type { DbOrTx } from '../store/database.js';
import { findSuppressionsOf } from '../store/suppressions.js';
import type { ResolvedSegment } from '../store/segments.js';
import { insertShortLinks, type ShortLinkRow } from '../store/short-links.js';
import { trackCampaignLinks, type CampaignLinkConfig } from './campaign-links.js';
import { actOnCampaign, campaignSegment, specOf, type CampaignSpec } from './campaigns.js';
import { contactTemplateVars } from './template-vars.js';

export const PLAN_DEFAULTS = {
  batchSize: 2000,
  /** Engagement older than this does not inform the send-time model. */
  engagementDays: 180,
  /** Engagements of the audience sampled for the model's prior. */
  priorSample: 20_000,
} as const;

export interface PlanOptions {
  readonly now?: Date;
  readonly batchSize?: number;
  /** Batches to plan in this call (the job plans a few per tick); default: all. */
  readonly maxBatches?: number;
}

export interface PlanProgress {
  batches: number;
  queued: number;
  deferred: number;
  blocked: number;
  /** Where the plan stands afterwards. */
  phase: string;
  /** The budget would have been passed: the campaign paused. */
  budgetPaused: boolean;
}

interface PreparedVariant {
  readonly variant: Variant;
  readonly template: CompiledTemplate | null;
}

interface Plan {
  readonly campaign: CampaignRow;
  readonly spec: CampaignSpec;
  readonly segment: ResolvedSegment;
  readonly variants: ReadonlyMap<string, PreparedVariant>;
  readonly policyFor: ReturnType<typeof policyResolver>;
  readonly prior: number[] | null;
  readonly startedAt: number;
  readonly budget: number | null;
  readonly prices: Readonly<Record<string, number>>;
  readonly segmentsOf: Map<string, number>;
  readonly links: CampaignLinkConfig;
}

function usesBestHour(spec: CampaignSpec): boolean {
  return (
    spec.schedule.kind === 'best_hour' ||
    spec.variants.some((v) => v.schedule?.kind === 'best_hour')
  );
}

function zonesOf(c: PlanContact): string[] {
  return c.own_zone ? [c.own_zone] : (JSON.parse(c.zones) as string[]);
}

async function segmentPrior(db: DbOrTx, segment: ResolvedSegment, now: Date): Promise<number[]> {
  const since = new Date(now.getTime() - PLAN_DEFAULTS.engagementDays * 86_400_000).toISOString();
  const sample = await audienceEngagement(db, segment, {
    now,
    since,
    limit: PLAN_DEFAULTS.priorSample,
  });
  const hours = sample.map((e) => {
    const zone = e.own_zone ?? (JSON.parse(e.zones) as string[])[0] ?? 'UTC';
    return localHour(Date.parse(e.at), zone);
  });
  return hourPrior({ goodWindows: GOOD_WINDOWS, segment: histogramOf(hours) });
}

async function preparePlan(ctx: AppContext, campaign: CampaignRow, now: Date): Promise<Plan> {
  const spec = specOf(campaign);
  const segment = await campaignSegment(ctx.store.db, spec);
  const variants = new Map<string, PreparedVariant>();
  for (const v of spec.variants) {
    const template = /{{|{%/.test(v.body) ? compileTemplate(v.body) : null;
    variants.set(v.key, { variant: v, template });
  }
  return {
    campaign,
    spec,
    segment,
    variants,
    policyFor: policyResolver(await loadPolicyOverrides(ctx)),
    prior: usesBestHour(spec) ? await segmentPrior(ctx.store.db, segment, now) : null,
    startedAt: Date.parse(campaign.started_at ?? now.toISOString()),
    budget: guardrailsOf(JSON.parse(campaign.guardrails)).budget,
    prices: ctx.config.smsPrices,
    segmentsOf: new Map(),
    links: { publicUrl: ctx.config.publicUrl, domains: ctx.config.linkDomains },
  };
}

function render(p: PreparedVariant, contact: PlanContact): string | null {
  if (!p.template) return p.variant.body;
  try {
    return renderTemplate(p.template, contactTemplateVars(contact));
  } catch {
    return null; // a variable this contact has no value for
  }
}

function segmentsOf(plan: Plan, body: string): number {
  let n = plan.segmentsOf.get(body);
  if (n === undefined) {
    n = inspectText(body).segments;
    if (plan.segmentsOf.size < 10_000) plan.segmentsOf.set(body, n);
  }
  return n;
}

const NEXT_PHASE: Record<string, string> = { all: 'done', test: 'await_winner', rest: 'done' };

type Outcome = { row: PlannedMessage; cost: number; links?: ShortLinkRow[] };

interface BatchFacts {
  readonly consents: Awaited<ReturnType<typeof consentsOfContacts>>;
  readonly suppressions: Awaited<ReturnType<typeof findSuppressionsOf>>;
  readonly sends: Awaited<ReturnType<typeof reservedSendsOf>>;
  readonly engagement: Map<number, string[]>;
}

function planOne(
  plan: Plan,
  contact: PlanContact,
  variantKey: string,
  facts: BatchFacts,
  now: Date,
): Outcome {
  const { campaign } = plan;
  const prepared = plan.variants.get(variantKey)!;
  const schedule: CampaignSchedule = prepared.variant.schedule ?? plan.spec.schedule;
  const zones = zonesOf(contact);
  const zone = zones[0] ?? 'UTC';
  let hour: number | undefined;
  if (schedule.kind === 'best_hour' && plan.prior) {
    const mine = (facts.engagement.get(contact.id) ?? []).map((at) =>
      localHour(Date.parse(at), zone),
    );
    hour = bestHour(histogramOf(mine), plan.prior, { hours: windowHours(schedule.window) }).hour;
  }
  const instant = sendInstant(schedule, {
    zone,
    startedAt: Math.max(plan.startedAt, now.getTime()),
    ...(hour !== undefined ? { bestHour: hour } : {}),
  });
  const rendered = render(prepared, contact);
  // Each link becomes the contact's own tracked short link (clicks and conversions per variant).
  const tracked =
    rendered === null
      ? null
      : trackCampaignLinks(plan.links, rendered, {
          campaignId: campaign.id,
          contactId: contact.id,
          variant: variantKey,
          now,
        });
  const body = tracked?.body ?? null;
  const base = {
    contact_id: contact.id,
    phone_index: contact.phone_index,
    phone_enc: contact.phone_enc,
    purpose: campaign.purpose,
    kind: 'campaign',
    carrier: null,
    pinned_carrier: null,
    carrier_message_id: null,
    lease_until: null,
    campaign_id: campaign.id,
    variant: variantKey,
    created_at: now.toISOString(),
    sent_at: null,
    delivered_at: null,
    country: contact.country,
    sender: campaign.sender,
    brand: campaign.brand,
    template: null,
    idempotency_key: null,
    request_hash: null,
  };
  if (body === null) {
    const decision = { action: 'block', reason: 'template_variable_missing' };
    return {
      row: {
        ...base,
        body: null,
        segments: 0,
        status: 'blocked',
        error_code: decision.reason,
        not_before: new Date(instant).toISOString(),
        decision: JSON.stringify(decision),
      },
      cost: 0,
    };
  }
  const message: Message = {
    purpose: campaign.purpose as Purpose,
    body,
    ...(campaign.sender ? { sender: campaign.sender } : {}),
    ...(campaign.brand ? { brand: campaign.brand } : {}),
    ...(contact.locale ? { locale: contact.locale } : {}),
    campaignId: String(campaign.id),
  };
  const recipient = contactRecipient(
    contact,
    facts.consents.get(contact.id) ?? [],
    facts.suppressions.get(contact.phone_index) ?? [],
    facts.sends.get(contact.phone_index) ?? [],
  );
  const decision: Decision = decideAt(
    message,
    recipient,
    plan.policyFor(recipient.country),
    new Date(instant),
  );
  const segments = segmentsOf(plan, body);
  const stored =
    decision.action === 'send'
      ? { action: 'send' }
      : decision.action === 'defer'
        ? { action: 'defer', reason: decision.reason, until: decision.until.toISOString() }
        : { action: 'block', reason: decision.reason };
  return {
    row: {
      ...base,
      body,
      segments,
      status:
        decision.action === 'send'
          ? 'queued'
          : decision.action === 'defer'
            ? 'deferred'
            : 'blocked',
      error_code: decision.action === 'send' ? null : decision.reason,
      not_before:
        decision.action === 'defer'
          ? decision.until.toISOString()
          : new Date(instant).toISOString(),
      decision: JSON.stringify(stored),
    },
    cost: decision.action === 'block' ? 0 : messageCost(segments, contact.country, plan.prices),
    ...(decision.action === 'block' ? {} : { links: tracked?.links ?? [] }),
  };
}

type BatchResult =
  | { kind: 'lost' }
  | {
      kind: 'planned';
      queued: number;
      deferred: number;
      blocked: number;
      phase: string;
      budget: boolean;
    };

async function planBatch(
  ctx: AppContext,
  plan: Plan,
  state: { phase: string; afterId: number; cost: number },
  opts: { now: Date; batchSize: number },
): Promise<BatchResult> {
  const { campaign } = plan;
  const now = opts.now;
  return ctx.store.db.transaction().execute(async (tx): Promise<BatchResult> => {
    const held = await holdPlan(tx, {
      campaignId: campaign.id,
      phase: state.phase,
      afterId: state.afterId,
      now: now.toISOString(),
    });
    if (!held) return { kind: 'lost' };
    const contacts = await nextAudienceBatch(tx, plan.segment, {
      now,
      afterId: state.afterId,
      limit: opts.batchSize,
    });
    const phase = state.phase;
    if (contacts.length === 0) {
      const next = NEXT_PHASE[phase] ?? 'done';
      await settleCheckpoint(tx, {
        campaignId: campaign.id,
        toAfterId: next === 'await_winner' ? 0 : state.afterId,
        phase: next,
        addCost: 0,
      });
      return { kind: 'planned', queued: 0, deferred: 0, blocked: 0, phase: next, budget: false };
    }
    const wanted: { contact: PlanContact; variant: string }[] = [];
    let lastId = state.afterId;
    for (const c of contacts) {
      const a = assignVariant(
        campaign.id,
        c.id,
        plan.spec.variants,
        phase === 'all' ? null : plan.spec.experiment,
      );
      if (phase === 'rest') {
        if (a.group === 'rest') wanted.push({ contact: c, variant: campaign.winner! });
      } else if (a.group !== 'rest') wanted.push({ contact: c, variant: a.variant });
    }
    const ids = wanted.map((w) => w.contact.id);
    const indexes = wanted.map((w) => w.contact.phone_index);
    const since = capWindowStart(new Date(Math.max(plan.startedAt, now.getTime())));
    const facts: BatchFacts = {
      consents: await consentsOfContacts(tx, ids),
      suppressions: await findSuppressionsOf(tx, indexes),
      sends: await reservedSendsOf(tx, {
        phoneIndexes: (
          await mayHaveSendsSince(
            tx,
            wanted.map((w) => w.contact),
            since,
          )
        ).map((c) => c.phone_index),
        since,
      }),
      engagement: plan.prior
        ? await engagementOf(tx, {
            contactIds: ids,
            since: new Date(
              now.getTime() - PLAN_DEFAULTS.engagementDays * 86_400_000,
            ).toISOString(),
          })
        : new Map(),
    };
    const rows: PlannedMessage[] = [];
    const linksOf = new Map<number, ShortLinkRow[]>();
    let cost = 0;
    let budget = false;
    let next = 0;
    for (const c of contacts) {
      const w = wanted[next];
      if (w && w.contact.id === c.id) {
        next += 1;
        const outcome = planOne(plan, c, w.variant, facts, now);
        if (overBudget(state.cost + cost, outcome.cost, plan.budget)) {
          budget = true;
          break;
        }
        cost += outcome.cost;
        rows.push(outcome.row);
        if (outcome.links?.length) linksOf.set(c.id, outcome.links);
      }
      lastId = c.id;
    }
    const inserted = await insertPlannedMessages(tx, rows, ctx.store.sqlite);
    // Links only for messages written now (a replayed batch's messages already have theirs).
    await insertShortLinks(
      tx,
      inserted.flatMap((m) =>
        (linksOf.get(m.contact_id ?? -1) ?? []).map((l) => ({ ...l, message_id: m.id })),
      ),
    );
    await recordHistory(
      tx,
      inserted.map((m) => ({
        messageId: m.id,
        status: m.status as 'queued' | 'deferred' | 'blocked',
        at: now,
        detail: m.error_code,
      })),
    );
    await settleCheckpoint(tx, {
      campaignId: campaign.id,
      toAfterId: lastId,
      phase,
      addCost: cost,
    });
    const count = (s: string) => rows.filter((r) => r.status === s).length;
    return {
      kind: 'planned',
      queued: count('queued'),
      deferred: count('deferred'),
      blocked: count('blocked'),
      phase,
      budget,
    };
  });
}

/**
 * Plans a sending campaign from its checkpoint: up to `maxBatches` batches, or until its phase
 * ends (all contacts planned, or the test group planned), the campaign stops sending, or the
 * budget would be passed (then it pauses).
 */
export async function planCampaign(
  ctx: AppContext,
  campaignId: number,
  opts: PlanOptions = {},
): Promise<PlanProgress> {
  const now = opts.now ?? new Date();
  const progress: PlanProgress = {
    batches: 0,
    queued: 0,
    deferred: 0,
    blocked: 0,
    phase: 'none',
    budgetPaused: false,
  };
  let campaign = await findCampaign(ctx.store.db, campaignId);
  if (!campaign || campaign.status !== 'sending') return progress;
  progress.phase = campaign.plan_phase;
  if (!['all', 'test', 'rest'].includes(campaign.plan_phase)) return progress;
  const plan = await preparePlan(ctx, campaign, now);
  const state = {
    phase: campaign.plan_phase,
    afterId: campaign.plan_after_id,
    cost: campaign.cost,
  };
  const maxBatches = opts.maxBatches ?? Infinity;
  while (progress.batches < maxBatches) {
    const result = await planBatch(ctx, plan, state, {
      now,
      batchSize: opts.batchSize ?? PLAN_DEFAULTS.batchSize,
    });
    if (result.kind === 'lost') break;
    progress.batches += 1;
    progress.queued += result.queued;
    progress.deferred += result.deferred;
    progress.blocked += result.blocked;
    campaign = (await findCampaign(ctx.store.db, campaignId))!;
    state.phase = campaign.plan_phase;
    state.afterId = campaign.plan_after_id;
    state.cost = campaign.cost;
    progress.phase = state.phase;
    if (result.budget) {
      progress.budgetPaused = true;
      await actOnCampaign(ctx, campaignId, 'pause', {
        actor: 'system:guardrails',
        now,
        pauseReason: 'budget',
        pauseDetail: { budget: plan.budget, cost: campaign.cost },
      });
      break;
    }
    if (result.phase !== 'all' && result.phase !== 'test' && result.phase !== 'rest') break;
  }
  return progress;
}
