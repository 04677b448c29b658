/**
 * /v1/campaigns: write a campaign (a draft), take it through its lifecycle (submit, approve or
 * reject, schedule, pause, resume, cancel; the worker starts, plans and completes it), and
 * read it with the counts of its messages. Approving needs `campaigns:approve` and, for
 * marketing, someone other than the author (403 CAMPAIGN_SELF_APPROVAL).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { CampaignInputSchema, CampaignPatchSchema } from '../../campaigns/campaign-input.js';
import { campaignCounts, campaignView } from '../../campaigns/campaign-view.js';
import { campaignPolicyCheck, POLICY_CHECK_COUNTRIES } from '../../campaigns/policy-check.js';
import {
  actOnCampaign,
  createCampaign,
  getCampaign,
  updateCampaign,
} from '../../campaigns/campaigns.js';
import { CAMPAIGN_STATUSES, type CampaignAction } from '../../core/campaigns/lifecycle.js';
import { GuardrailSchema, PAUSE_REASONS } from '../../core/campaigns/guardrails.js';
import { ScheduleSchema } from '../../core/campaigns/schedule.js';
import type { Permission } from '../../core/roles.js';
import { actorOf } from '../../security/principal.js';
import { listCampaigns } from '../../store/campaigns.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
const Counts = Type.Record(Type.String(), Type.Integer());

const CampaignSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  purpose: Type.String(),
  status: Type.Enum(CAMPAIGN_STATUSES),
  audience: Type.Unknown(),
  variants: Type.Array(Type.Unknown()),
  experiment: Type.Unknown(),
  schedule: Type.Unknown(),
  guardrails: Type.Unknown(),
  sender: Nullable(Type.String()),
  brand: Nullable(Type.String()),
  author: Type.String(),
  approver: Nullable(Type.String()),
  approvedAt: Nullable(Type.String()),
  rejection: Nullable(Type.String()),
  pause: Nullable(
    Type.Object({
      reason: Type.Enum(PAUSE_REASONS),
      from: Nullable(Type.String()),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  planAt: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  plan: Type.Object({ phase: Type.String(), afterContactId: Type.Integer() }),
  winner: Nullable(Type.Object({ variant: Type.String(), reason: Nullable(Type.String()) })),
  cost: Type.Number(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  counts: Type.Optional(
    Type.Object({
      planned: Type.Integer(),
      byStatus: Counts,
      blockedByReason: Counts,
      deferredByReason: Counts,
      byVariant: Type.Record(Type.String(), Counts),
    }),
  ),
});

const Id = Type.Object({ id: RowId() });
const PolicyCheck = Type.Object({
  campaignId: Type.Integer(),
  ok: Type.Boolean({ description: 'no variant has an error in any country checked' }),
  countries: Type.Array(
    Type.Object({
      country: Type.String(),
      contacts: Type.Integer(),
      policy: Type.String(),
      variants: Type.Array(
        Type.Object({
          key: Type.String(),
          ok: Type.Boolean(),
          issues: Type.Array(
            Type.Object({ code: Type.String(), severity: Type.String(), message: Type.String() }),
          ),
        }),
      ),
    }),
  ),
  otherContacts: Type.Integer(),
  checkedAt: Type.String(),
});

const ACTION_BODIES: Record<string, ReturnType<typeof Type.Object>> = {
  submit: Type.Object({}, { additionalProperties: false }),
  approve: Type.Object({}, { additionalProperties: false }),
  reject: Type.Object(
    { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
    { additionalProperties: false },
  ),
  schedule: Type.Object(
    { schedule: Type.Optional(ScheduleSchema) },
    { additionalProperties: false },
  ),
  pause: Type.Object(
    { note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
    { additionalProperties: false },
  ),
  resume: Type.Object(
    {
      guardrails: Type.Optional(GuardrailSchema),
    },
    { additionalProperties: false },
  ),
  cancel: Type.Object(
    { note: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
    { additionalProperties: false },
  ),
};

const ACTION_PERMISSION: Record<string, Permission> = {
  approve: 'campaigns:approve',
  reject: 'campaigns:approve',
};

const ACTION_SUMMARY: Record<string, string> = {
  submit: 'Submit a draft for approval (approved at once when none is needed)',
  approve: 'Approve a submitted campaign (someone other than its author)',
  reject: 'Send a submitted campaign back to draft, with the reason',
  schedule: 'Schedule an approved campaign (optionally with a new schedule)',
  pause: 'Pause a scheduled or sending campaign: its waiting messages are held',
  resume: 'Resume a paused campaign (optionally with new guardrails, e.g. a higher budget)',
  cancel: 'Cancel: messages not yet handed to a carrier are cancelled',
};

export async function campaignRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/campaigns',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Create a campaign (a draft)',
        body: CampaignInputSchema,
        response: { 201: CampaignSchema, ...errors },
      },
    },
    async (request, reply) => {
      const row = await createCampaign(ctx, request.body, {
        actor: actorOf(request.principal!),
      });
      return reply.status(201).send(campaignView(row));
    },
  );

  r.patch(
    '/campaigns/:id',
    {
      config: { permission: 'campaigns:write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Change a draft campaign',
        params: Id,
        body: CampaignPatchSchema,
        response: { 200: CampaignSchema, ...errors },
      },
    },
    async (request) => {
      const row = await updateCampaign(ctx, request.params.id, request.body, {
        actor: actorOf(request.principal!),
      });
      return campaignView(row);
    },
  );

  r.get(
    '/campaigns/:id',
    {
      config: { permission: 'campaigns:read' },
      schema: {
        tags: ['campaigns'],
        summary: 'One campaign with the counts of its messages by status, reason and variant',
        params: Id,
        response: { 200: CampaignSchema, ...errors },
      },
    },
    async (request) => {
      const row = await getCampaign(ctx, request.params.id);
      return campaignView(row, await campaignCounts(ctx.store.db, row.id));
    },
  );

  r.get(
    '/campaigns/:id/policy-check',
    {
      config: { permission: 'campaigns:read' },
      schema: {
        tags: ['campaigns'],
        summary: 'Every variant linted against the policy of each country of the audience',
        description: `What an approver reads: the audience counted by country (the ${POLICY_CHECK_COUNTRIES} largest checked, the rest in \`otherContacts\`), and each variant's text linted against that country's policy pack as the decision at send time lints each message (nothing appended: a marketing text without its opt-out wording is an error). Advice for a person; the decision at send time still blocks what breaks a rule.`,
        params: Id,
        response: { 200: PolicyCheck, ...errors },
      },
    },
    async (request) => campaignPolicyCheck(ctx, request.params.id),
  );

  r.get(
    '/campaigns',
    {
      config: { permission: 'campaigns:read' },
      schema: {
        tags: ['campaigns'],
        summary: 'Campaigns newest first; keyset paging with `before`',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(CAMPAIGN_STATUSES)),
          before: Type.Optional(RowId()),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(CampaignSchema),
            nextBefore: Nullable(Type.Integer()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listCampaigns(ctx.store.db, {
        ...(q.status ? { status: q.status } : {}),
        ...(q.before ? { beforeId: q.before } : {}),
        limit: q.limit,
      });
      return {
        items: rows.map((row) => campaignView(row)),
        nextBefore: rows.length === q.limit ? rows.at(-1)!.id : null,
      };
    },
  );

  for (const [action, body] of Object.entries(ACTION_BODIES)) {
    r.post(
      `/campaigns/:id/${action}`,
      {
        config: { permission: ACTION_PERMISSION[action] ?? 'campaigns:write' },
        schema: {
          tags: ['campaigns'],
          summary: ACTION_SUMMARY[action]!,
          params: Id,
          body,
          response: { 200: CampaignSchema, ...errors },
        },
      },
      async (request) => {
        const b = (request.body ?? {}) as {
          reason?: string;
          note?: string;
          schedule?: Parameters<typeof actOnCampaign>[3]['schedule'];
          guardrails?: Parameters<typeof actOnCampaign>[3]['guardrails'];
        };
        const row = await actOnCampaign(ctx, request.params.id, action as CampaignAction, {
          actor: actorOf(request.principal!),
          ...(b.reason ? { note: b.reason } : b.note ? { note: b.note } : {}),
          ...(b.schedule ? { schedule: b.schedule } : {}),
          ...(b.guardrails ? { guardrails: b.guardrails } : {}),
        });
        return campaignView(row, await campaignCounts(ctx.store.db, row.id));
      },
    );
  }
}
