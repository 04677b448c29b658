/** The carrier accounts: type, state and secrets (set or not, never their value) at a glance. */
import { Link, useLocation } from 'react-router';
import { ErrorNote, Loading, Notice, Page, Stat, StatusBadge } from '../../../components/ui';
import { api } from '../../../lib/api';
import { useFormat } from '../../../lib/i18n';
import { useApi } from '../../../lib/use-api';
import { ConfirmAction } from '../shared';
import { useShared } from '../strings';
import type { CarrierView, RoutingInput } from './model';
import { useCarrierStrings } from './strings';

export function useTypeLabel() {
  const t = useCarrierStrings();
  return (type: string) =>
    ['simulator', 'smpp', 'twilio', 'tencent', 'aliyun'].includes(type)
      ? t(`carriers.type.${type}` as 'carriers.type.twilio')
      : type;
}

export function CarriersPage() {
  const t = useCarrierStrings();
  const s = useShared();
  const location = useLocation();
  const saved = (location.state as { saved?: string } | null)?.saved;
  const carriers = useApi<{ items: CarrierView[] }>('/carriers');
  const routing = useApi<{ routing: RoutingInput | null }>('/carriers/routing');
  const items = carriers.data?.items ?? [];
  return (
    <Page
      title={t('carriers.title')}
      actions={
        <Link className="settings-button-link primary" to="/settings/carriers/new">
          {t('carriers.add')}
        </Link>
      }
    >
      {saved ? <Notice>{t('carriers.saved', { name: saved })}</Notice> : null}
      <p className="settings-lead">{t('carriers.restart')}</p>
      <ErrorNote error={carriers.error} onRetry={carriers.reload} />
      {carriers.loading && !carriers.data ? <Loading /> : null}
      {carriers.data ? (
        <>
          <div className="stats">
            <Stat label={t('carriers.stat.accounts')} value={items.length} />
            <Stat
              label={t('carriers.stat.enabled')}
              value={items.filter((c) => c.enabled).length}
            />
            <Stat
              label={t('carriers.stat.active')}
              value={items.filter((c) => c.active).length}
              hint={t('carriers.stat.activeHint')}
            />
            <Stat
              label={t('carriers.stat.routes')}
              value={routing.data ? (routing.data.routing?.routes?.length ?? 0) : '–'}
            />
          </div>
          {items.length === 0 ? <p className="muted">{t('carriers.empty')}</p> : null}
          <div className="settings-cards">
            {items.map((c) => (
              <CarrierCard key={c.name} carrier={c} onRemoved={carriers.reload} />
            ))}
            <section className="card settings-card-muted" aria-labelledby="carrier-simulator">
              <div className="settings-card-head">
                <h2 id="carrier-simulator">simulator</h2>
                <StatusBadge status="running" label={t('carriers.sending')} />
              </div>
              <p className="settings-subtle">{t('carriers.simulator')}</p>
              <p>{t('carriers.simulatorText')}</p>
              <p>
                <Link to="/settings/routes">{s('nav.routes')}</Link>
              </p>
            </section>
          </div>
        </>
      ) : null}
    </Page>
  );
}

function CarrierCard({ carrier: c, onRemoved }: { carrier: CarrierView; onRemoved: () => void }) {
  const t = useCarrierStrings();
  const s = useShared();
  const f = useFormat();
  const typeLabel = useTypeLabel();
  const headingId = `carrier-${c.name}`;
  const secrets = Object.entries(c.secrets);
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="settings-card-head">
        <h2 id={headingId}>{c.name}</h2>
        <StatusBadge
          status={c.enabled ? 'approved' : 'paused'}
          label={c.enabled ? s('shared.enabled') : s('shared.disabled')}
        />
        <StatusBadge
          status={c.active ? 'running' : 'scheduled'}
          label={c.active ? t('carriers.sending') : t('carriers.afterRestart')}
        />
      </div>
      <dl className="settings-facts">
        <dt>{t('carriers.type')}</dt>
        <dd>{typeLabel(c.type)}</dd>
        <dt>{t('carriers.source')}</dt>
        <dd>
          {c.source === 'config' ? t('carriers.source.config') : t('carriers.source.database')}
        </dd>
        <dt>{t('carriers.secrets')}</dt>
        <dd>
          {secrets.length === 0 ? (
            s('shared.none')
          ) : (
            <span className="settings-badges">
              {secrets.map(([name, state]) => (
                <span key={name} className={`badge badge-${state === 'set' ? 'good' : 'neutral'}`}>
                  {name}: {state === 'set' ? t('carriers.secret.set') : t('carriers.secret.notSet')}
                </span>
              ))}
            </span>
          )}
        </dd>
        {c.type !== 'simulator' && c.type !== 'smpp' ? (
          <>
            <dt>{t('carriers.receipts')}</dt>
            <dd className="settings-code">{c.webhooks.receipts}</dd>
            <dt>{t('carriers.inbound')}</dt>
            <dd className="settings-code">{c.webhooks.inbound}</dd>
            {c.type === 'tencent' || c.type === 'aliyun' ? (
              <dd className="settings-subtle settings-span">{t('carriers.tokenHint')}</dd>
            ) : null}
          </>
        ) : null}
        {c.updatedAt ? (
          <>
            <dt>{t('carriers.updated')}</dt>
            <dd>
              {t('carriers.updatedBy', { when: f.dateTime(c.updatedAt), who: c.updatedBy ?? '–' })}
            </dd>
          </>
        ) : null}
      </dl>
      <div className="settings-card-foot">
        <Link
          className="settings-button-link"
          to={`/settings/carriers/${encodeURIComponent(c.name)}/edit`}
          aria-label={`${s('shared.edit')} ${c.name}`}
        >
          {s('shared.edit')}
        </Link>
        {c.source === 'database' ? (
          <ConfirmAction
            label={t('carriers.remove')}
            accessibleName={`${t('carriers.remove')} ${c.name}`}
            title={t('carriers.removeTitle', { name: c.name })}
            body={t('carriers.removeBody')}
            confirmLabel={t('carriers.remove')}
            onConfirm={async () => {
              await api.del(`/carriers/${encodeURIComponent(c.name)}`);
              onRemoved();
            }}
          />
        ) : null}
      </div>
    </section>
  );
}
