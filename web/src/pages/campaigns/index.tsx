/**
 * The campaigns area: the list (/campaigns), the composer (/campaigns/new, /campaigns/:id/edit),
 * the approval queue (/campaigns/approvals) and one campaign with its results (/campaigns/:id).
 */
import { useState } from 'react';
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
import { CampaignPage } from './CampaignPage';
import { Composer } from './Composer';
import { useCampaignStrings } from './strings';
import { CAMPAIGN_STATUSES, type CampaignList, type CampaignStatus } from './types';
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
  const waiting = useApi<CampaignList>('/campaigns', { status: 'submitted', limit: 200 });
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

function CampaignListPage() {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const [status, setStatus] = useState<CampaignStatus | ''>('');
  const [pages, setPages] = useState<number[]>([]);
  const list = useApi<CampaignList>('/campaigns', {
    status: status || undefined,
    before: pages.at(-1),
    limit: 50,
  });
  return (
    <Page title={t('title')}>
      {notice ? <Notice>{notice}</Notice> : null}
      <div className="row campaigns-filters">
        <div className="field">
          <label htmlFor="campaigns-status">{t('statusFilter')}</label>
          <select
            id="campaigns-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as CampaignStatus | '');
              setPages([]);
            }}
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
                {!status ? <Link to="/campaigns/new">{t('composeFirst')}</Link> : null}
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
