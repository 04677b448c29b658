/**
 * The dashboard: today and this week at a glance, refreshed every 30 seconds. Roles that read
 * reports see the overview (GET /v1/analytics/overview, in the browser's time zone); a role
 * that only reads messages (support) sees the latest messages instead.
 */
import { Link, Route, Routes } from 'react-router';
import { Card, ErrorNote, Loading, Notice, Page } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useCommon } from '../../lib/strings';
import { useApi } from '../../lib/use-api';
import { MessageTable } from '../messages/MessageLog';
import type { MessagePage } from '../messages/labels';
import { OverviewView } from './Overview';
import { useDashboardStrings } from './strings';
import './dashboard.css';

export default function DashboardArea() {
  const common = useCommon();
  return (
    <Routes>
      <Route index element={<DashboardPage />} />
      <Route path="*" element={<p className="muted">{common('notFound')}</p>} />
    </Routes>
  );
}

function DashboardPage() {
  const { can } = useAuth();
  return can('reports:read') ? <OverviewView /> : <LatestMessages />;
}

/** For a role without reports: the latest messages, numbers masked. */
function LatestMessages() {
  const t = useDashboardStrings();
  const { data, error, loading, reload } = useApi<MessagePage>('/messages', { limit: 10 }, 30_000);
  return (
    <Page title={t('title')}>
      <Notice>{t('reportsOnly')}</Notice>
      <Card title={t('latest')}>
        <ErrorNote error={error} onRetry={reload} />
        {!data && loading ? <Loading /> : null}
        {data ? <MessageTable rows={data.items} empty={t('noMessages')} compact /> : null}
        <p className="dashboard-links">
          <Link to="/messages">{t('openLog')}</Link>
          <Link to="/inbox">{t('openInbox')}</Link>
        </p>
      </Card>
    </Page>
  );
}
