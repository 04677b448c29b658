/** The campaigns area: its own routes under /campaigns. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function CampaignsArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.campaigns')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
