/**
 * One campaign (/campaigns/:id): where it stands and what may be done to it, its texts and
 * schedule, and its results, which refresh by themselves while the campaign is on its way.
 */
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { Card, ErrorNote, Loading, Notice, Page, StatusBadge } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { actorName, type SegmentView } from '../segments/api';
import { LifecycleActions } from './LifecycleActions';
import { Exports, Funnel, HourlyCharts, Outcomes, Verdict, VariantsTable } from './Results';
import { ScheduleText } from './ScheduleText';
import { useCampaignStrings } from './strings';
import { LIVE_STATUSES, type Campaign, type CampaignAnalytics, type HourlyPoint } from './types';

/** How often the page asks again while the campaign is scheduled or sending. */
const REFRESH_MS = 5_000;

export function CampaignPage() {
  const { id } = useParams();
  const t = useCampaignStrings();
  const fmt = useFormat();
  const { can } = useAuth();
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>(
    (location.state as { notice?: string } | null)?.notice ?? null,
  );
  const [status, setStatus] = useState<string | null>(null);
  // Ask again by itself while the campaign is on its way; stop once it rests.
  const live = status === null || (LIVE_STATUSES as readonly string[]).includes(status);
  const poll = live ? REFRESH_MS : undefined;
  const campaign = useApi<Campaign>(`/campaigns/${id}`, undefined, poll);
  if (campaign.data && campaign.data.status !== status) setStatus(campaign.data.status);
  const reports = can('reports:read');
  const analytics = useApi<CampaignAnalytics>(
    reports ? `/analytics/campaigns/${id}` : null,
    undefined,
    poll,
  );
  const hourly = useApi<{ points: HourlyPoint[] }>(
    reports ? `/analytics/campaigns/${id}/hourly` : null,
    undefined,
    poll,
  );
  const c = campaign.data;
  const segmentId = c && 'segmentId' in c.audience ? c.audience.segmentId : null;
  const segment = useApi<SegmentView>(segmentId ? `/segments/${segmentId}` : null);

  if (campaign.error && !c) {
    return (
      <Page title={`#${id}`}>
        <ErrorNote error={campaign.error} onRetry={campaign.reload} />
      </Page>
    );
  }
  if (!c) return <Loading />;

  const refresh = () => {
    campaign.reload();
    analytics.reload();
    hourly.reload();
  };

  const details = (
    <div className="grid campaigns-summary">
      <Card title={t('details')}>
        <dl className="campaigns-facts">
          <dt>{t('audience')}</dt>
          <dd>
            {segmentId ? (
              <Link to={`/segments/${segmentId}`}>{segment.data?.name ?? `#${segmentId}`}</Link>
            ) : (
              t('inlineFilter')
            )}
          </dd>
          <dt>{t('schedule')}</dt>
          <dd>
            <ScheduleText schedule={c.schedule} />
          </dd>
          <dt>{t('sender')}</dt>
          <dd>{c.sender ?? '–'}</dd>
          <dt>{t('brand')}</dt>
          <dd>{c.brand ?? '–'}</dd>
          <dt>{t('author')}</dt>
          <dd>{actorName(c.author)}</dd>
          <dt>{t('approver')}</dt>
          <dd>{c.approver ? `${actorName(c.approver)} · ${fmt.dateTime(c.approvedAt)}` : '–'}</dd>
          <dt>{t('started')}</dt>
          <dd>{fmt.dateTime(c.startedAt)}</dd>
          <dt>{t('finished')}</dt>
          <dd>{fmt.dateTime(c.finishedAt)}</dd>
        </dl>
      </Card>
      <Card title={t('content')}>
        {c.variants.map((v) => (
          <div key={v.key} className="campaigns-variant-text">
            <h3>{t('variant', { key: v.key })}</h3>
            <p className="campaigns-bubble">{v.body}</p>
          </div>
        ))}
      </Card>
    </div>
  );
  const results = reports ? (
    <>
      <Card title={t('results')}>
        {analytics.error ? <ErrorNote error={analytics.error} onRetry={analytics.reload} /> : null}
        {analytics.data ? (
          <>
            {analytics.data.total.audience === 0 ? (
              <p className="muted">{t('nothingPlanned')}</p>
            ) : null}
            <Funnel figures={analytics.data.total} />
            <Outcomes
              figures={analytics.data.total}
              deferredByReason={c.counts?.deferredByReason}
            />
            <Exports id={c.id} />
          </>
        ) : analytics.error ? null : (
          <Loading />
        )}
      </Card>
      {analytics.data ? (
        <Card title={t('variantsTitle')}>
          <VariantsTable analytics={analytics.data} />
        </Card>
      ) : null}
      {analytics.data ? <Verdict analytics={analytics.data} /> : null}
      <Card title={t('byHour')}>
        {hourly.error ? <ErrorNote error={hourly.error} /> : null}
        {hourly.data ? <HourlyCharts points={hourly.data.points} /> : null}
      </Card>
    </>
  ) : null;

  return (
    <Page
      title={c.name}
      actions={
        <Link to="/campaigns" className="campaigns-back">
          ← {t('back')}
        </Link>
      }
    >
      <div className="campaigns-status-line">
        <StatusBadge status={c.status} label={t(`status.${c.status}`)} />
        <span className="muted">{t(`purpose.${c.purpose}`)}</span>
        {live ? (
          <span className="campaigns-live" role="status">
            {t('liveRefresh')}
          </span>
        ) : null}
      </div>
      {notice ? <Notice>{notice}</Notice> : null}
      {c.rejection && c.status === 'draft' ? (
        <div className="error-note">{t('rejected', { reason: c.rejection })}</div>
      ) : null}
      {c.pause ? (
        <div className="notice campaigns-paused">
          {t(`pause.${c.pause.reason}` as 'pause.manual')}
        </div>
      ) : null}
      <LifecycleActions
        campaign={c}
        onChanged={(_next, action) => {
          setNotice(t(`done.${action}`));
          refresh();
        }}
      />

      {/* Once it has started, its results come first; before, what it is. */}
      {c.startedAt ? (
        <>
          {results}
          {details}
        </>
      ) : (
        <>
          {details}
          {results}
        </>
      )}
    </Page>
  );
}
