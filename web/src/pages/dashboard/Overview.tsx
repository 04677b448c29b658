/**
 * The overview of a role that reads reports: stat cards for today, this week and the rates of
 * the last 7 days; counts by status; charts per day and per hour; alerts (guardrail pauses,
 * carrier errors); running campaigns. Days are the browser's own (its time zone is sent).
 */
import { Link } from 'react-router';
import { SeriesChart } from '../../components/charts';
import {
  Card,
  DataTable,
  ErrorNote,
  Loading,
  Page,
  Stat,
  StatusBadge,
  type Column,
} from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { MESSAGE_STATUSES, useLabels } from '../messages/labels';
import { useDashboardStrings } from './strings';
import type { CarrierError, Overview, PeriodCounts, RunningCampaign } from './types';

const POLL_MS = 30_000;

/** Statuses folded into the groups the charts stack, each with its colour. */
const GROUPS = [
  { key: 'delivered', statuses: ['delivered'], color: '#1b7f3b' },
  { key: 'inFlight', statuses: ['sending', 'submitted', 'sent'], color: '#1f5fbf' },
  { key: 'waiting', statuses: ['queued', 'deferred', 'paused'], color: '#5f6b7a' },
  { key: 'failed', statuses: ['failed', 'undelivered', 'expired', 'unknown'], color: '#b3261e' },
  { key: 'blocked', statuses: ['blocked'], color: '#8a4b00' },
  { key: 'cancelled', statuses: ['cancelled'], color: '#6a3fb5' },
] as const;

const FAILED = ['failed', 'undelivered', 'expired', 'unknown'];

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const countOf = (p: PeriodCounts, statuses: readonly string[]) =>
  statuses.reduce((sum, s) => sum + (p.byStatus[s] ?? 0), 0);

export function OverviewView() {
  const t = useDashboardStrings();
  const fmt = useFormat();
  const zone = browserZone();
  const { data, error, loading, reload } = useApi<Overview>(
    '/analytics/overview',
    { timeZone: zone },
    POLL_MS,
  );
  const updated = data
    ? new Date(data.generatedAt).toLocaleTimeString(fmt.locale, { timeStyle: 'short' })
    : null;
  return (
    <Page
      title={t('title')}
      actions={
        <>
          <span className="muted dashboard-updated">
            {t('zone', { zone: data?.timeZone ?? zone })}
            {updated ? ` · ${t('updated', { time: updated })}` : ''}
          </span>
          <button type="button" onClick={reload} disabled={loading}>
            {t('refresh')}
          </button>
        </>
      }
    >
      <ErrorNote error={error} onRetry={reload} />
      {!data && loading ? <Loading /> : null}
      {data ? <OverviewBody o={data} /> : null}
    </Page>
  );
}

function OverviewBody({ o }: { o: Overview }) {
  const t = useDashboardStrings();
  const fmt = useFormat();
  const breakdown = (p: PeriodCounts) =>
    t('breakdown', {
      delivered: fmt.number(countOf(p, ['delivered'])),
      failed: fmt.number(countOf(p, FAILED)),
      blocked: fmt.number(countOf(p, ['blocked'])),
    });
  const r = o.rates;
  return (
    <>
      <div className="stats dashboard-stats">
        <Stat label={t('today')} value={fmt.number(o.today.total)} hint={breakdown(o.today)} />
        <Stat label={t('week')} value={fmt.number(o.week.total)} hint={breakdown(o.week)} />
      </div>
      <h2 className="dashboard-section">{t('rates')}</h2>
      <div className="stats dashboard-stats">
        <Stat
          label={t('deliveryRate')}
          value={r.sent === 0 ? '–' : fmt.percent(r.delivery)}
          hint={
            r.sent === 0
              ? t('noneSent')
              : t('deliveryHint', { count: fmt.number(r.delivered), base: fmt.number(r.sent) })
          }
        />
        {(
          [
            ['clickRate', r.click, r.clicked],
            ['conversionRate', r.conversion, r.converted],
            ['optOutRate', r.optOut, r.optedOut],
          ] as const
        ).map(([label, rate, count]) => (
          <Stat
            key={label}
            label={t(label)}
            value={r.marketingSent === 0 ? '–' : fmt.percent(rate)}
            hint={
              r.marketingSent === 0
                ? t('noMarketing')
                : t('marketingHint', {
                    count: fmt.number(count),
                    base: fmt.number(r.marketingSent),
                  })
            }
          />
        ))}
      </div>
      <div className="dashboard-columns">
        <StatusTable today={o.today} week={o.week} />
        <Alerts o={o} />
      </div>
      <div className="grid">
        <Card title={t('daily')}>
          <StatusChart
            periods={o.daily}
            label={t('dailyLabel')}
            formatX={(key) =>
              new Date(`${key}T12:00:00Z`).toLocaleDateString(fmt.locale, {
                month: 'short',
                day: 'numeric',
                timeZone: 'UTC',
              })
            }
          />
        </Card>
        <Card title={t('hourly')}>
          <StatusChart
            periods={o.hourly}
            label={t('hourlyLabel')}
            formatX={(key) => key.slice(11, 16)}
          />
        </Card>
      </div>
      <RunningCampaigns rows={o.runningCampaigns} />
    </>
  );
}

function StatusTable({ today, week }: { today: PeriodCounts; week: PeriodCounts }) {
  const t = useDashboardStrings();
  const labels = useLabels();
  const fmt = useFormat();
  const rows = MESSAGE_STATUSES.filter(
    (s) => (week.byStatus[s] ?? 0) + (today.byStatus[s] ?? 0) > 0,
  );
  const columns: Column<string>[] = [
    {
      key: 'status',
      header: t('status'),
      cell: (s) => <StatusBadge status={s} label={labels.status(s)} />,
    },
    {
      key: 'today',
      header: t('todayCol'),
      align: 'right',
      cell: (s) => fmt.number(today.byStatus[s] ?? 0),
    },
    {
      key: 'week',
      header: t('weekCol'),
      align: 'right',
      cell: (s) => fmt.number(week.byStatus[s] ?? 0),
    },
  ];
  return (
    <Card title={t('byStatus')}>
      <DataTable
        columns={columns}
        rows={rows}
        rowKey={(s) => s}
        caption={t('byStatusCaption')}
        empty={t('noMessages')}
      />
    </Card>
  );
}

function StatusChart({
  periods,
  label,
  formatX,
}: {
  periods: readonly PeriodCounts[];
  label: string;
  formatX: (key: string) => string;
}) {
  const t = useDashboardStrings();
  const data = periods.map((p) => ({
    key: p.key,
    ...Object.fromEntries(GROUPS.map((g) => [g.key, countOf(p, g.statuses)])),
  }));
  const shown = GROUPS.filter((g) => periods.some((p) => countOf(p, g.statuses) > 0));
  if (shown.length === 0) return <p className="muted">{t('noMessagesInPeriod')}</p>;
  return (
    <SeriesChart
      data={data}
      xKey="key"
      kind="bar"
      label={label}
      formatX={formatX}
      series={shown.map((g) => ({
        key: g.key,
        label: t(`group.${g.key}` as 'group.delivered'),
        color: g.color,
      }))}
    />
  );
}

function Alerts({ o }: { o: Overview }) {
  const t = useDashboardStrings();
  const fmt = useFormat();
  const { can } = useAuth();
  const { paused } = o.alerts;
  const errors = o.alerts.carrierErrors.items;
  const columns: Column<CarrierError>[] = [
    { key: 'carrier', header: t('carrier'), cell: (e) => e.carrier },
    {
      key: 'code',
      header: t('errorCode'),
      cell: (e) =>
        can('messages:read') ? (
          <Link
            to={`/messages?carrier=${encodeURIComponent(e.carrier)}&reason=${encodeURIComponent(e.errorCode)}`}
            title={t('seeMessages')}
          >
            <code>{e.errorCode}</code>
          </Link>
        ) : (
          <code>{e.errorCode}</code>
        ),
    },
    { key: 'failed', header: t('failed'), align: 'right', cell: (e) => fmt.number(e.failed) },
    { key: 'retried', header: t('retried'), align: 'right', cell: (e) => fmt.number(e.retried) },
  ];
  const pct = (v: unknown) => (typeof v === 'number' ? fmt.percent(v) : '–');
  const num = (v: unknown) => (typeof v === 'number' ? fmt.number(v, 2) : '–');
  return (
    <Card title={t('alerts')} className="dashboard-alerts">
      {paused.length === 0 && errors.length === 0 ? (
        <p className="dashboard-clear">{t('noAlerts')}</p>
      ) : null}
      {paused.length > 0 ? (
        <>
          <h3 className="dashboard-subhead">{t('paused')}</h3>
          <ul className="dashboard-pauses">
            {paused.map((p) => (
              <li key={p.id}>
                <div className="dashboard-pause-head">
                  {can('campaigns:read') ? (
                    <Link to={`/campaigns/${p.id}`}>{p.name}</Link>
                  ) : (
                    <span>{p.name}</span>
                  )}
                  <StatusBadge
                    status="paused"
                    label={t(`pause.${p.reason}` as 'pause.budget') || p.reason}
                  />
                </div>
                <div className="muted dashboard-pause-detail">
                  {p.reason === 'budget'
                    ? t('pauseBudget', { cost: num(p.details.cost), budget: num(p.details.budget) })
                    : t('pauseRate', {
                        rate: pct(p.details.rate),
                        threshold: pct(p.details.threshold),
                        window: fmt.number(Number(p.details.window ?? 0)),
                      })}{' '}
                  · {t('pausedAt', { time: fmt.dateTime(p.pausedAt) })}
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {errors.length > 0 ? (
        <>
          <h3 className="dashboard-subhead">{t('carrierErrors')}</h3>
          <DataTable
            columns={columns}
            rows={errors}
            rowKey={(e) => `${e.carrier}|${e.errorCode}`}
            caption={t('carrierErrorsCaption')}
          />
        </>
      ) : null}
    </Card>
  );
}

function RunningCampaigns({ rows }: { rows: readonly RunningCampaign[] }) {
  const t = useDashboardStrings();
  const fmt = useFormat();
  const { can } = useAuth();
  const columns: Column<RunningCampaign>[] = [
    {
      key: 'name',
      header: t('campaign'),
      cell: (c) =>
        can('campaigns:read') ? <Link to={`/campaigns/${c.id}`}>{c.name}</Link> : c.name,
    },
    { key: 'started', header: t('started'), cell: (c) => fmt.dateTime(c.startedAt) },
    {
      key: 'progress',
      header: t('progress'),
      cell: (c) => (
        <div className="dashboard-progress">
          <progress
            max={Math.max(c.audience, 1)}
            value={c.sent}
            aria-label={t('progressOf', { sent: c.sent, audience: c.audience })}
          />
          <span>
            {t('progressOf', { sent: fmt.number(c.sent), audience: fmt.number(c.audience) })}
          </span>
        </div>
      ),
    },
    {
      key: 'delivered',
      header: t('delivered'),
      align: 'right',
      cell: (c) => fmt.number(c.delivered),
    },
    { key: 'failed', header: t('failed'), align: 'right', cell: (c) => fmt.number(c.failed) },
  ];
  return (
    <Card title={t('running')}>
      <DataTable
        columns={columns}
        rows={rows}
        rowKey={(c) => c.id}
        caption={t('runningCaption')}
        empty={t('noRunning')}
      />
    </Card>
  );
}
