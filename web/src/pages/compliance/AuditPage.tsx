/**
 * The audit log: the chain's verification as a badge (intact, or the first broken row), and the
 * entries newest first, filtered by who, what and when, paged back with the API's cursor.
 */
import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import {
  Card,
  DataTable,
  ErrorNote,
  Field,
  Loading,
  Page,
  Pager,
  type Column,
} from '../../components/ui';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { Badge, Time } from './parts';
import { plural, useStrings } from './strings';
import type { AuditEntry, AuditPage as AuditAnswer, AuditVerification } from './types';

const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 50;
const FILTERS = ['actor', 'action', 'since', 'until'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** A datetime-local value (local wall time) as an instant; empty stays empty. */
const instant = (local: string) => {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

export function AuditPage() {
  const t = useStrings();
  const f = useFormat();
  const [params, setParams] = useSearchParams();
  const applied: Filters = {
    actor: params.get('actor') ?? '',
    action: params.get('action') ?? '',
    since: params.get('since') ?? '',
    until: params.get('until') ?? '',
  };
  const [draft, setDraft] = useState<Filters>(applied);
  const [cursors, setCursors] = useState<number[]>([]);
  const asked = Number(params.get('limit'));
  const pageSize = (PAGE_SIZES as readonly number[]).includes(asked) ? asked : DEFAULT_PAGE_SIZE;
  const verify = useApi<AuditVerification>('/audit/verify');
  const log = useApi<AuditAnswer>('/audit', {
    actor: applied.actor,
    action: applied.action,
    since: instant(applied.since),
    until: instant(applied.until),
    before: cursors[cursors.length - 1],
    limit: pageSize,
  });
  const items = useMemo(() => log.data?.items ?? [], [log.data]);
  // Suggestions come from what the log shows, so they never drift from the server's actions.
  const seen = useMemo(
    () => ({
      actors: [...new Set(items.map((e) => e.actor))].sort(),
      actions: [...new Set(items.map((e) => e.action))].sort(),
    }),
    [items],
  );

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const k of FILTERS) if (draft[k].trim()) next.set(k, draft[k].trim());
    if (params.get('limit')) next.set('limit', params.get('limit')!);
    setParams(next, { replace: true });
    setCursors([]);
  };
  const clear = () => {
    setDraft({ actor: '', action: '', since: '', until: '' });
    setParams(new URLSearchParams(), { replace: true });
    setCursors([]);
  };
  const setPageSize = (size: string) => {
    const next = new URLSearchParams(params);
    next.set('limit', size);
    setParams(next, { replace: true });
    setCursors([]);
  };

  const columns: Column<AuditEntry>[] = [
    { key: 'seq', header: t('seq'), cell: (e) => e.seq, align: 'right' },
    { key: 'at', header: t('at'), cell: (e) => <Time iso={e.at} format={f.dateTime} /> },
    { key: 'actor', header: t('actor'), cell: (e) => e.actor },
    { key: 'action', header: t('action'), cell: (e) => <code>{e.action}</code> },
    { key: 'target', header: t('target'), cell: (e) => e.target ?? '–' },
    { key: 'details', header: t('details'), cell: (e) => <Details value={e.details} /> },
    { key: 'ip', header: t('ip'), cell: (e) => e.ip ?? '–' },
  ];

  const input = (name: (typeof FILTERS)[number], label: string, hint?: string, list?: string[]) => (
    <Field label={label} hint={hint}>
      {(id) => (
        <>
          <input
            id={id}
            type={name === 'since' || name === 'until' ? 'datetime-local' : 'text'}
            autoComplete="off"
            list={list ? `${id}-list` : undefined}
            value={draft[name]}
            onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
          />
          {list ? (
            <datalist id={`${id}-list`}>
              {list.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
          ) : null}
        </>
      )}
    </Field>
  );

  return (
    <Page title={t('section.audit')}>
      <p className="muted compliance-intro">{t('auditIntro')}</p>
      <ChainBadge verify={verify.data} error={verify.error} loading={verify.loading} />

      <Card title={t('auditCaption')}>
        <form className="compliance-filters row" onSubmit={apply} aria-label={t('filters')}>
          {input('actor', t('actor'), t('actorHint'), seen.actors)}
          {input('action', t('action'), t('actionHint'), seen.actions)}
          {input('since', t('from'))}
          {input('until', t('until'))}
          <div className="compliance-inline-actions">
            <button type="submit" className="primary">
              {t('apply')}
            </button>
            <button type="button" onClick={clear}>
              {t('clear')}
            </button>
          </div>
        </form>
        <ErrorNote error={log.error} onRetry={log.reload} />
        {log.loading && !log.data ? (
          <Loading />
        ) : (
          <DataTable
            columns={columns}
            rows={items}
            rowKey={(e) => e.seq}
            caption={t('auditTable')}
            empty={t('emptyAudit')}
          />
        )}
        <div className="compliance-paging">
          <Field label={t('pageSize')}>
            {(id) => (
              <select id={id} value={pageSize} onChange={(e) => setPageSize(e.target.value)}>
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Pager
            onPrevious={cursors.length > 0 ? () => setCursors(cursors.slice(0, -1)) : null}
            onNext={
              log.data?.nextBefore ? () => setCursors([...cursors, log.data!.nextBefore!]) : null
            }
          />
        </div>
      </Card>
    </Page>
  );
}

function ChainBadge({
  verify,
  error,
  loading,
}: {
  verify: AuditVerification | null;
  error: Error | null;
  loading: boolean;
}) {
  const t = useStrings();
  const f = useFormat();
  if (error) return <ErrorNote error={error} />;
  if (!verify) return loading ? <p className="muted">{t('verifying')}</p> : null;
  return (
    <div
      className={`compliance-chain ${verify.ok ? 'compliance-chain-ok' : 'compliance-chain-bad'}`}
      role="status"
    >
      <Badge tone={verify.ok ? 'good' : 'bad'}>
        {verify.ok ? t('chainIntact') : t('chainBroken')}
      </Badge>
      <span>{plural(t, 'chainRows', verify.rows, { formatted: f.number(verify.rows) })}</span>
      {verify.firstBad ? (
        <strong>
          {t('chainFirstBad', {
            seq: verify.firstBad.seq,
            problem: verify.firstBad.problem,
            detail: verify.firstBad.detail,
          })}
        </strong>
      ) : null}
    </div>
  );
}

/** A row's details: a short line, the whole JSON on demand. */
function Details({ value }: { value: unknown }) {
  const t = useStrings();
  if (value === null || value === undefined) return <>–</>;
  const text = JSON.stringify(value);
  if (text === '{}') return <>–</>;
  if (text.length <= 60) return <code className="compliance-details">{text}</code>;
  return (
    <details className="compliance-details">
      <summary>
        <code>{text.slice(0, 48)}…</code> <span className="sr-only">{t('showDetails')}</span>
      </summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
