/** The contacts area: its own routes under /contacts. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function ContactsArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.contacts')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
