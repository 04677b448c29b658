/**
 * The routing table: per purpose and destination country, the carriers to try in order. Stored
 * with PUT /v1/carriers/routing and used by each process from its next start.
 */
import { useState } from 'react';
import { Card, DataTable, ErrorNote, Field, Loading, Notice, Page } from '../../../components/ui';
import { api } from '../../../lib/api';
import { useFormat } from '../../../lib/i18n';
import { useApi } from '../../../lib/use-api';
import { ConfirmAction, COUNTRY_CODE, TokenInput, useAction, useCountryName } from '../shared';
import { PURPOSES, useShared } from '../strings';
import type { CarrierView, RouteRule, RoutingInput } from './model';
import { useCarrierStrings } from './strings';

interface Routing {
  routing: RoutingInput | null;
  overriddenByConfig: boolean;
}

export function RoutesPage() {
  const t = useCarrierStrings();
  const routing = useApi<Routing>('/carriers/routing');
  const carriers = useApi<{ items: CarrierView[] }>('/carriers');
  const [notice, setNotice] = useState<string | null>(null);
  const error = routing.error ?? carriers.error;
  return (
    <Page title={t('routes.title')}>
      <p className="settings-lead">{t('routes.intro')}</p>
      <Notice>{t('carriers.restart')}</Notice>
      <ErrorNote
        error={error}
        onRetry={error === routing.error ? routing.reload : carriers.reload}
      />
      {notice ? <Notice>{notice}</Notice> : null}
      {!error && (!routing.data || !carriers.data) ? <Loading /> : null}
      {routing.data && carriers.data ? (
        <RoutesEditor
          key={JSON.stringify(routing.data.routing)}
          stored={routing.data}
          carriers={carriers.data.items}
          onSaved={(message) => {
            setNotice(message);
            routing.reload();
          }}
        />
      ) : null}
    </Page>
  );
}

let nextKey = 1;
interface Row {
  readonly key: number;
  readonly rule: RouteRule;
}

function RoutesEditor({
  stored,
  carriers,
  onSaved,
}: {
  stored: Routing;
  carriers: readonly CarrierView[];
  onSaved: (message: string) => void;
}) {
  const t = useCarrierStrings();
  const s = useShared();
  const [rows, setRows] = useState<Row[]>(() =>
    (stored.routing?.routes ?? []).map((rule) => ({ key: nextKey++, rule })),
  );
  const [missing, setMissing] = useState<ReadonlySet<number>>(new Set());
  const action = useAction();
  const names = ['simulator', ...carriers.filter((c) => c.enabled).map((c) => c.name)];

  const change = (key: number, rule: RouteRule) =>
    setRows((all) => all.map((r) => (r.key === key ? { key, rule } : r)));
  const move = (index: number, by: number) =>
    setRows((all) => {
      const next = [...all];
      const [row] = next.splice(index, 1);
      next.splice(index + by, 0, row!);
      return next;
    });

  const save = async () => {
    const empty = new Set(rows.filter((r) => r.rule.carriers.length === 0).map((r) => r.key));
    setMissing(empty);
    if (empty.size > 0) return;
    const routes = rows.map(({ rule }) => ({
      ...(rule.purpose ? { purpose: rule.purpose } : {}),
      ...(rule.countries && rule.countries.length > 0 ? { countries: rule.countries } : {}),
      carriers: rule.carriers,
      ...(rule.sender ? { sender: rule.sender } : {}),
    }));
    const done = await action.run(() =>
      api.put('/carriers/routing', {
        routes,
        ...(stored.routing?.rates ? { rates: stored.routing.rates } : {}),
      }),
    );
    if (done) onSaved(t('routes.saved'));
  };

  return (
    <>
      {stored.overriddenByConfig ? (
        <div className="error-note" role="alert">
          {t('routes.override')}
        </div>
      ) : null}
      <Card title={t('routes.summary')}>
        <RoutesSummary routes={stored.routing?.routes ?? []} />
      </Card>
      <h2>{t('routes.editTitle')}</h2>
      {rows.map((row, index) => (
        <RouteEditor
          key={row.key}
          n={index + 1}
          rule={row.rule}
          names={names}
          missing={missing.has(row.key)}
          onChange={(rule) => change(row.key, rule)}
          onUp={index > 0 ? () => move(index, -1) : undefined}
          onDown={index < rows.length - 1 ? () => move(index, 1) : undefined}
          onRemove={() => setRows((all) => all.filter((r) => r.key !== row.key))}
        />
      ))}
      {stored.routing?.rates ? (
        <p className="settings-subtle">
          {t('routes.rates')}{' '}
          <code className="settings-code">{JSON.stringify(stored.routing.rates)}</code>
        </p>
      ) : null}
      <ErrorNote error={action.error} />
      <div className="settings-actions">
        <button
          type="button"
          onClick={() => setRows((all) => [...all, { key: nextKey++, rule: { carriers: [] } }])}
        >
          {t('routes.add')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={action.busy}
          onClick={() => void save()}
        >
          {action.busy ? s('shared.saving') : t('routes.save')}
        </button>
        {stored.routing ? (
          <ConfirmAction
            label={t('routes.forget')}
            title={t('routes.forgetTitle')}
            body={t('routes.forgetBody')}
            confirmLabel={t('routes.forget')}
            onConfirm={async () => {
              await api.del('/carriers/routing');
              onSaved(t('routes.forgotten'));
            }}
          />
        ) : null}
      </div>
    </>
  );
}

function RoutesSummary({ routes }: { routes: readonly RouteRule[] }) {
  const t = useCarrierStrings();
  const s = useShared();
  const f = useFormat();
  const country = useCountryName(f.locale);
  return (
    <DataTable
      caption={t('routes.summary')}
      rows={routes.map((rule, i) => ({ rule, n: i + 1 }))}
      rowKey={(r) => r.n}
      empty={t('routes.none')}
      columns={[
        { key: 'n', header: '#', cell: (r) => r.n, align: 'right' },
        {
          key: 'purpose',
          header: t('routes.purpose'),
          cell: (r) =>
            r.rule.purpose
              ? s(`shared.purpose.${r.rule.purpose}` as 'shared.purpose.marketing')
              : t('routes.everyPurpose'),
        },
        {
          key: 'countries',
          header: t('routes.countries'),
          cell: (r) =>
            r.rule.countries?.length ? (
              <span title={r.rule.countries.map(country).join(', ')}>
                {r.rule.countries.join(', ')}
              </span>
            ) : (
              t('routes.everywhere')
            ),
        },
        {
          key: 'carriers',
          header: t('routes.carriers'),
          cell: (r) => (
            <span className="settings-flow">
              {r.rule.carriers.map((c, i) => (
                <span key={c}>
                  {i > 0 ? <span aria-hidden="true">→ </span> : null}
                  <strong>{c}</strong>
                </span>
              ))}
            </span>
          ),
        },
        { key: 'sender', header: t('routes.sender'), cell: (r) => r.rule.sender ?? '–' },
      ]}
    />
  );
}

function RouteEditor({
  n,
  rule,
  names,
  missing,
  onChange,
  onUp,
  onDown,
  onRemove,
}: {
  n: number;
  rule: RouteRule;
  names: readonly string[];
  missing: boolean;
  onChange: (rule: RouteRule) => void;
  onUp?: () => void;
  onDown?: () => void;
  onRemove: () => void;
}) {
  const t = useCarrierStrings();
  const s = useShared();
  const f = useFormat();
  const country = useCountryName(f.locale);
  const heading = t('routes.route', { n });
  const headingId = `route-${n}`;
  const addable = names.filter((name) => !rule.carriers.includes(name));
  const [pick, setPick] = useState('');
  const chosen = addable.includes(pick) ? pick : (addable[0] ?? '');
  const moveCarrier = (index: number, by: number) => {
    const next = [...rule.carriers];
    const [name] = next.splice(index, 1);
    next.splice(index + by, 0, name!);
    onChange({ ...rule, carriers: next });
  };
  return (
    <section className="settings-route" aria-labelledby={headingId}>
      <div className="settings-route-head">
        <h3 id={headingId}>{heading}</h3>
        <button
          type="button"
          className="settings-small-button"
          disabled={!onUp}
          onClick={onUp}
          aria-label={t('routes.moveUp', { item: heading })}
        >
          {t('routes.up')}
        </button>
        <button
          type="button"
          className="settings-small-button"
          disabled={!onDown}
          onClick={onDown}
          aria-label={t('routes.moveDown', { item: heading })}
        >
          {t('routes.down')}
        </button>
        <button
          type="button"
          className="settings-small-button settings-danger-outline"
          onClick={onRemove}
          aria-label={t('routes.removeRoute', { n })}
        >
          {s('shared.remove')}
        </button>
      </div>
      <div className="settings-form">
        <Field label={t('routes.purpose')}>
          {(id) => (
            <select
              id={id}
              value={rule.purpose ?? ''}
              onChange={(e) => onChange({ ...rule, purpose: e.target.value || undefined })}
            >
              <option value="">{t('routes.everyPurpose')}</option>
              {PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {s(`shared.purpose.${p}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('routes.sender')} hint={t('routes.senderHint')}>
          {(id) => (
            <input
              id={id}
              value={rule.sender ?? ''}
              maxLength={32}
              onChange={(e) => onChange({ ...rule, sender: e.target.value || undefined })}
            />
          )}
        </Field>
      </div>
      <TokenInput
        label={t('routes.countries')}
        values={rule.countries ?? []}
        onChange={(countries) => onChange({ ...rule, countries })}
        normalise={(v) => v.trim().toUpperCase()}
        validate={(v) => (COUNTRY_CODE.test(v) ? null : t('routes.countryInvalid'))}
        describe={country}
        placeholder="CN, US"
        hint={t('routes.countriesHint')}
        emptyText={t('routes.everywhere')}
      />
      <fieldset className="settings-fieldset">
        <legend>{t('routes.carriers')}</legend>
        {rule.carriers.length > 0 ? (
          <ol className="settings-order">
            {rule.carriers.map((name, i) => (
              <li key={name}>
                <span className="settings-grow">
                  {names.includes(name) ? name : t('routes.disabledCarrier', { name })}
                </span>
                <button
                  type="button"
                  className="settings-small-button"
                  disabled={i === 0}
                  onClick={() => moveCarrier(i, -1)}
                  aria-label={t('routes.moveUp', { item: name })}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="settings-small-button"
                  disabled={i === rule.carriers.length - 1}
                  onClick={() => moveCarrier(i, 1)}
                  aria-label={t('routes.moveDown', { item: name })}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="settings-small-button"
                  onClick={() =>
                    onChange({ ...rule, carriers: rule.carriers.filter((c) => c !== name) })
                  }
                  aria-label={s('shared.removeItem', { item: name })}
                >
                  ×
                </button>
              </li>
            ))}
          </ol>
        ) : null}
        {missing ? (
          <div className="settings-field-error" role="alert">
            {t('routes.noCarriers')}
          </div>
        ) : null}
        {addable.length > 0 ? (
          <div className="settings-inline">
            <select
              aria-label={t('routes.addCarrier')}
              value={chosen}
              onChange={(e) => setPick(e.target.value)}
            >
              {addable.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <button
              type="button"
              onClick={() => chosen && onChange({ ...rule, carriers: [...rule.carriers, chosen] })}
            >
              {s('shared.add')}
            </button>
          </div>
        ) : null}
      </fieldset>
    </section>
  );
}
