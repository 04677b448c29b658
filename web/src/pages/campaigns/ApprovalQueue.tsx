/**
 * The approval queue (/campaigns/approvals): every submitted campaign with what it would send,
 * to whom and when. Someone other than its author, holding campaigns:approve, approves or
 * rejects it here; the author sees it waiting.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorNote, Loading, Notice, Page, StatusBadge } from '../../components/ui';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { actorName, type SegmentList } from '../segments/api';
import { LifecycleActions } from './LifecycleActions';
import { PolicyCheck } from './PolicyCheck';
import { ScheduleText } from './ScheduleText';
import { useCampaignStrings } from './strings';
import type { Campaign, CampaignList } from './types';

export function ApprovalQueue() {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const queue = useApi<CampaignList>('/campaigns', { status: 'submitted', limit: 200 });
  const segments = useApi<SegmentList>('/segments', { limit: 500 });
  const names = new Map((segments.data?.items ?? []).map((s) => [s.id, s.name]));
  const [done, setDone] = useState<{ campaign: Campaign; action: string } | null>(null);

  return (
    <Page title={t('approvals')}>
      <p className="hint">{t('approvalsIntro')}</p>
      {done ? (
        <Notice>
          {t(`done.${done.action}` as 'done.approve')}{' '}
          <Link to={`/campaigns/${done.campaign.id}`}>{done.campaign.name}</Link>
        </Notice>
      ) : null}
      {queue.error ? <ErrorNote error={queue.error} onRetry={queue.reload} /> : null}
      {!queue.data && !queue.error ? <Loading /> : null}
      {queue.data && queue.data.items.length === 0 ? (
        <p className="muted campaigns-empty">{t('queueEmpty')}</p>
      ) : null}
      <ul className="campaigns-queue" aria-label={t('approvals')}>
        {queue.data?.items.map((c) => (
          <li key={c.id} className="card campaigns-queue-item" aria-labelledby={`queue-${c.id}`}>
            <header className="campaigns-queue-head">
              <h2 id={`queue-${c.id}`}>
                <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
              </h2>
              <StatusBadge status={c.status} label={t(`status.${c.status}`)} />
            </header>
            <div className="campaigns-queue-body">
              <dl className="campaigns-facts">
                <dt>{t('author')}</dt>
                <dd>{actorName(c.author)}</dd>
                <dt>{t('submittedAt')}</dt>
                <dd>{fmt.dateTime(c.updatedAt)}</dd>
                <dt>{t('purpose')}</dt>
                <dd>{t(`purpose.${c.purpose}`)}</dd>
                <dt>{t('audience')}</dt>
                <dd>
                  {'segmentId' in c.audience
                    ? (names.get(c.audience.segmentId) ?? `#${c.audience.segmentId}`)
                    : t('inlineFilter')}
                </dd>
                <dt>{t('schedule')}</dt>
                <dd>
                  <ScheduleText schedule={c.schedule} />
                </dd>
                {c.experiment ? (
                  <>
                    <dt>{t('abTest')}</dt>
                    <dd>
                      {t('testShort', {
                        percent: fmt.percent(c.experiment.testFraction, 1),
                        metric: t(`metric.${c.experiment.metric}`),
                        hours: fmt.number(c.experiment.durationHours),
                      })}
                    </dd>
                  </>
                ) : null}
              </dl>
              <div>
                {c.variants.map((v) => (
                  <div key={v.key} className="campaigns-variant-text">
                    <h3>{t('variant', { key: v.key })}</h3>
                    <p className="campaigns-bubble">{v.body}</p>
                  </div>
                ))}
              </div>
            </div>
            <PolicyCheck campaignId={c.id} />
            <LifecycleActions
              campaign={c}
              compact
              onChanged={(next, action) => {
                setDone({ campaign: next, action });
                queue.reload();
              }}
            />
          </li>
        ))}
      </ul>
    </Page>
  );
}
