/**
 * Data-subject requests: the export of everything held on a number or contact (a JSON file to
 * hand over; it carries the clear number, so only for contacts:export with contacts:reveal) and
 * the erasure, confirmed by typing a word, answered with what was erased. Both audited by the API.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Card, DataTable, ErrorNote, Field, Notice, Page, Stat } from '../../components/ui';
import { api } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import {
  EMPTY_SUBJECT,
  FieldError,
  SubjectFields,
  downloadJson,
  subjectBody,
  subjectErrors,
  useAction,
  type SubjectState,
} from './parts';
import { canExport } from './sections';
import { useStrings, type Strings } from './strings';
import type { Erasure, SubjectExport } from './types';

export function RequestsPage() {
  const t = useStrings();
  const { can } = useAuth();
  return (
    <Page title={t('section.requests')}>
      <p className="muted compliance-intro">{t('requestsIntro')}</p>
      <div className="compliance-columns compliance-columns-even">
        {canExport(can) ? <ExportCard /> : null}
        {can('contacts:erase') ? <EraseCard /> : null}
      </div>
    </Page>
  );
}

function ReasonField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (v: string) => void;
  error?: string;
}) {
  const t = useStrings();
  return (
    <Field label={t('requestReason')}>
      {(id) => (
        <>
          <input
            id={id}
            maxLength={500}
            autoComplete="off"
            value={value}
            onChange={(e) => onChange(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-err` : undefined}
          />
          <FieldError id={`${id}-err`} message={error} />
        </>
      )}
    </Field>
  );
}

function checkRequest(subject: SubjectState, reason: string, t: Strings) {
  const errs: Record<string, string> = { ...subjectErrors(subject, t) };
  if (reason.trim() !== '' && reason.trim().length < 3) errs.reason = t('err.reason');
  return errs;
}

const EXPORT_PARTS = [
  ['part.consentHistory', (d: SubjectExport) => d.consent.history.length],
  ['part.suppressions', (d: SubjectExport) => d.suppressions.length],
  ['part.messages', (d: SubjectExport) => d.messages.length],
  ['part.inboundMessages', (d: SubjectExport) => d.inboundMessages.length],
  ['part.events', (d: SubjectExport) => d.events.length],
  ['part.links', (d: SubjectExport) => d.links.length],
  ['part.conversions', (d: SubjectExport) => d.conversions.length],
  ['part.importLines', (d: SubjectExport) => d.importLines.length],
  ['part.pendingSubscriptions', (d: SubjectExport) => d.pendingSubscriptions.length],
] as const;

function ExportCard() {
  const t = useStrings();
  const f = useFormat();
  const [subject, setSubject] = useState<SubjectState>(EMPTY_SUBJECT);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [doc, setDoc] = useState<SubjectExport | null>(null);
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = checkRequest(subject, reason, t);
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setDoc(null);
    const answer = await action.run(() =>
      api.post<SubjectExport>('/privacy/export', subjectBody(subject, reason)),
    );
    if (answer) setDoc(answer);
  };

  const fileName = (d: SubjectExport) =>
    `herald-export-${d.contact ? `contact-${d.contact.id}` : 'number'}-${d.generatedAt.slice(0, 10)}.json`;

  return (
    <Card title={t('exportTitle')}>
      <p className="hint">{t('exportHint')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <SubjectFields
          name="export-subject"
          value={subject}
          onChange={setSubject}
          errors={errors}
        />
        <ReasonField value={reason} onChange={setReason} error={errors.reason} />
        <ErrorNote error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {t('runExport')}
        </button>
      </form>
      {doc ? (
        <div className="compliance-result">
          <Notice>{t('exported')}</Notice>
          <p>
            <strong>
              {doc.contact ? t('exportFound', { id: doc.contact.id }) : t('exportNotFound')}
            </strong>
          </p>
          <div className="stats compliance-small-stats">
            {EXPORT_PARTS.map(([label, count]) => (
              <Stat key={label} label={t(label)} value={f.number(count(doc))} />
            ))}
          </div>
          <button
            type="button"
            className="primary"
            onClick={() => downloadJson(fileName(doc), doc)}
          >
            {t('download')}
          </button>
        </div>
      ) : null}
    </Card>
  );
}

const ERASURE_ITEMS = [
  'contacts',
  'consentEvents',
  'events',
  'messages',
  'messagesCancelled',
  'inboundMessages',
  'pendingSubscriptions',
  'importLines',
  'shortLinks',
  'suppressionAdded',
] as const;
type ErasureItem = (typeof ERASURE_ITEMS)[number];
const isErasureItem = (k: string): k is ErasureItem =>
  (ERASURE_ITEMS as readonly string[]).includes(k);

function EraseCard() {
  const t = useStrings();
  const f = useFormat();
  const [subject, setSubject] = useState<SubjectState>(EMPTY_SUBJECT);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [erased, setErased] = useState<Erasure | null>(null);
  const action = useAction();
  const word = t('confirmWord');
  const confirmed = typed.trim() === word;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = checkRequest(subject, reason, t);
    setErrors(errs);
    if (Object.keys(errs).length > 0 || !confirmed) return;
    setErased(null);
    const answer = await action.run(() =>
      api.post<Erasure>('/privacy/erase', subjectBody(subject, reason)),
    );
    if (answer) {
      setErased(answer);
      setTyped('');
    }
  };

  // Known counts in a fixed order, then any the API added since.
  const rows = erased
    ? [
        ...ERASURE_ITEMS.filter((k) => k in erased.counts),
        ...Object.keys(erased.counts).filter((k) => !isErasureItem(k)),
      ].map((k) => ({ key: k, n: erased.counts[k] ?? 0 }))
    : [];

  return (
    <Card title={t('eraseTitle')} className="compliance-danger-card">
      <p className="hint">{t('eraseHint')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <SubjectFields name="erase-subject" value={subject} onChange={setSubject} errors={errors} />
        <ReasonField value={reason} onChange={setReason} error={errors.reason} />
        <Field label={t('typeToConfirm', { word })}>
          {(id) => (
            <input
              id={id}
              autoComplete="off"
              className="compliance-short"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
            />
          )}
        </Field>
        <ErrorNote error={action.error} />
        <button type="submit" className="danger" disabled={!confirmed || action.busy}>
          {t('runErase')}
        </button>
      </form>
      {erased ? (
        <div className="compliance-result compliance-narrow">
          <Notice>{t('erased')}</Notice>
          <DataTable
            columns={[
              {
                key: 'what',
                header: t('item'),
                cell: (r) => (isErasureItem(r.key) ? t(`erase.${r.key}`) : r.key),
              },
              { key: 'n', header: t('count'), cell: (r) => f.number(r.n), align: 'right' },
            ]}
            rows={rows}
            rowKey={(r) => r.key}
            caption={t('erasedCaption')}
          />
        </div>
      ) : null}
    </Card>
  );
}
