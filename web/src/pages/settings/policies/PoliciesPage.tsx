/** Every policy pack in force, as cards: hours, holidays, cap and opt-out words at a glance. */
import { Link } from 'react-router';
import { ErrorNote, Loading, Page, Stat, StatusBadge } from '../../../components/ui';
import { useFormat } from '../../../lib/i18n';
import { useApi } from '../../../lib/use-api';
import { describeWindow, weekdayNames, type FrequencyCap, type PolicyPackView } from './model';
import { usePolicyStrings } from './strings';

const PACK_IDS = ['default', 'US', 'CN', 'EU', 'FR', 'DE', 'GB', 'AU', 'IN'];

export function usePackName() {
  const t = usePolicyStrings();
  return (pack: { id: string; name: string }) =>
    PACK_IDS.includes(pack.id) ? t(`pack.${pack.id}` as 'pack.US') : pack.name;
}

export function useCapText() {
  const t = usePolicyStrings();
  return (cap: FrequencyCap | null | undefined) => {
    if (!cap) return '–';
    const window =
      cap.windowHours % 24 === 0
        ? t('policies.days', { n: cap.windowHours / 24 })
        : t('policies.hours', { n: cap.windowHours });
    const text = t('policies.capText', { max: cap.max, window });
    return cap.minGapHours ? `${text}, ${t('policies.capGap', { gap: cap.minGapHours })}` : text;
  };
}

export function PoliciesPage() {
  const t = usePolicyStrings();
  const packs = useApi<{ items: PolicyPackView[] }>('/policies');
  const items = packs.data?.items ?? [];
  return (
    <Page title={t('policies.title')}>
      <p className="settings-lead">{t('policies.intro')}</p>
      <ErrorNote error={packs.error} onRetry={packs.reload} />
      {packs.loading && !packs.data ? <Loading /> : null}
      {packs.data ? (
        <>
          <div className="stats">
            <Stat label={t('policies.stat.packs')} value={items.length} />
            <Stat
              label={t('policies.stat.customised')}
              value={items.filter((p) => p.overrides).length}
            />
          </div>
          <div className="settings-cards">
            {items.map((pack) => (
              <PackCard key={pack.id} pack={pack} />
            ))}
          </div>
        </>
      ) : null}
    </Page>
  );
}

function PackCard({ pack }: { pack: PolicyPackView }) {
  const t = usePolicyStrings();
  const f = useFormat();
  const packName = usePackName();
  const capText = useCapText();
  const days = weekdayNames(f.locale);
  const hours = pack.quietHours.marketing?.allowed ?? [];
  const words = pack.keywords.optOut;
  const name = packName(pack);
  const headingId = `pack-${pack.id}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="settings-card-head">
        <h2 id={headingId}>
          <span className="settings-code">{pack.id}</span> {name}
        </h2>
        {pack.overrides ? (
          <StatusBadge status="scheduled" label={t('policies.customised')} />
        ) : (
          <StatusBadge status="draft" label={t('policies.asShipped')} />
        )}
      </div>
      <dl className="settings-facts">
        <dt>{t('policies.countries')}</dt>
        <dd>
          {pack.countries.length > 0
            ? pack.countries.join(', ')
            : pack.id === 'EU'
              ? t('policies.countries.EU')
              : t('policies.countries.default')}
        </dd>
        <dt>{t('policies.quietHours')}</dt>
        <dd>{hours.length > 0 ? hours.map((w) => describeWindow(w, days)).join('; ') : '–'}</dd>
        <dt>{t('policies.holidays')}</dt>
        <dd>
          {pack.holidays.appliesTo.includes('marketing')
            ? t('policies.holidays.blocked')
            : t('policies.holidays.open')}
        </dd>
        <dt>{t('policies.cap')}</dt>
        <dd>{capText(pack.frequency.marketing)}</dd>
        <dt>{t('policies.optOut')}</dt>
        <dd>
          {words.slice(0, 8).join(', ')}
          {words.length > 8 ? ` ${t('policies.more', { n: words.length - 8 })}` : ''}
        </dd>
      </dl>
      <div className="settings-card-foot">
        <Link
          className="settings-button-link"
          to={`/settings/policies/${encodeURIComponent(pack.id)}`}
          aria-label={t('policies.editPack', { name: `${pack.id} ${name}` })}
        >
          {t('policies.edit')}
        </Link>
      </div>
    </section>
  );
}
