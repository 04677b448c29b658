/**
 * Abuse protection: the destination countries each kind of stranger-triggered SMS may go to,
 * and the attempts the pumping guard refused recently (numbers masked), by reason.
 */
import { useState } from 'react';
import { SeriesChart } from '../../../components/charts';
import {
  Card,
  DataTable,
  ErrorNote,
  Field,
  Loading,
  Notice,
  Page,
  Pager,
  Stat,
  StatusBadge,
} from '../../../components/ui';
import { api } from '../../../lib/api';
import { useFormat } from '../../../lib/i18n';
import { useApi } from '../../../lib/use-api';
import { ConfirmAction, COUNTRY_CODE, TokenInput, useAction, useCountryName } from '../shared';
import { useShared } from '../strings';
import { PUMPING_REASONS, SEND_KINDS, useAbuseStrings } from './strings';

interface GeoView {
  kind: string;
  countries: string[];
  source: 'default' | 'custom';
}

interface Blocked {
  id: number;
  at: string;
  kind: string;
  reason: string;
  country: string;
  phone: string;
  ip: string | null;
}

export function useKindLabel() {
  const t = useAbuseStrings();
  return (kind: string) =>
    (SEND_KINDS as readonly string[]).includes(kind)
      ? t(`abuse.kind.${kind}` as 'abuse.kind.one_time_code')
      : kind;
}

export function useReasonLabel() {
  const t = useAbuseStrings();
  return (reason: string) =>
    (PUMPING_REASONS as readonly string[]).includes(reason)
      ? t(`reason.${reason}` as 'reason.spend_cap')
      : reason;
}

export function AbusePage() {
  const t = useAbuseStrings();
  const geo = useApi<{ items: GeoView[] }>('/abuse/geo-permissions');
  const [notice, setNotice] = useState<string | null>(null);
  const saved = (message: string) => {
    setNotice(message);
    geo.reload();
  };
  return (
    <Page title={t('abuse.title')}>
      <p className="settings-lead">{t('abuse.intro')}</p>
      <ErrorNote error={geo.error} onRetry={geo.reload} />
      {geo.loading && !geo.data ? <Loading /> : null}
      {geo.data ? (
        <section aria-labelledby="abuse-geo">
          <h2 id="abuse-geo">{t('abuse.geo')}</h2>
          {notice ? <Notice>{notice}</Notice> : null}
          <div className="settings-cards">
            {geo.data.items.map((g) => (
              <GeoCard key={`${g.kind}.${g.countries.join()}`} geo={g} onSaved={saved} />
            ))}
          </div>
        </section>
      ) : null}
      <BlockedAttempts />
    </Page>
  );
}

function GeoCard({ geo, onSaved }: { geo: GeoView; onSaved: (message: string) => void }) {
  const t = useAbuseStrings();
  const s = useShared();
  const f = useFormat();
  const country = useCountryName(f.locale);
  const kindLabel = useKindLabel();
  const [countries, setCountries] = useState(geo.countries);
  const action = useAction();
  const kind = kindLabel(geo.kind);
  const headingId = `geo-${geo.kind}`;
  const changed = countries.join() !== geo.countries.join();
  const save = async () => {
    const answer = await action.run(() =>
      api.put<GeoView>(`/abuse/geo-permissions/${geo.kind}`, { countries }),
    );
    if (answer) onSaved(t('abuse.saved', { kind, n: answer.countries.length }));
  };
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="settings-card-head">
        <h3 id={headingId}>{kind}</h3>
        <StatusBadge
          status={geo.source === 'custom' ? 'scheduled' : 'draft'}
          label={t(`abuse.source.${geo.source}`)}
        />
        <span className="settings-subtle">{t('abuse.count', { n: geo.countries.length })}</span>
      </div>
      {geo.source === 'default' ? (
        <p className="settings-subtle">{t('abuse.defaultHint')}</p>
      ) : null}
      <TokenInput
        label={`${t('abuse.countries')} · ${kind}`}
        values={countries}
        onChange={setCountries}
        normalise={(v) => v.trim().toUpperCase()}
        validate={(v) => (COUNTRY_CODE.test(v) ? null : t('abuse.countryInvalid'))}
        describe={country}
        placeholder="BR, MX"
        hint={t('abuse.countriesHint')}
      />
      <ErrorNote error={action.error} />
      <div className="settings-card-foot">
        <button
          type="button"
          className="primary"
          disabled={!changed || action.busy}
          aria-label={t('abuse.saveOf', { kind })}
          onClick={() => void save()}
        >
          {action.busy ? s('shared.saving') : t('abuse.save')}
        </button>
        {geo.source === 'custom' ? (
          <ConfirmAction
            label={t('abuse.reset')}
            accessibleName={t('abuse.resetOf', { kind })}
            danger={false}
            title={t('abuse.resetTitle', { kind })}
            body={t('abuse.resetBody')}
            onConfirm={async () => {
              const answer = await api.del<GeoView>(`/abuse/geo-permissions/${geo.kind}`);
              onSaved(t('abuse.saved', { kind, n: answer.countries.length }));
            }}
          />
        ) : null}
      </div>
    </section>
  );
}

function BlockedAttempts() {
  const t = useAbuseStrings();
  const f = useFormat();
  const kindLabel = useKindLabel();
  const reasonLabel = useReasonLabel();
  const country = useCountryName(f.locale);
  const [kind, setKind] = useState('');
  const [reason, setReason] = useState('');
  const [before, setBefore] = useState<number[]>([]);
  const blocked = useApi<{ items: Blocked[]; nextBefore: number | null }>('/abuse/blocked', {
    limit: 50,
    kind,
    reason,
    before: before.at(-1),
  });
  const items = blocked.data?.items ?? [];
  const byReason = PUMPING_REASONS.map((r) => ({
    reason: reasonLabel(r),
    count: items.filter((b) => b.reason === r).length,
  })).filter((r) => r.count > 0);
  const top = [...byReason].sort((a, b) => b.count - a.count)[0];
  const filter = (set: (v: string) => void) => (v: string) => {
    set(v);
    setBefore([]);
  };
  return (
    <Card title={t('abuse.blocked')}>
      <p className="hint">{t('abuse.blockedHint')}</p>
      <div className="settings-inline">
        <Field label={t('abuse.kind')}>
          {(id) => (
            <select id={id} value={kind} onChange={(e) => filter(setKind)(e.target.value)}>
              <option value="">{t('abuse.allKinds')}</option>
              {SEND_KINDS.map((k) => (
                <option key={k} value={k}>
                  {kindLabel(k)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('abuse.reason')}>
          {(id) => (
            <select id={id} value={reason} onChange={(e) => filter(setReason)(e.target.value)}>
              <option value="">{t('abuse.allReasons')}</option>
              {PUMPING_REASONS.map((r) => (
                <option key={r} value={r}>
                  {reasonLabel(r)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={blocked.error} onRetry={blocked.reload} />
      {blocked.loading && !blocked.data ? <Loading /> : null}
      {blocked.data ? (
        <>
          {items.length > 0 ? (
            <>
              <div className="stats">
                <Stat label={t('abuse.stat.shown')} value={items.length} />
                <Stat
                  label={t('abuse.stat.countries')}
                  value={new Set(items.map((b) => b.country)).size}
                />
                <Stat label={t('abuse.stat.top')} value={top?.reason ?? '–'} />
              </div>
              <SeriesChart
                kind="bar"
                data={byReason}
                xKey="reason"
                series={[{ key: 'count', label: t('abuse.attempts') }]}
                label={t('abuse.byReason')}
                height={200}
              />
            </>
          ) : null}
          <DataTable
            caption={t('abuse.blocked')}
            rows={items}
            rowKey={(b) => b.id}
            empty={t('abuse.empty')}
            columns={[
              {
                key: 'at',
                header: t('abuse.when'),
                cell: (b) => <span className="settings-nowrap">{f.dateTime(b.at)}</span>,
              },
              { key: 'kind', header: t('abuse.kind'), cell: (b) => kindLabel(b.kind) },
              {
                key: 'reason',
                header: t('abuse.reason'),
                cell: (b) => <StatusBadge status="blocked" label={reasonLabel(b.reason)} />,
              },
              {
                key: 'country',
                header: t('abuse.country'),
                cell: (b) => <span title={country(b.country)}>{b.country}</span>,
              },
              {
                key: 'phone',
                header: t('abuse.number'),
                cell: (b) => <span className="settings-mono settings-nowrap">{b.phone}</span>,
              },
              { key: 'ip', header: t('abuse.ip'), cell: (b) => b.ip ?? '–' },
            ]}
          />
          {before.length > 0 || blocked.data.nextBefore !== null ? (
            <Pager
              onPrevious={before.length > 0 ? () => setBefore((b) => b.slice(0, -1)) : null}
              onNext={
                blocked.data.nextBefore !== null
                  ? () => setBefore((b) => [...b, blocked.data!.nextBefore!])
                  : null
              }
            />
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
