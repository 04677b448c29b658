/** The compliance area: its own routes under /compliance. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function ComplianceArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.compliance')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
