/**
 * /v1/reports/compliance: the compliance report of a period as JSON, CSV (every marketing
 * message with its consent evidence) or an HTML page fit for print. `reports:read`.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { checkPeriod, complianceReport } from '../../compliance/report.js';
import { evidenceCsv, reportHtml } from '../../compliance/report-render.js';
import { COMPLIANCE_PROBLEMS } from '../../core/reports/compliance.js';
import { ErrorBody } from '../errors.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const Consent = Nullable(
  Type.Object({
    eventId: Type.Integer(),
    action: Type.String(),
    method: Type.String(),
    at: Type.String(),
  }),
);

const Report = Type.Object({
  period: Type.Object({ from: Type.String(), to: Type.String() }),
  generatedAt: Type.String(),
  marketing: Type.Object({
    checked: Type.Integer({ description: 'marketing messages handed to a carrier in the period' }),
    compliant: Type.Integer(),
    problems: Type.Record(Type.String(), Type.Integer()),
    findings: Type.Array(
      Type.Object({
        messageId: Type.Integer(),
        campaignId: Nullable(Type.Integer()),
        contactId: Nullable(Type.Integer()),
        sentAt: Type.String(),
        country: Nullable(Type.String()),
        consent: Consent,
        problem: Type.Enum(COMPLIANCE_PROBLEMS),
        detail: Type.Optional(Type.String()),
      }),
    ),
    findingsTruncated: Type.Boolean(),
  }),
  optOuts: Type.Object({
    replies: Type.Integer(),
    honoured: Type.Integer(),
    notHonoured: Type.Integer(),
    latency: Type.Object({
      count: Type.Integer(),
      p50Seconds: Nullable(Type.Number()),
      p99Seconds: Nullable(Type.Number()),
      maxSeconds: Nullable(Type.Number()),
    }),
    revokesByMethod: Type.Record(Type.String(), Type.Integer()),
  }),
  staffNumberAccess: Type.Array(
    Type.Object({
      actor: Type.String(),
      action: Type.String(),
      n: Type.Integer(),
      first: Type.String(),
      last: Type.String(),
    }),
  ),
});

export async function reportRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/reports/compliance',
    {
      config: { permission: 'reports:read' },
      schema: {
        tags: ['reports'],
        summary: 'Compliance report of a period (default: the last 30 days): JSON, CSV or HTML',
        description:
          'Every marketing message handed to a carrier in [from, to) is checked at its send ' +
          'instant: marketing consent on record (the consent event it relied on), no ' +
          'suppression, outside quiet hours and holidays of its pack. Also opt-out replies and ' +
          'how fast they were honoured (p50/p99), and the staff who revealed or exported ' +
          'numbers. `format=csv` lists every message with its evidence; `format=html` is a ' +
          'page fit for print.',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          format: Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('html')], {
            default: 'json',
          }),
        }),
        response: {
          200: Report,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const period = checkPeriod(request.query, new Date());
      const name = `compliance-${period.from.toISOString().slice(0, 10)}-${period.to.toISOString().slice(0, 10)}`;
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(Readable.from(evidenceCsv(ctx, period)) as never);
      }
      const report = await complianceReport(ctx, period);
      if (request.query.format === 'html') {
        return reply.type('text/html; charset=utf-8').send(reportHtml(report) as never);
      }
      return report;
    },
  );
}
