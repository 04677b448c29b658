/**
 * One variant in the composer: its text with a live counter (encoding, characters, segments,
 * the characters that forced UCS-2), the policy pack's findings with their fixes one click away,
 * and a preview of the text as one chosen contact would receive it.
 */
import { useId, useState } from 'react';
import { ErrorNote, StatusBadge } from '../../components/ui';
import { api } from '../../lib/api';
import { useFormat } from '../../lib/i18n';
import type { SampleContact } from '../segments/api';
import { NumberInput } from '../segments/controls';
import type { VariantDraft } from './draft';
import { useCampaignStrings } from './strings';
import type { InspectAnswer, LintAnswer, Purpose, TemplatePreview } from './types';
import { useLivePost, type LiveAnswer } from './use-live-post';

const SEVERITY_TONE = { error: 'failed', warning: 'deferred', info: 'sent' } as const;

interface Props {
  variant: VariantDraft;
  many: boolean;
  onChange: (patch: Partial<VariantDraft>) => void;
  onRemove: (() => void) | null;
  purpose: Purpose;
  brand: string;
  country: string;
  contacts: readonly SampleContact[];
  problems: { body?: string; weight?: string };
}

function Counter({ live, label }: { live: LiveAnswer<InspectAnswer>; label: string }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const i = live.data?.inspection;
  return (
    <div className="campaigns-counter" aria-busy={live.pending}>
      <div role="status" aria-live="polite" aria-label={label} className="campaigns-counter-line">
        {i ? (
          <>
            <StatusBadge
              status={i.encoding === 'GSM-7' ? 'delivered' : 'deferred'}
              label={i.encoding}
            />
            <span>{t('characters' as 'characters_other', { count: i.characters })}</span>
            <span aria-hidden="true">·</span>
            <strong className="campaigns-segments">
              {t('segments' as 'segments_other', { count: i.segments })}
            </strong>
            <span aria-hidden="true">·</span>
            <span className="muted">
              {t('leftInSegment', {
                left: fmt.number(i.remainingInSegment),
                per: fmt.number(i.perSegment),
              })}
            </span>
          </>
        ) : (
          <span className="muted">{t('counting')}</span>
        )}
      </div>
      {i && i.unicodeCharacters.length > 0 ? (
        <p className="campaigns-forced">
          {t('forcedBy')}{' '}
          {i.unicodeCharacters.map((c) => (
            <code key={c} className="campaigns-char">
              {c}
            </code>
          ))}
        </p>
      ) : null}
      {live.error ? <ErrorNote error={live.error} /> : null}
    </div>
  );
}

function Findings({
  body,
  purpose,
  brand,
  country,
  smart,
  onApply,
}: {
  body: string;
  purpose: Purpose;
  brand: string;
  country: string;
  /** The text with its UCS-2 look-alikes replaced (POST /v1/content/inspect); null while
   *  the answer for the text as it is now is still on its way. */
  smart: InspectAnswer['smartEncoded'] | null;
  onApply: (text: string) => void;
}) {
  const t = useCampaignStrings();
  const request = {
    text: body,
    purpose,
    country,
    autoAppendOptOut: false,
    ...(brand.trim() ? { brand: brand.trim() } : {}),
  };
  const live = useLivePost<LintAnswer>('/content/lint', body.trim() ? request : null, 400);
  const [fixError, setFixError] = useState<unknown>(null);

  const appendOptOut = async () => {
    setFixError(null);
    try {
      const answer = await api.post<LintAnswer>('/content/lint', {
        ...request,
        autoAppendOptOut: true,
      });
      if (answer.lint.fixedText) onApply(answer.lint.fixedText);
    } catch (e) {
      setFixError(e);
    }
  };

  if (!body.trim()) return null;
  const lint = live.data?.lint;
  return (
    <div className="campaigns-findings" aria-busy={live.pending}>
      <h4>{t('findings', { policy: live.data?.policy ?? country })}</h4>
      {lint && lint.issues.length === 0 ? (
        <p>
          <StatusBadge status="delivered" label={t('noFindings')} />
        </p>
      ) : null}
      {lint && lint.issues.length > 0 ? (
        <ul className="campaigns-issues">
          {lint.issues.map((issue, n) => (
            <li key={`${issue.code}-${n}`}>
              <StatusBadge
                status={SEVERITY_TONE[issue.severity]}
                label={t(`severity.${issue.severity}`)}
              />{' '}
              <span>{issue.message}</span>
              {issue.code === 'opt_out_missing' ? (
                <button type="button" className="campaigns-fix" onClick={() => void appendOptOut()}>
                  {t('appendOptOut')}
                </button>
              ) : null}
              {issue.code === 'smart_encoding' && smart && smart.text !== body ? (
                <button type="button" className="campaigns-fix" onClick={() => onApply(smart.text)}>
                  {t('applySmartEncoding', {
                    encoding: smart.inspection.encoding,
                    segments: t('segments' as 'segments_other', {
                      count: smart.inspection.segments,
                    }),
                  })}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {live.error ? <ErrorNote error={live.error} /> : null}
      {fixError ? <ErrorNote error={fixError} /> : null}
    </div>
  );
}

function Preview({ body, contacts }: { body: string; contacts: readonly SampleContact[] }) {
  const t = useCampaignStrings();
  const id = useId();
  const [contactId, setContactId] = useState<number | null>(null);
  const chosen = contactId ?? contacts[0]?.id ?? null;
  const live = useLivePost<TemplatePreview>(
    '/templates/preview',
    body.trim()
      ? chosen
        ? { source: body, contactId: chosen }
        : { source: body, sample: {} }
      : null,
    400,
  );
  if (!body.trim()) return null;
  return (
    <div className="campaigns-preview">
      <div className="campaigns-preview-head">
        <h4 id={`${id}-h`}>{t('preview')}</h4>
        {contacts.length > 0 ? (
          <label className="campaigns-inline">
            <span>{t('previewFor')}</span>
            <select value={chosen ?? ''} onChange={(e) => setContactId(Number(e.target.value))}>
              {contacts.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.phone}
                  {c.region ? ` · ${c.region}` : ''}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="hint">{t('previewSample')}</span>
        )}
      </div>
      {live.data ? (
        <>
          <div className="campaigns-bubble" aria-labelledby={`${id}-h`}>
            {live.data.text}
          </div>
          <p className="hint">
            {live.data.inspection.encoding} ·{' '}
            {t('segments' as 'segments_other', { count: live.data.inspection.segments })}
          </p>
        </>
      ) : null}
      {live.error ? <ErrorNote error={live.error} /> : null}
    </div>
  );
}

export function VariantCard({
  variant,
  many,
  onChange,
  onRemove,
  purpose,
  brand,
  country,
  contacts,
  problems,
}: Props) {
  const t = useCampaignStrings();
  const id = useId();
  const inspect = useLivePost<InspectAnswer>('/content/inspect', { text: variant.body });
  const bodyError = problems.body ? `${id}-body-error` : undefined;
  return (
    <section className="campaigns-variant" aria-labelledby={`${id}-title`}>
      <header className="campaigns-variant-head">
        <h3 id={`${id}-title`}>{t('variant', { key: variant.key })}</h3>
        {many ? (
          <div className="campaigns-inline">
            <label htmlFor={`${id}-weight`}>{t('weight')}</label>
            <NumberInput
              id={`${id}-weight`}
              value={variant.weight}
              min={0.01}
              max={1000}
              step="any"
              onChange={(w) => onChange({ weight: w ?? 0 })}
              describedBy={problems.weight ? `${id}-weight-error` : undefined}
            />
          </div>
        ) : null}
        {onRemove ? (
          <button type="button" className="link" onClick={onRemove}>
            {t('removeVariant', { key: variant.key })}
          </button>
        ) : null}
      </header>
      {problems.weight ? (
        <p id={`${id}-weight-error`} className="campaigns-field-error">
          {problems.weight}
        </p>
      ) : null}
      <label htmlFor={`${id}-body`} className="campaigns-label">
        {t('bodyOf', { key: variant.key })}
      </label>
      <textarea
        id={`${id}-body`}
        value={variant.body}
        maxLength={5000}
        rows={4}
        aria-invalid={problems.body ? true : undefined}
        aria-describedby={[bodyError, `${id}-hint`].filter(Boolean).join(' ')}
        onChange={(e) => onChange({ body: e.target.value })}
      />
      <div id={`${id}-hint`} className="hint">
        {t('bodyHint', { example: '{{ contact.city }}' })}
      </div>
      {problems.body ? (
        <p id={bodyError} className="campaigns-field-error">
          {problems.body}
        </p>
      ) : null}
      <Counter live={inspect} label={t('counterOf', { key: variant.key })} />
      <div className="campaigns-variant-checks">
        <Findings
          body={variant.body}
          purpose={purpose}
          brand={brand}
          country={country}
          smart={inspect.pending ? null : (inspect.data?.smartEncoded ?? null)}
          onApply={(body) => onChange({ body })}
        />
        <Preview body={variant.body} contacts={contacts} />
      </div>
    </section>
  );
}
