/**
 * A campaign's results (GET /v1/analytics/campaigns/:id and .../hourly): the funnel from the
 * audience to conversions, what was blocked and why, the variants with their rates and the A/B
 * test's intervals and verdict, and the hours as charts.
 */
import { Card, DataTable, Stat, StatusBadge } from '../../components/ui';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { PALETTE, SeriesChart } from '../../components/charts';
import { apiUrl } from '../../lib/api';
import { useFormat } from '../../lib/i18n';
import { useCampaignStrings } from './strings';
import type { CampaignAnalytics, Figures, HourlyPoint, TestResult } from './types';

type T = ReturnType<typeof useCampaignStrings>;
type Fmt = ReturnType<typeof useFormat>;

const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

export function Funnel({ figures }: { figures: Figures }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const stages = [
    ['audience', figures.audience],
    ['sent', figures.sent],
    ['delivered', figures.delivered],
    ['clicked', figures.clicks.unique],
    ['converted', figures.converters],
  ] as const;
  return (
    <ol className="campaigns-funnel" aria-label={t('funnel')}>
      {stages.map(([key, value], i) => {
        const previous = i === 0 ? value : stages[i - 1]![1];
        const width = figures.audience > 0 ? Math.max(share(value, figures.audience), 0) : 0;
        return (
          <li key={key} className="campaigns-funnel-stage" data-stage={key}>
            <div className="campaigns-funnel-text">
              <span className="campaigns-funnel-label">{t(`stage.${key}`)}</span>
              <span className="campaigns-funnel-value">{fmt.number(value)}</span>
              {i > 0 && previous > 0 ? (
                <span className="campaigns-funnel-share">
                  {t('ofPrevious', { rate: fmt.percent(share(value, previous)) })}
                </span>
              ) : null}
            </div>
            <div className="campaigns-funnel-track" aria-hidden="true">
              <div
                className={`campaigns-funnel-bar campaigns-funnel-${key}`}
                style={{ width: `${Math.round(width * 1000) / 10}%` }}
              />
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** Counts by decision reason as labelled bars (blocked, or waiting for a lawful instant). */
function Reasons({
  title,
  counts,
  empty,
  tone,
}: {
  title: string;
  counts: Record<string, number>;
  empty: string;
  tone: 'blocked' | 'deferred';
}) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const reasons = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const total = reasons.reduce((n, [, c]) => n + c, 0);
  return (
    <div>
      <h3 className="campaigns-subtitle">{title}</h3>
      {reasons.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className={`campaigns-reasons campaigns-reasons-${tone}`} aria-label={title}>
          {reasons.map(([reason, n]) => (
            <li key={reason}>
              <span className="campaigns-reason-name">
                {t(`reason.${reason}` as 'reason.no_consent', { defaultValue: reason })}
              </span>
              <span className="campaigns-reason-bar" aria-hidden="true">
                <span style={{ width: `${Math.round(share(n, total) * 100)}%` }} />
              </span>
              <span className="campaigns-reason-count">{fmt.number(n)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Outcomes({
  figures,
  deferredByReason,
}: {
  figures: Figures;
  /** Messages waiting now, by reason (GET /v1/campaigns/:id `counts`). */
  deferredByReason?: Record<string, number>;
}) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const revenue = Object.entries(figures.revenue);
  return (
    <>
      <div className="stats" aria-label={t('outcomes')} role="group">
        <Stat label={t('fig.blocked')} value={fmt.number(figures.blocked)} />
        <Stat label={t('fig.deferred')} value={fmt.number(figures.deferred)} />
        <Stat label={t('fig.failed')} value={fmt.number(figures.failed)} />
        <Stat
          label={t('fig.optOuts')}
          value={fmt.number(figures.optOuts)}
          hint={t('rateOfSent', { rate: fmt.percent(figures.rates.optOut, 2) })}
        />
        <Stat
          label={t('fig.clicks')}
          value={fmt.number(figures.clicks.total)}
          hint={t('uniqueClickers', { n: fmt.number(figures.clicks.unique) })}
        />
        <Stat label={t('fig.segmentsBilled')} value={fmt.number(figures.segmentsBilled)} />
        <Stat label={t('fig.cost')} value={fmt.number(figures.cost, 2)} />
        {revenue.map(([currency, amount]) => (
          <Stat key={currency} label={t('fig.revenue')} value={fmt.money(amount, currency)} />
        ))}
      </div>
      <div className="campaigns-why">
        <Reasons
          title={t('blockedByReason')}
          counts={figures.blockedByReason}
          empty={t('noneBlocked')}
          tone="blocked"
        />
        {deferredByReason ? (
          <Reasons
            title={t('deferredByReason')}
            counts={deferredByReason}
            empty={t('noneDeferred')}
            tone="deferred"
          />
        ) : null}
      </div>
    </>
  );
}

const interval = (fmt: Fmt, i: { low: number; high: number }) =>
  `${fmt.percent(i.low)} – ${fmt.percent(i.high)}`;

export function VariantsTable({ analytics }: { analytics: CampaignAnalytics }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const test = analytics.experiment?.current ?? null;
  const decided = analytics.experiment?.decision ?? null;
  const metric = analytics.experiment?.metric;
  const byKey = new Map((test?.variants ?? []).map((v) => [v.key, v]));
  const rows = analytics.variants;
  return (
    <DataTable
      caption={t('variantsCaption')}
      rows={rows}
      rowKey={(r) => r.variant}
      empty={t('noMessagesYet')}
      columns={[
        {
          key: 'variant',
          header: t('variantCol'),
          cell: (r) => (
            <>
              <strong>{r.variant}</strong>{' '}
              {decided?.variant === r.variant ? (
                <StatusBadge status="completed" label={t('winnerBadge')} />
              ) : test?.leader === r.variant ? (
                <StatusBadge status="sending" label={t('leaderBadge')} />
              ) : null}
            </>
          ),
        },
        {
          key: 'audience',
          header: t('stage.audience'),
          align: 'right',
          cell: (r) => fmt.number(r.audience),
        },
        { key: 'sent', header: t('stage.sent'), align: 'right', cell: (r) => fmt.number(r.sent) },
        {
          key: 'delivery',
          header: t('rate.delivery'),
          align: 'right',
          cell: (r) => fmt.percent(r.rates.delivery),
        },
        {
          key: 'click',
          header: t('rate.click'),
          align: 'right',
          cell: (r) => fmt.percent(r.rates.click),
        },
        {
          key: 'conversion',
          header: t('rate.conversion'),
          align: 'right',
          cell: (r) => fmt.percent(r.rates.conversion),
        },
        {
          key: 'optOut',
          header: t('rate.optOut'),
          align: 'right',
          cell: (r) => fmt.percent(r.rates.optOut, 2),
        },
        ...(metric
          ? [
              {
                key: 'ci',
                header: t('ciHeader', { metric: t(`metric.${metric}`) }),
                align: 'right' as const,
                cell: (r: (typeof rows)[number]) => {
                  const v = byKey.get(r.variant);
                  return v ? (
                    <span title={t('ciOf', { x: v.successes, n: v.trials })}>
                      {fmt.percent(v.rate)}{' '}
                      <span className="muted">({interval(fmt, v.interval)})</span>
                    </span>
                  ) : (
                    '–'
                  );
                },
              },
            ]
          : []),
      ]}
    />
  );
}

function Comparisons({ test, t, fmt }: { test: TestResult; t: T; fmt: Fmt }) {
  return (
    <DataTable
      caption={t('comparisonsCaption')}
      rows={test.comparisons}
      rowKey={(c) => c.against}
      empty={t('noComparisons')}
      columns={[
        {
          key: 'against',
          header: t('leadOver'),
          cell: (c) => `${test.leader ?? '–'} − ${c.against}`,
        },
        {
          key: 'difference',
          header: t('difference'),
          align: 'right',
          cell: (c) => (
            <>
              {fmt.percent(c.difference, 2)}{' '}
              <span className="muted">({interval(fmt, c.differenceInterval)})</span>
            </>
          ),
        },
        {
          key: 'p',
          header: t('pAdjusted'),
          align: 'right',
          cell: (c) => fmt.number(c.adjustedP, 4),
        },
        {
          key: 'significant',
          header: t('significant'),
          cell: (c) => (
            <StatusBadge
              status={c.significant ? 'completed' : 'unknown'}
              label={c.significant ? t('yes') : t('no')}
            />
          ),
        },
      ]}
    />
  );
}

export function Verdict({ analytics }: { analytics: CampaignAnalytics }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const e = analytics.experiment;
  if (!e) return null;
  const test = e.current;
  return (
    <Card title={t('verdictTitle')} className="campaigns-verdict">
      <p className="hint">
        {t('testSettings', {
          percent: fmt.percent(e.testFraction, 1),
          metric: t(`metric.${e.metric}`),
          hours: fmt.number(e.durationHours),
          fallback: e.defaultVariant,
        })}
      </p>
      {e.decision ? (
        <p className="campaigns-verdict-line" role="status">
          <StatusBadge
            status={e.decision.reason === 'significant' ? 'completed' : 'unknown'}
            label={t(`decision.${e.decision.reason}` as 'decision.significant', {
              defaultValue: e.decision.reason,
            })}
          />{' '}
          {t('decided', { variant: e.decision.variant, at: fmt.dateTime(e.decision.at) })}
        </p>
      ) : test ? (
        <>
          <p className="campaigns-verdict-line" role="status">
            <StatusBadge
              status={test.outcome === 'winner' ? 'completed' : 'unknown'}
              label={t(`outcome.${test.outcome}` as 'outcome.winner', {
                defaultValue: test.outcome,
              })}
            />{' '}
            {test.leader ? t('leaderSoFar', { variant: test.leader }) : null}
          </p>
          <p className="hint">{t('noPeeking', { hours: fmt.number(e.durationHours) })}</p>
          <Comparisons test={test} t={t} fmt={fmt} />
        </>
      ) : null}
    </Card>
  );
}

/** Bars side by side per hour (a few hours are the usual life of a campaign: lines would hide). */
function HourlyBars({
  data,
  label,
  series,
  formatX,
}: {
  data: Record<string, unknown>[];
  label: string;
  series: readonly { key: string; label: string; color?: string }[];
  formatX: (iso: string) => string;
}) {
  return (
    <figure className="chart" aria-label={label}>
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d0d4da" />
          <XAxis dataKey="hour" tickFormatter={formatX} fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} width={48} />
          <Tooltip labelFormatter={(v) => formatX(String(v))} />
          <Legend itemSorter={null} />
          {series.map((s, i) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.label}
              fill={s.color ?? PALETTE[i % PALETTE.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{label}</figcaption>
    </figure>
  );
}

/** The hourly series summed over the variants, clicks per variant, and the same as a table. */
export function HourlyCharts({ points }: { points: readonly HourlyPoint[] }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  if (points.length === 0) return <p className="muted">{t('noHoursYet')}</p>;
  const byHour = new Map<string, Record<string, number | string>>();
  const variants = [...new Set(points.map((p) => p.variant))].sort();
  for (const p of points) {
    const row = byHour.get(p.hour) ?? {
      hour: p.hour,
      sent: 0,
      delivered: 0,
      clicks: 0,
      conversions: 0,
      optOuts: 0,
    };
    for (const k of ['sent', 'delivered', 'clicks', 'conversions', 'optOuts'] as const) {
      row[k] = (row[k] as number) + p[k];
    }
    row[`clicks:${p.variant}`] = ((row[`clicks:${p.variant}`] as number) ?? 0) + p.clicks;
    byHour.set(p.hour, row);
  }
  const data = [...byHour.values()].sort((a, b) => String(a.hour).localeCompare(String(b.hour)));
  const formatX = (iso: string) =>
    new Date(iso).toLocaleString(fmt.locale, {
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
  // The funnel's own colours: sent blue, delivered green, clicks amber, conversions violet;
  // opt-outs red.
  const series = [
    { key: 'sent', label: t('stage.sent'), color: '#1f5fbf' },
    { key: 'delivered', label: t('stage.delivered'), color: '#1b6e36' },
    { key: 'clicks', label: t('fig.clicks'), color: '#8a4b00' },
    { key: 'conversions', label: t('fig.conversions'), color: '#6a3fb5' },
    { key: 'optOuts', label: t('fig.optOuts'), color: '#a4251c' },
  ] as const;
  return (
    <>
      <div className="grid">
        <HourlyBars label={t('hourlyChart')} data={data} series={series} formatX={formatX} />
        <SeriesChart
          label={t('clicksByVariant')}
          kind="bar"
          data={data}
          xKey="hour"
          formatX={formatX}
          series={variants.map((v) => ({ key: `clicks:${v}`, label: t('variant', { key: v }) }))}
        />
      </div>
      <details className="campaigns-hours-table">
        <summary>{t('hoursAsTable')}</summary>
        <DataTable
          caption={t('hourlyChart')}
          rows={data}
          rowKey={(r) => String(r.hour)}
          columns={[
            { key: 'hour', header: t('hour'), cell: (r) => formatX(String(r.hour)) },
            ...series.map((s) => ({
              key: s.key,
              header: s.label,
              align: 'right' as const,
              cell: (r: Record<string, unknown>) => fmt.number(r[s.key] as number),
            })),
          ]}
        />
      </details>
    </>
  );
}

export function Exports({ id }: { id: number }) {
  const t = useCampaignStrings();
  return (
    <p className="campaigns-exports">
      <a href={apiUrl(`/analytics/campaigns/${id}`, { format: 'csv' })} download>
        {t('csvFigures')}
      </a>
      <a href={apiUrl(`/analytics/campaigns/${id}/hourly`, { format: 'csv' })} download>
        {t('csvHourly')}
      </a>
    </p>
  );
}
