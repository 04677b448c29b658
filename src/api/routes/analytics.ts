/**
 * /v1/analytics: campaign figures per variant (with the A/B test and its intervals), the hourly
 * series, CSV exports, a dashboard over every campaign, and the console's overview (messages
 * by period and status in a time zone, rates, running campaigns, alerts). All behind
 * `reports:read`; no number, masked or not, appears in any of it.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { campaignAnalytics, campaignHourly, dashboard } from '../../campaigns/analytics.js';
import { campaignCsv, dashboardCsv, hourlyCsv } from '../../campaigns/analytics-csv.js';
import { getCampaign } from '../../campaigns/campaigns.js';
import { overview } from '../../campaigns/overview.js';
import { experimentView } from '../../campaigns/experiment.js';
import { ErrorBody } from '../errors.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
const Counts = Type.Record(Type.String(), Type.Number());

const FiguresProps = {
  audience: Type.Integer({ description: 'messages planned' }),
  blocked: Type.Integer(),
  blockedByReason: Counts,
  deferred: Type.Integer({ description: 'moved to the earliest lawful instant when planned' }),
  sent: Type.Integer({ description: 'handed to a carrier' }),
  delivered: Type.Integer(),
  failed: Type.Integer({ description: 'failed, undelivered or expired' }),
  clicks: Type.Object({ unique: Type.Integer(), total: Type.Integer() }),
  conversions: Type.Integer(),
  converters: Type.Integer({ description: 'distinct contacts with a conversion' }),
  revenue: Type.Record(Type.String(), Type.Number(), { description: 'per currency' }),
  optOuts: Type.Integer(),
  segmentsBilled: Type.Integer(),
  cost: Type.Number({ description: 'segments billed × HERALD_SMS_PRICES' }),
  rates: Type.Object({
    delivery: Type.Number(),
    click: Type.Number(),
    conversion: Type.Number(),
    optOut: Type.Number(),
  }),
};
const Figures = Type.Object(FiguresProps);

const CampaignHeader = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: Type.String(),
  purpose: Type.String(),
  winner: Nullable(Type.String()),
  winnerReason: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});

const Interval = Type.Object({ low: Type.Number(), high: Type.Number() });
const TestResult = Type.Object({
  outcome: Type.String(),
  winner: Nullable(Type.String()),
  leader: Nullable(Type.String()),
  alpha: Type.Number(),
  variants: Type.Array(
    Type.Object({
      key: Type.String(),
      trials: Type.Integer(),
      successes: Type.Integer(),
      rate: Type.Number(),
      interval: Interval,
    }),
  ),
  comparisons: Type.Array(
    Type.Object({
      against: Type.String(),
      difference: Type.Number(),
      differenceInterval: Interval,
      z: Type.Number(),
      pValue: Type.Number(),
      adjustedP: Type.Number(),
      significant: Type.Boolean(),
    }),
  ),
});

const Experiment = Type.Object({
  metric: Type.String(),
  testFraction: Type.Number(),
  durationHours: Type.Number(),
  defaultVariant: Type.String(),
  decision: Nullable(
    Type.Object({
      variant: Type.String(),
      reason: Type.String(),
      at: Type.String(),
      test: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  current: Nullable(TestResult),
});

const CampaignAnalytics = Type.Object({
  campaign: CampaignHeader,
  total: Figures,
  variants: Type.Array(Type.Object({ variant: Type.String(), ...FiguresProps })),
  experiment: Nullable(Experiment),
});

const HourlyPoint = Type.Object({
  hour: Type.String(),
  variant: Type.String(),
  sent: Type.Integer(),
  delivered: Type.Integer(),
  clicks: Type.Integer(),
  conversions: Type.Integer(),
  optOuts: Type.Integer(),
});

const PeriodProps = {
  key: Type.String({ description: 'YYYY-MM-DD for a day or week (its Monday); local ISO hour' }),
  from: Type.String({ description: 'start, inclusive (UTC)' }),
  to: Type.String({ description: 'end, exclusive (UTC)' }),
};
const PeriodCounts = Type.Object({
  ...PeriodProps,
  total: Type.Integer(),
  byStatus: Counts,
});
const Overview = Type.Object({
  timeZone: Type.String({ description: 'the zone of the day and week boundaries' }),
  generatedAt: Type.String(),
  today: PeriodCounts,
  week: PeriodCounts,
  rates: Type.Object({
    ...PeriodProps,
    sent: Type.Integer({ description: 'handed to a carrier' }),
    delivered: Type.Integer(),
    marketingSent: Type.Integer({
      description: 'the base of the click, conversion, opt-out rates',
    }),
    clicked: Type.Integer(),
    converted: Type.Integer(),
    optedOut: Type.Integer(),
    delivery: Type.Number({ description: 'delivered / sent' }),
    click: Type.Number({ description: 'clicked / marketingSent' }),
    conversion: Type.Number({ description: 'converted / marketingSent' }),
    optOut: Type.Number({ description: 'optedOut / marketingSent' }),
  }),
  daily: Type.Array(PeriodCounts),
  hourly: Type.Array(PeriodCounts),
  runningCampaigns: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      purpose: Type.String(),
      startedAt: Nullable(Type.String()),
      audience: Type.Integer(),
      sent: Type.Integer(),
      delivered: Type.Integer(),
      failed: Type.Integer(),
    }),
  ),
  alerts: Type.Object({
    paused: Type.Array(
      Type.Object({
        id: Type.Integer(),
        name: Type.String(),
        reason: Type.String({ description: 'opt_out_rate, failure_rate or budget' }),
        details: Type.Record(Type.String(), Type.Unknown()),
        pausedAt: Type.String(),
      }),
    ),
    carrierErrors: Type.Object({
      since: Type.String(),
      items: Type.Array(
        Type.Object({
          carrier: Type.String(),
          errorCode: Type.String(),
          failed: Type.Integer({ description: 'final failures' }),
          retried: Type.Integer({ description: 'temporary refusals, tried again' }),
        }),
      ),
    }),
  }),
});

const IdParams = Type.Object({ id: RowId() });
const Format = Type.Object({
  format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
});

export async function analyticsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { permission: 'reports:read' as const };

  r.get(
    '/analytics/campaigns/:id',
    {
      config,
      schema: {
        tags: ['analytics'],
        summary: 'A campaign’s figures per variant and in total, and its A/B test; or CSV',
        params: IdParams,
        querystring: Format,
        response: { 200: CampaignAnalytics, ...errors },
      },
    },
    async (request, reply) => {
      const campaign = await getCampaign(ctx, request.params.id);
      const figures = await campaignAnalytics(ctx, campaign);
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="campaign-${campaign.id}.csv"`)
          .send(campaignCsv(figures) as never);
      }
      const experiment = await experimentView(ctx, campaign);
      const current = experiment?.current;
      return {
        ...figures,
        experiment: experiment && {
          ...experiment,
          current: current
            ? { ...current, variants: [...current.variants], comparisons: [...current.comparisons] }
            : null,
        },
      };
    },
  );

  r.get(
    '/analytics/campaigns/:id/hourly',
    {
      config,
      schema: {
        tags: ['analytics'],
        summary: 'A campaign’s sends, deliveries, clicks, conversions and opt-outs per UTC hour',
        params: IdParams,
        querystring: Format,
        response: { 200: Type.Object({ points: Type.Array(HourlyPoint) }), ...errors },
      },
    },
    async (request, reply) => {
      const campaign = await getCampaign(ctx, request.params.id);
      const points = await campaignHourly(ctx, campaign.id);
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="campaign-${campaign.id}-hourly.csv"`,
          )
          .send(hourlyCsv(points) as never);
      }
      return { points };
    },
  );

  r.get(
    '/analytics/overview',
    {
      config,
      schema: {
        tags: ['analytics'],
        summary:
          'Messages today, this week, per day (14 days) and per hour today by status; rates of the last 7 days; running campaigns; alerts',
        querystring: Type.Object({
          timeZone: Type.String({
            minLength: 1,
            maxLength: 64,
            default: 'UTC',
            description: 'IANA zone of the day and week boundaries, e.g. Asia/Shanghai',
          }),
        }),
        response: { 200: Overview, ...errors },
      },
    },
    async (request) => overview(ctx, { timeZone: request.query.timeZone, now: new Date() }),
  );

  r.get(
    '/analytics/dashboard',
    {
      config,
      schema: {
        tags: ['analytics'],
        summary: 'Every campaign’s totals (newest first) and the sum over them; or CSV',
        querystring: Type.Object({
          ...Format.properties,
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        }),
        response: {
          200: Type.Object({
            campaigns: Type.Integer(),
            byStatus: Counts,
            total: Figures,
            perCampaign: Type.Array(Type.Object({ campaign: CampaignHeader, total: Figures })),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const d = await dashboard(ctx, { limit: request.query.limit });
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="campaigns.csv"')
          .send(dashboardCsv(d) as never);
      }
      return d;
    },
  );
}
