/** The inbox area: its own routes under /inbox. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function InboxArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.inbox')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
