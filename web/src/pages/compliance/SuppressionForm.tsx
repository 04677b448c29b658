/** Blocking or unblocking a number: fill in, review, confirm (both audited by the API). */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorNote, Field } from '../../components/ui';
import { api } from '../../lib/api';
import { useCommon } from '../../lib/strings';
import {
  FieldError,
  PhoneFields,
  countryOk,
  countryValue,
  looksLikePhone,
  useAction,
} from './parts';
import { useStrings } from './strings';
import {
  BLOCK_REASONS,
  SUPPRESSION_SCOPES,
  type SuppressionReason,
  type SuppressionScope,
} from './types';

export type Mode = 'block' | 'unblock';

export interface Draft {
  phone: string;
  country: string;
  scope: SuppressionScope;
  reason: SuppressionReason;
  note: string;
}

export const EMPTY_DRAFT: Draft = {
  phone: '',
  country: '',
  scope: 'all',
  reason: 'blocklist',
  note: '',
};

/** Fill in, review, confirm: nothing is sent before the second click. */
export function SuppressionForm({
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
