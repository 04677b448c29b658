/** The dashboard area: its own routes under /dashboard. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function DashboardArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.dashboard')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
