/**
 * The campaigns area: the list (/campaigns), the composer (/campaigns/new, /campaigns/:id/edit),
 * the approval queue (/campaigns/approvals) and one campaign with its results (/campaigns/:id).
 */
import { useEffect, useState } from 'react';
import { Link, NavLink, Route, Routes, useLocation } from 'react-router';
import {
  DataTable,
  ErrorNote,
  Loading,
  Notice,
  Page,
  Pager,
  StatusBadge,
} from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useCommon } from '../../lib/strings';
import { useApi } from '../../lib/use-api';
import { actorName } from '../segments/api';
import { ApprovalQueue } from './ApprovalQueue';
import { onCampaignsChanged } from './events';
import { CampaignPage } from './CampaignPage';
import { Composer } from './Composer';
import { useCampaignStrings } from './strings';
import {
  CAMPAIGN_STATUSES,
  type Campaign,
  type CampaignList,
  type CampaignStatus,
  type Figures,
} from './types';
import './campaigns.css';

export default function CampaignsArea() {
  const common = useCommon();
  return (
    <>
      <AreaTabs />
      <Routes>
        <Route index element={<CampaignListPage />} />
        <Route path="new" element={<Composer />} />
        <Route path="approvals" element={<ApprovalQueue />} />
        <Route path=":id" element={<CampaignPage />} />
        <Route path=":id/edit" element={<Composer />} />
        <Route path="*" element={<p className="muted">{common('notFound')}</p>} />
      </Routes>
    </>
  );
}

function AreaTabs() {
  const t = useCampaignStrings();
  const { can } = useAuth();
  const location = useLocation();
  const waiting = useApi<CampaignList>('/campaigns', { status: 'submitted', limit: 200 });
  const { reload } = waiting;
  // The count follows approvals and submissions made on the area's pages.
  useEffect(() => reload(), [location.pathname, reload]);
  useEffect(() => onCampaignsChanged(reload), [reload]);
  const n = waiting.data?.items.length ?? 0;
  return (
    <nav className="campaigns-tabs" aria-label={t('sections')}>
      <NavLink to="/campaigns" end>
        {t('all')}
      </NavLink>
      <NavLink to="/campaigns/approvals">
        {t('approvals')}
        {n > 0 ? (
          <span
            className="campaigns-count"
            aria-label={t('waitingCount' as 'waitingCount_other', { count: n })}
          >
            {n}
          </span>
        ) : null}
      </NavLink>
      {can('campaigns:write') ? <NavLink to="/campaigns/new">+ {t('newCampaign')}</NavLink> : null}
    </nav>
  );
}

interface Dashboard {
  readonly campaigns: number;
  readonly byStatus: Record<string, number>;
  readonly perCampaign: { campaign: { id: number }; total: Figures }[];
}

/** The statuses as cards with their counts; a card filters the list (a second click clears). */
function StatusStrip({
  byStatus,
  value,
  onChange,
}: {
  byStatus: Record<string, number>;
  value: CampaignStatus | '';
  onChange: (status: CampaignStatus | '') => void;
}) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  return (
    <div className="campaigns-strip" role="group" aria-label={t('byStatus')}>
      {CAMPAIGN_STATUSES.map((s) => (
        <button
          key={s}
          type="button"
          className={`campaigns-strip-item campaigns-tone-${s}`}
          aria-pressed={value === s}
          onClick={() => onChange(value === s ? '' : s)}
        >
          <span className="campaigns-strip-count">{fmt.number(byStatus[s] ?? 0)}</span>
          <span className="campaigns-strip-label">{t(`status.${s}`)}</span>
        </button>
      ))}
    </div>
  );
}

function CampaignListPage() {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const { can } = useAuth();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const [status, setStatus] = useState<CampaignStatus | ''>('');
  const [pages, setPages] = useState<number[]>([]);
  const list = useApi<CampaignList>('/campaigns', {
    status: status || undefined,
    before: pages.at(-1),
    limit: 50,
  });
  // Figures per campaign for those who may read reports (the newest 1,000 campaigns).
  const dashboard = useApi<Dashboard>(can('reports:read') ? '/analytics/dashboard' : null, {
    limit: 1000,
  });
  const figures = new Map(
    (dashboard.data?.perCampaign ?? []).map((p) => [p.campaign.id, p.total] as const),
  );
  const choose = (next: CampaignStatus | '') => {
    setStatus(next);
    setPages([]);
  };
  return (
    <Page title={t('title')}>
      {notice ? <Notice>{notice}</Notice> : null}
      {/* Those who read reports filter by the status cards; the others by a plain list. */}
      {dashboard.data ? (
        <StatusStrip byStatus={dashboard.data.byStatus} value={status} onChange={choose} />
      ) : null}
      {dashboard.data ? null : (
        <div className="row campaigns-filters">
          <div className="field">
            <label htmlFor="campaigns-status">{t('statusFilter')}</label>
            <select
              id="campaigns-status"
              value={status}
              onChange={(e) => choose(e.target.value as CampaignStatus | '')}
            >
              <option value="">{t('anyStatus')}</option>
              {CAMPAIGN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data && !list.error ? <Loading /> : null}
      {list.data ? (
        <>
          <DataTable
            caption={t('listCaption')}
            rows={list.data.items}
            rowKey={(c) => c.id}
            empty={
              <span>
                {status ? t('noneWithStatus') : t('none')}{' '}
                {!status && can('campaigns:write') ? (
                  <Link to="/campaigns/new">{t('composeFirst')}</Link>
                ) : null}
              </span>
            }
            columns={[
              {
                key: 'name',
                header: t('name'),
                cell: (c) => <Link to={`/campaigns/${c.id}`}>{c.name}</Link>,
              },
              {
                key: 'status',
                header: t('statusCol'),
                cell: (c) => <StatusBadge status={c.status} label={t(`status.${c.status}`)} />,
              },
              { key: 'purpose', header: t('purpose'), cell: (c) => t(`purpose.${c.purpose}`) },
              {
                key: 'variants',
                header: t('variantsCol'),
                align: 'right',
                cell: (c) => (c.experiment ? `${c.variants.length} · A/B` : c.variants.length),
              },
              ...(dashboard.data
                ? [
                    {
                      key: 'sent',
                      header: t('stage.sent'),
                      align: 'right' as const,
                      cell: (c: Campaign) => fmt.number(figures.get(c.id)?.sent ?? 0),
                    },
                    {
                      key: 'delivery',
                      header: t('rate.delivery'),
                      align: 'right' as const,
                      cell: (c: Campaign) => {
                        const f = figures.get(c.id);
                        return f && f.sent > 0 ? fmt.percent(f.rates.delivery) : '–';
                      },
                    },
                    {
                      key: 'click',
                      header: t('rate.click'),
                      align: 'right' as const,
                      cell: (c: Campaign) => {
                        const f = figures.get(c.id);
                        return f && f.sent > 0 ? fmt.percent(f.rates.click) : '–';
                      },
                    },
                  ]
                : []),
              { key: 'author', header: t('author'), cell: (c) => actorName(c.author) },
              { key: 'updated', header: t('updated'), cell: (c) => fmt.dateTime(c.updatedAt) },
            ]}
          />
          {pages.length > 0 || list.data.nextBefore !== null ? (
            <Pager
              onPrevious={pages.length > 0 ? () => setPages((p) => p.slice(0, -1)) : null}
              onNext={
                list.data.nextBefore !== null
                  ? () => setPages((p) => [...p, list.data!.nextBefore!])
                  : null
              }
            />
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
