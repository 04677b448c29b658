/**
 * The suppression list: filter by scope and reason, page back in time, check one number, and
 * block or unblock a number with a reason, each confirmed before it is sent (both audited).
 */
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  Card,
  DataTable,
  Dialog,
  ErrorNote,
  Field,
  Loading,
  Notice,
  Page,
  Pager,
  type Column,
} from '../../components/ui';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { CheckNumber } from './CheckNumber';
import { ReasonBadge, ScopeBadge, Time } from './parts';
import { useStrings } from './strings';
import { EMPTY_DRAFT, SuppressionForm, type Draft, type Mode } from './SuppressionForm';
import { SUPPRESSION_REASONS, SUPPRESSION_SCOPES, type Suppression } from './types';

const PAGE_SIZE = 50;

export function SuppressionsPage() {
  const t = useStrings();
  const f = useFormat();
  const [params, setParams] = useSearchParams();
  const scope = params.get('scope') ?? '';
  const reason = params.get('reason') ?? '';
  // The cursors that opened the pages up to this one (each a nextCursor): Previous pops one.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useApi<{ items: Suppression[]; nextCursor: string | null }>('/suppressions', {
    scope,
    reason,
    cursor,
    limit: PAGE_SIZE,
  });
  const [check, setCheck] = useState<{ phone: string; country: string } | null>(null);
  const [dialog, setDialog] = useState<{ mode: Mode; draft: Draft } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // Bumped after a write, so the check of a number asks again.
  const [tick, setTick] = useState(0);

  const setFilter = (name: 'scope' | 'reason', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setCursors([]);
  };

  const columns: Column<Suppression>[] = [
    { key: 'ref', header: t('ref'), cell: (s) => <code>{s.ref}</code> },
    { key: 'scope', header: t('scope'), cell: (s) => <ScopeBadge scope={s.scope} /> },
    { key: 'reason', header: t('reason'), cell: (s) => <ReasonBadge reason={s.reason} /> },
    {
      key: 'note',
      header: t('note'),
      cell: (s) => <span className="compliance-note">{s.note ?? '–'}</span>,
    },
    { key: 'by', header: t('by'), cell: (s) => s.createdBy },
    {
      key: 'since',
      header: t('since'),
      cell: (s) => <Time iso={s.createdAt} format={f.dateTime} />,
    },
  ];

  const items = list.data?.items ?? [];
  const finished = (message: string) => {
    setDialog(null);
    setDone(message);
    list.reload();
    setTick((n) => n + 1);
  };

  return (
    <Page
      title={t('section.suppressions')}
      actions={
        <>
          <button
            type="button"
            className="primary"
            onClick={() => setDialog({ mode: 'block', draft: EMPTY_DRAFT })}
          >
            {t('blockNumber')}
          </button>
          <button type="button" onClick={() => setDialog({ mode: 'unblock', draft: EMPTY_DRAFT })}>
            {t('unblockNumber')}
          </button>
        </>
      }
    >
      <p className="muted compliance-intro">{t('suppressionsIntro')}</p>
      {done ? <Notice>{done}</Notice> : null}

      <CheckNumber
        key={check ? `${check.phone}|${check.country}|${tick}` : 'none'}
        initial={check}
        onCheck={setCheck}
        onUnblock={(phone, country, s) =>
          setDialog({ mode: 'unblock', draft: { ...EMPTY_DRAFT, phone, country, scope: s } })
        }
      />

      <Card title={t('listCaption')}>
        <div className="row compliance-filters" role="group" aria-label={t('filters')}>
          <Field label={t('scope')}>
            {(id) => (
              <select id={id} value={scope} onChange={(e) => setFilter('scope', e.target.value)}>
                <option value="">{t('anyValue')}</option>
                {SUPPRESSION_SCOPES.map((s) => (
                  <option key={s} value={s}>
                    {t(`scope.${s}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('reason')}>
            {(id) => (
              <select id={id} value={reason} onChange={(e) => setFilter('reason', e.target.value)}>
                <option value="">{t('anyValue')}</option>
                {SUPPRESSION_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`reason.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ErrorNote error={list.error} onRetry={list.reload} />
        {list.loading && !list.data ? (
          <Loading />
        ) : (
          <DataTable
            columns={columns}
            rows={items}
            rowKey={(s) => `${s.ref}-${s.scope}`}
            caption={t('listTable')}
            empty={t('emptyList')}
          />
        )}
        <Pager
          onPrevious={cursors.length > 0 ? () => setCursors(cursors.slice(0, -1)) : null}
          onNext={
            list.data?.nextCursor ? () => setCursors([...cursors, list.data!.nextCursor!]) : null
          }
        />
      </Card>

      <Dialog
        open={dialog !== null}
        title={dialog?.mode === 'unblock' ? t('unblockNumber') : t('blockNumber')}
        onClose={() => setDialog(null)}
      >
        {dialog ? (
          <SuppressionForm
            mode={dialog.mode}
            initial={dialog.draft}
            onDone={(created) =>
              finished(
                dialog.mode === 'unblock'
                  ? t('unblocked')
                  : created
                    ? t('blocked')
                    : t('alreadyBlocked'),
              )
            }
            onCancel={() => setDialog(null)}
          />
        ) : null}
      </Dialog>
    </Page>
  );
}
