/** The imports area: its own routes under /imports. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function ImportsArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.imports')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
