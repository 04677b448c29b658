/** The settings area: its own routes under /settings. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function SettingsArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.settings')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
