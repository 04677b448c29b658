/** The messages area: its own routes under /messages. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function MessagesArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.messages')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
