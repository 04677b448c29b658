/**
 * /imports/new: choose a CSV file, check what each column is read as (the header is read here,
 * with Herald's own reader and mapping rules), declare the consent basis, upload. The API's
 * refusals (a marketing list without a basis) are shown as Herald words them.
 */
import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { Card, DataTable, ErrorNote, Field, Page } from '../../components/ui';
import type { Column } from '../../components/ui';
import { api, withQuery } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { useApi } from '../../lib/use-api';
import { maskSample, readCsvHead, type CsvHead } from './csv-head';
import { CONSENT_METHODS, IMPORT_FIELDS, PURPOSES, resolveMapping } from './domain';
import { useImportStrings } from './strings';
import type { AttributeDefinition, ConsentText, ImportRecord } from './types';

const MAX_BYTES = 200 * 1024 * 1024;
const COUNTRY = /^[A-Z]{2}$/;
const DELIMITER_NAMES: Record<string, string> = { ',': ',', ';': ';', '\t': 'Tab', '|': '|' };

/** Each column's target: a field, a custom attribute, or '' (not imported). */
function guessTargets(header: readonly string[], custom: readonly string[]): string[] {
  // The mapping rules need a phone column; a placeholder one lets them guess the others when
  // the header names none.
  let mapping: Readonly<Record<string, string>>;
  try {
    mapping = resolveMapping(header, {}, custom).mapping;
  } catch {
    const placeholder = '\u0000phone';
    mapping = resolveMapping([...header, placeholder], { phone: placeholder }, custom).mapping;
  }
  return header.map((h) => Object.entries(mapping).find(([, col]) => col === h)?.[0] ?? '');
}

export function NewImport() {
  const t = useImportStrings();
  const { can } = useAuth();
  const navigate = useNavigate();
  const attributes = useApi<{ items: AttributeDefinition[] }>(
    can('contacts:read') ? '/attributes' : null,
  );
  const texts = useApi<{ items: ConsentText[] }>(can('consent:read') ? '/consent-texts' : null);
  const custom = useMemo(
    () => (attributes.data?.items ?? []).map((a) => a.name),
    [attributes.data],
  );

  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<CsvHead | null>(null);
  const [targets, setTargets] = useState<string[]>([]);
  const [source, setSource] = useState('');
  const [purpose, setPurpose] = useState<string>('marketing');
  const [method, setMethod] = useState('');
  const [textId, setTextId] = useState('');
  const [country, setCountry] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const chooseFile = async (chosen: File | null) => {
    setFile(chosen);
    setHead(null);
    setError(null);
    if (!chosen || chosen.size === 0 || chosen.size > MAX_BYTES) return;
    try {
      const read = await readCsvHead(chosen);
      setHead(read);
      setTargets(guessTargets(read.header, custom));
    } catch (err) {
      setError(err);
    }
  };

  const fileProblem = !file
    ? t('fileRequired')
    : file.size === 0
      ? t('fileEmpty')
      : file.size > MAX_BYTES
        ? t('fileTooBig')
        : null;
  const phoneColumns = targets.filter((x) => x === 'phone').length;
  const doubled = targets.find((x, i) => x !== '' && targets.indexOf(x) !== i);
  const mappingProblem = !head
    ? null
    : phoneColumns === 0
      ? t('phoneMissing')
      : doubled
        ? t('twice', { field: fieldName(doubled) })
        : null;
  const sourceProblem = source.trim() === '' ? t('sourceRequired') : null;
  const code = country.trim().toUpperCase();
  const countryProblem = code !== '' && !COUNTRY.test(code) ? t('countryInvalid') : null;

  function fieldName(target: string): string {
    return (IMPORT_FIELDS as readonly string[]).includes(target)
      ? t(`field.${target}` as 'field.phone')
      : target;
  }

  // The explicit choices; a column set to "not imported" is sent as one to ignore, so Herald
  // does not read it by its name (a 城市 column left out stays out).
  const explicit = useMemo(() => {
    const pairs: Record<string, string> = {};
    if (head) targets.forEach((x, i) => x && head.header[i] && (pairs[x] = head.header[i]));
    return pairs;
  }, [head, targets]);
  // (A twin header that another column is mapped under is left out: the name is taken.)
  const mappedHeaders = Object.values(explicit);
  const ignored = head
    ? head.header.filter((h, i) => h !== '' && targets[i] === '' && !mappedHeaders.includes(h))
    : [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (fileProblem || mappingProblem || sourceProblem || countryProblem || !file) return;
    setBusy(true);
    setError(null);
    try {
      const map = Object.entries(explicit)
        // A header with a comma cannot be written in the mapping option: Herald finds it itself.
        .filter(([, column]) => !column.includes(','))
        .map(([field, column]) => `${field}=${column}`)
        .join(',');
      const query = new URLSearchParams(
        withQuery('', {
          source: source.trim(),
          purpose,
          consentMethod: method || undefined,
          consentText: textId || undefined,
          country: code || undefined,
          map: map || undefined,
          fileName: file.name,
        }).slice(1),
      );
      for (const column of ignored) query.append('ignore', column);
      const path = `/imports?${query.toString()}`;
      const record = await api.send<ImportRecord>(
        'POST',
        path,
        new Blob([file], { type: 'text/csv' }),
      );
      navigate(`/imports/${record.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const textsForPurpose = (texts.data?.items ?? []).filter((x) => x.purpose === purpose);
  const columns: Column<number>[] = head
    ? [
        { key: 'column', header: t('colColumn'), cell: (i) => <strong>{head.header[i]}</strong> },
        {
          key: 'sample',
          header: t('colSample'),
          cell: (i) => (
            <span className="imports-samples">
              {head.samples.map((row, r) => (
                <span key={r}>
                  {targets[i] === 'phone' ? maskSample(row[i] ?? '') : (row[i] ?? '')}
                </span>
              ))}
            </span>
          ),
        },
        {
          key: 'target',
          header: t('colReadAs'),
          cell: (i) => (
            <select
              aria-label={`${t('colReadAs')}: ${head.header[i]}`}
              value={targets[i] ?? ''}
              onChange={(e) =>
                setTargets((all) => all.map((x, j) => (j === i ? e.target.value : x)))
              }
            >
              <option value="">{t('ignore')}</option>
              {IMPORT_FIELDS.map((f) => (
                <option key={f} value={f}>
                  {t(`field.${f}`)}
                </option>
              ))}
              {custom.map((name) => (
                <option key={name} value={name}>
                  {t('customAttribute', { name })}
                </option>
              ))}
            </select>
          ),
        },
      ]
    : [];

  return (
    <Page title={t('wizardTitle')}>
      <p className="imports-back">
        <Link to="/imports">← {t('back')}</Link>
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Card title={t('step1')}>
          <Field label={t('file')} hint={t('fileHint')}>
            {(id) => (
              <input
                id={id}
                type="file"
                accept=".csv,.txt,text/csv,text/plain"
                aria-invalid={(tried && fileProblem !== null) || undefined}
                onChange={(e) => void chooseFile(e.target.files?.[0] ?? null)}
              />
            )}
          </Field>
          {tried || file ? <Problem text={fileProblem} /> : null}
          {head ? (
            <p className="muted">
              {t('detected', {
                columns: head.header.length,
                delimiter: DELIMITER_NAMES[head.delimiter] ?? head.delimiter,
                encoding: head.encoding,
              })}
            </p>
          ) : null}
        </Card>
        {head ? (
          <Card title={t('step2')}>
            <p>{t('mappingIntro')}</p>
            <DataTable
              columns={columns}
              rows={head.header.map((_, i) => i)}
              rowKey={(i) => i}
              caption={t('mappingCaption')}
            />
            <Problem text={mappingProblem} />
          </Card>
        ) : null}
        <Card title={t('step3')}>
          <p>{t('basisIntro')}</p>
          <div className="imports-basis">
            <Field label={t('source')} hint={t('sourceHint')}>
              {(id) => (
                <input
                  id={id}
                  value={source}
                  maxLength={500}
                  aria-invalid={(tried && sourceProblem !== null) || undefined}
                  onChange={(e) => setSource(e.target.value)}
                />
              )}
            </Field>
            <Field label={t('purpose')} hint={t('purposeHint')}>
              {(id) => (
                <select
                  id={id}
                  value={purpose}
                  onChange={(e) => {
                    setPurpose(e.target.value);
                    setTextId('');
                  }}
                >
                  {PURPOSES.map((p) => (
                    <option key={p} value={p}>
                      {t(`purpose.${p}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('consentMethod')}>
              {(id) => (
                <select id={id} value={method} onChange={(e) => setMethod(e.target.value)}>
                  <option value="">{t('noneChosen')}</option>
                  {CONSENT_METHODS.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('consentText')} hint={t('consentTextHint')}>
              {(id) => (
                <select id={id} value={textId} onChange={(e) => setTextId(e.target.value)}>
                  <option value="">{t('noneChosen')}</option>
                  {textsForPurpose.map((x) => (
                    <option key={x.id} value={String(x.id)}>
                      {t('textOption', { key: x.key, version: x.version, locale: x.locale })}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('country')} hint={t('countryHint')}>
              {(id) => (
                <input
                  id={id}
                  className="imports-country"
                  maxLength={2}
                  value={country}
                  aria-invalid={countryProblem !== null || undefined}
                  onChange={(e) => setCountry(e.target.value.toUpperCase())}
                />
              )}
            </Field>
          </div>
          {tried ? <Problem text={sourceProblem} /> : null}
          <Problem text={countryProblem} />
        </Card>
        <ErrorNote error={error} />
        <div className="imports-actions">
          <Link to="/imports">{t('cancel')}</Link>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('starting') : t('start')}
          </button>
        </div>
      </form>
    </Page>
  );
}

function Problem({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="imports-invalid" role="alert">
      {text}
    </p>
  );
}
