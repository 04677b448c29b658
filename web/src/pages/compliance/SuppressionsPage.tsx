/**
 * The suppression list: filter by scope and reason, page back in time, check one number, and
 * block or unblock a number with a reason, each confirmed before it is sent (both audited).
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
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
import { api } from '../../lib/api';
import { useFormat } from '../../lib/i18n';
import { useCommon } from '../../lib/strings';
import { useApi } from '../../lib/use-api';
import {
  FieldError,
  PhoneFields,
  ReasonBadge,
  ScopeBadge,
  Time,
  countryOk,
  countryValue,
  looksLikePhone,
  useAction,
} from './parts';
import { useStrings } from './strings';
import {
  BLOCK_REASONS,
  SUPPRESSION_REASONS,
  SUPPRESSION_SCOPES,
  type Suppression,
  type SuppressionReason,
  type SuppressionScope,
} from './types';

const PAGE_SIZE = 50;

type Mode = 'block' | 'unblock';

interface Draft {
  phone: string;
  country: string;
  scope: SuppressionScope;
  reason: SuppressionReason;
  note: string;
}

const EMPTY: Draft = { phone: '', country: '', scope: 'all', reason: 'blocklist', note: '' };

export function SuppressionsPage() {
  const t = useStrings();
  const f = useFormat();
  const [params, setParams] = useSearchParams();
  const scope = params.get('scope') ?? '';
  const reason = params.get('reason') ?? '';
  // Cursors of the pages before this one (createdAt of their last row): Previous pops one.
  const [cursors, setCursors] = useState<string[]>([]);
  const before = cursors[cursors.length - 1];
  const list = useApi<{ items: Suppression[] }>('/suppressions', {
    scope,
    reason,
    before,
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
            onClick={() => setDialog({ mode: 'block', draft: EMPTY })}
          >
            {t('blockNumber')}
          </button>
          <button type="button" onClick={() => setDialog({ mode: 'unblock', draft: EMPTY })}>
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
          setDialog({ mode: 'unblock', draft: { ...EMPTY, phone, country, scope: s } })
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
            items.length === PAGE_SIZE
              ? () => setCursors([...cursors, items[items.length - 1]!.createdAt])
              : null
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

/** Looks one number up on the list; each of its suppressions can be lifted from here. */
function CheckNumber({
  initial,
  onCheck,
  onUnblock,
}: {
  initial: { phone: string; country: string } | null;
  onCheck: (v: { phone: string; country: string } | null) => void;
  onUnblock: (phone: string, country: string, scope: SuppressionScope) => void;
}) {
  const t = useStrings();
  const f = useFormat();
  const [phone, setPhone] = useState(initial?.phone ?? '');
  const [country, setCountry] = useState(initial?.country ?? '');
  const [errors, setErrors] = useState<{ phone?: string; country?: string }>({});
  const found = useApi<{ items: Suppression[] }>(
    initial ? '/suppressions' : null,
    initial ? { phone: initial.phone, country: countryValue(initial.country) } : undefined,
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs = {
      ...(looksLikePhone(phone) ? {} : { phone: t('err.phone') }),
      ...(countryOk(country) ? {} : { country: t('err.country') }),
    };
    setErrors(errs);
    if (Object.keys(errs).length === 0) onCheck({ phone: phone.trim(), country });
  };

  const columns: Column<Suppression>[] = [
    { key: 'scope', header: t('scope'), cell: (s) => <ScopeBadge scope={s.scope} /> },
    { key: 'reason', header: t('reason'), cell: (s) => <ReasonBadge reason={s.reason} /> },
    { key: 'note', header: t('note'), cell: (s) => s.note ?? '–' },
    {
      key: 'since',
      header: t('since'),
      cell: (s) => <Time iso={s.createdAt} format={f.dateTime} />,
    },
    {
      key: 'act',
      header: <span className="sr-only">{t('unblock')}</span>,
      cell: (s) => (
        <button
          type="button"
          onClick={() => initial && onUnblock(initial.phone, initial.country, s.scope)}
        >
          {t('unblock')}
        </button>
      ),
    },
  ];

  return (
    <Card title={t('checkTitle')}>
      <form className="compliance-inline" onSubmit={submit} noValidate>
        <PhoneFields
          phone={phone}
          country={country}
          onPhone={setPhone}
          onCountry={setCountry}
          errors={errors}
        />
        <div className="compliance-inline-actions">
          <button type="submit">{t('check')}</button>
          {initial ? (
            <button type="button" className="link" onClick={() => onCheck(null)}>
              {t('clear')}
            </button>
          ) : null}
        </div>
      </form>
      {initial ? (
        <>
          <ErrorNote error={found.error} />
          {found.loading ? <Loading /> : null}
          {found.data ? (
            <DataTable
              columns={columns}
              rows={found.data.items}
              rowKey={(s) => s.scope}
              caption={t('checkCaption')}
              empty={t('checkNone')}
            />
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

/** Fill in, review, confirm: nothing is sent before the second click. */
function SuppressionForm({
  mode,
  initial,
  onDone,
  onCancel,
}: {
  mode: Mode;
  initial: Draft;
  onDone: (created: boolean) => void;
  onCancel: () => void;
}) {
  const t = useStrings();
  const common = useCommon();
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<{ phone?: string; country?: string; note?: string }>({});
  const [reviewing, setReviewing] = useState(false);
  const action = useAction();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const review = (e: FormEvent) => {
    e.preventDefault();
    const errs = {
      ...(looksLikePhone(draft.phone) ? {} : { phone: t('err.phone') }),
      ...(countryOk(draft.country) ? {} : { country: t('err.country') }),
      ...(draft.note.trim().length >= 3 ? {} : { note: t('err.note') }),
    };
    setErrors(errs);
    if (Object.keys(errs).length === 0) setReviewing(true);
  };

  const confirm = async () => {
    const body = {
      phone: draft.phone.trim(),
      country: countryValue(draft.country),
      scope: draft.scope,
      note: draft.note.trim(),
    };
    const changed = await action.run(async () =>
      mode === 'block'
        ? (await api.post<{ created: boolean }>('/suppressions', { ...body, reason: draft.reason }))
            .created
        : (await api.post<{ removed: boolean }>('/suppressions/unblock', body)).removed,
    );
    if (changed !== undefined) onDone(changed);
  };

  if (reviewing) {
    const summary =
      mode === 'block'
        ? t('blockSummary', {
            phone: draft.phone.trim(),
            scope: t(`scope.${draft.scope}`),
            reason: t(`reason.${draft.reason}`),
          })
        : t('unblockSummary', { phone: draft.phone.trim(), scope: t(`scope.${draft.scope}`) });
    return (
      <div className="compliance-confirm">
        <p className="compliance-summary">{summary}</p>
        <blockquote className="compliance-quote">{draft.note.trim()}</blockquote>
        <p className="muted">{t('confirmHint')}</p>
        <ErrorNote error={action.error} />
        <div className="compliance-buttons">
          <button type="button" onClick={() => setReviewing(false)} disabled={action.busy}>
            {t('back')}
          </button>
          <button
            type="button"
            className={mode === 'block' ? 'danger' : 'primary'}
            onClick={() => void confirm()}
            disabled={action.busy}
          >
            {mode === 'block' ? t('confirmBlock') : t('confirmUnblock')}
          </button>
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={review} noValidate>
      <PhoneFields
        phone={draft.phone}
        country={draft.country}
        onPhone={(v) => set('phone', v)}
        onCountry={(v) => set('country', v)}
        errors={errors}
      />
      <div className="row">
        <Field label={t('scope')}>
          {(id) => (
            <select
              id={id}
              value={draft.scope}
              onChange={(e) => set('scope', e.target.value as SuppressionScope)}
            >
              {SUPPRESSION_SCOPES.map((s) => (
                <option key={s} value={s}>
                  {t(`scope.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {mode === 'block' ? (
          <Field label={t('reason')}>
            {(id) => (
              <select
                id={id}
                value={draft.reason}
                onChange={(e) => set('reason', e.target.value as SuppressionReason)}
              >
                {BLOCK_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`reason.${r}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
      </div>
      <Field label={mode === 'block' ? t('blockNote') : t('unblockNote')}>
        {(id) => (
          <>
            <textarea
              id={id}
              maxLength={500}
              value={draft.note}
              onChange={(e) => set('note', e.target.value)}
              aria-invalid={errors.note ? true : undefined}
              aria-describedby={errors.note ? `${id}-err` : undefined}
            />
            <FieldError id={`${id}-err`} message={errors.note} />
          </>
        )}
      </Field>
      <div className="compliance-buttons">
        <button type="button" onClick={onCancel}>
          {common('cancel')}
        </button>
        <button type="submit" className="primary">
          {t('review')}
        </button>
      </div>
    </form>
  );
}
