/**
 * The message log: filters kept in the address (so a filtered view can be shared and the back
 * button works), newest first, keyset paging with `before`. Numbers come masked from the API.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  Card,
  DataTable,
  ErrorNote,
  Field,
  Loading,
  Page,
  Pager,
  StatusBadge,
  type Column,
} from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import {
  DECISION_REASONS,
  MESSAGE_STATUSES,
  PURPOSES,
  useLabels,
  type MessagePage,
  type MessageView,
} from './labels';
import { useMessageStrings } from './strings';

/** The filters the log reads from the address, in the API's own names. */
const FILTERS = ['status', 'purpose', 'reason', 'campaignId', 'carrier', 'since', 'until'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** `datetime-local` value (local wall time) ⇄ ISO instant. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : '');
function toLocal(iso: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function filtersOf(params: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Filters;
}

export function MessageLog() {
  const t = useMessageStrings();
  const [params, setParams] = useSearchParams();
  const applied = filtersOf(params);
  const before = params.get('before') ?? '';
  // Cursors of the pages before this one, to go back (the API pages forward only).
  const [trail, setTrail] = useState<string[]>([]);
  const query = { ...applied, before, limit: 25 };
  const { data, error, loading, reload } = useApi<MessagePage>('/messages', query);
  const filtered = FILTERS.some((f) => applied[f] !== '');

  const apply = (next: Filters) => {
    setTrail([]);
    const search = new URLSearchParams();
    for (const f of FILTERS) if (next[f]) search.set(f, next[f]);
    setParams(search);
  };
  const goTo = (cursor: string) => {
    const search = new URLSearchParams(params);
    if (cursor) search.set('before', cursor);
    else search.delete('before');
    setParams(search);
  };

  return (
    <Page title={t('title')}>
      <FilterForm key={params.toString()} initial={applied} onApply={apply} />
      <Card className="messages-results">
        <ErrorNote error={error} onRetry={reload} />
        {!data && loading ? <Loading /> : null}
        {data ? (
          <>
            <MessageTable rows={data.items} empty={filtered ? t('none') : t('noneYet')} />
            <Pager
              onPrevious={
                before
                  ? () => {
                      const previous = trail.at(-1) ?? '';
                      setTrail(trail.slice(0, -1));
                      goTo(previous);
                    }
                  : null
              }
              onNext={
                data.nextBefore
                  ? () => {
                      setTrail([...trail, before]);
                      goTo(String(data.nextBefore));
                    }
                  : null
              }
            />
          </>
        ) : null}
      </Card>
    </Page>
  );
}

function FilterForm({ initial, onApply }: { initial: Filters; onApply: (f: Filters) => void }) {
  const t = useMessageStrings();
  const labels = useLabels();
  const [f, setF] = useState<Filters>({
    ...initial,
    since: toLocal(initial.since),
    until: toLocal(initial.until),
  });
  const [invalid, setInvalid] = useState(false);
  const set = (key: keyof Filters) => (value: string) => setF({ ...f, [key]: value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const since = toIso(f.since);
    const until = toIso(f.until);
    if (since && until && since >= until) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    onApply({ ...f, reason: f.reason.trim(), carrier: f.carrier.trim(), since, until });
  };
  const clear = () => {
    const empty = Object.fromEntries(FILTERS.map((k) => [k, ''])) as Filters;
    setF(empty);
    setInvalid(false);
    onApply(empty);
  };

  return (
    <form className="card messages-filters" onSubmit={submit} aria-label={t('filters')}>
      <div className="messages-filter-grid">
        <Field label={t('status')}>
          {(id) => (
            <select id={id} value={f.status} onChange={(e) => set('status')(e.target.value)}>
              <option value="">{t('anyStatus')}</option>
              {MESSAGE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {labels.status(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('purpose')}>
          {(id) => (
            <select id={id} value={f.purpose} onChange={(e) => set('purpose')(e.target.value)}>
              <option value="">{t('anyPurpose')}</option>
              {PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {labels.purpose(p)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="messages-filter-wide">
          <Field label={t('reason')} hint={t('reasonHint')}>
            {(id) => (
              <>
                <input
                  id={id}
                  list={`${id}-list`}
                  value={f.reason}
                  maxLength={64}
                  autoComplete="off"
                  onChange={(e) => set('reason')(e.target.value)}
                />
                <datalist id={`${id}-list`}>
                  {DECISION_REASONS.map((r) => (
                    <option key={r} value={r}>
                      {labels.reason(r)}
                    </option>
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
        <Field label={t('campaign')}>
          {(id) => (
            <input
              id={id}
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              value={f.campaignId}
              onChange={(e) => set('campaignId')(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('carrier')}>
          {(id) => (
            <input
              id={id}
              value={f.carrier}
              maxLength={64}
              autoComplete="off"
              onChange={(e) => set('carrier')(e.target.value)}
            />
          )}
        </Field>
        <div className="messages-filter-wide">
          <Field label={t('from')}>
            {(id) => (
              <input
                id={id}
                type="datetime-local"
                value={f.since}
                onChange={(e) => set('since')(e.target.value)}
                aria-invalid={invalid || undefined}
              />
            )}
          </Field>
        </div>
        <div className="messages-filter-wide">
          <Field label={t('to')}>
            {(id) => (
              <input
                id={id}
                type="datetime-local"
                value={f.until}
                onChange={(e) => set('until')(e.target.value)}
                aria-invalid={invalid || undefined}
                aria-describedby={invalid ? 'messages-range-error' : undefined}
              />
            )}
          </Field>
        </div>
        <div className="row messages-filter-actions">
          <button type="submit" className="primary">
            {t('apply')}
          </button>
          <button type="button" onClick={clear}>
            {t('clear')}
          </button>
        </div>
      </div>
      {invalid ? (
        <p className="messages-invalid" id="messages-range-error" role="alert">
          {t('invalidRange')}
        </p>
      ) : null}
    </form>
  );
}

export function MessageTable({
  rows,
  empty,
  compact = false,
}: {
  rows: readonly MessageView[];
  empty: string;
  compact?: boolean;
}) {
  const t = useMessageStrings();
  const labels = useLabels();
  const fmt = useFormat();
  const { can } = useAuth();
  const columns: Column<MessageView>[] = [
    {
      key: 'id',
      header: t('id'),
      cell: (m) => (
        <Link to={`/messages/${m.id}`} aria-label={t('openMessage', { id: m.id })}>
          {m.id}
        </Link>
      ),
    },
    {
      key: 'created',
      header: t('created'),
      cell: (m) => (
        <time className="messages-when" dateTime={m.createdAt}>
          {new Date(m.createdAt).toLocaleString(fmt.locale, {
            dateStyle: 'short',
            timeStyle: 'short',
          })}
        </time>
      ),
    },
    {
      key: 'to',
      header: t('recipient'),
      cell: (m) => <span className="messages-phone">{m.to ?? t('erased')}</span>,
    },
    {
      key: 'purpose',
      header: t('purpose'),
      cell: (m) => (
        <>
          {labels.purpose(m.purpose)}
          {m.kind !== 'api' ? <span className="messages-kind">{labels.kind(m.kind)}</span> : null}
        </>
      ),
    },
    {
      key: 'status',
      header: t('status'),
      cell: (m) => <StatusBadge status={m.status} label={labels.status(m.status)} />,
    },
    {
      key: 'reason',
      header: t('reasonCol'),
      cell: (m) =>
        m.errorCode ? (
          <span title={m.errorCode}>{labels.reason(m.errorCode)}</span>
        ) : (
          <span className="muted">–</span>
        ),
    },
  ];
  if (!compact) {
    columns.push(
      { key: 'carrier', header: t('carrierCol'), cell: (m) => m.carrier ?? '–' },
      {
        key: 'campaign',
        header: t('campaignCol'),
        cell: (m) =>
          m.campaignId === null ? (
            '–'
          ) : can('campaigns:read') ? (
            <Link to={`/campaigns/${m.campaignId}`}>{t('campaignLink', { id: m.campaignId })}</Link>
          ) : (
            t('campaignLink', { id: m.campaignId })
          ),
      },
    );
  }
  return (
    <DataTable
      columns={columns}
      rows={rows}
      rowKey={(m) => m.id}
      caption={t('caption')}
      empty={empty}
    />
  );
}
