/** The segments area: its own routes under /segments. */
import { Page } from '../../components/ui';
import { useCommon } from '../../lib/strings';

export default function SegmentsArea() {
  const t = useCommon();
  return (
    <Page title={t('nav.segments')}>
      <p className="muted">{t('empty')}</p>
    </Page>
  );
}
