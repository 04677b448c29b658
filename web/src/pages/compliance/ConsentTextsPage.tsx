/**
 * Consent texts: every version of every text with its hash, one version in full, and (with
 * consent:write) the form that publishes the next version of a text.
 */
import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import {
  Card,
  DataTable,
  ErrorNote,
  Field,
  Loading,
  Notice,
  Page,
  Stat,
  type Column,
} from '../../components/ui';
import { api } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { currentLanguage, useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { Badge, FieldError, Time, useAction } from './parts';
import { useStrings } from './strings';
import { PURPOSES, type ConsentText, type Purpose } from './types';

const KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const path = (c: ConsentText) => `/compliance/consent-texts/${c.id}`;

function PurposeBadge({ purpose }: { purpose: Purpose }) {
  const t = useStrings();
  return (
    <Badge tone={purpose === 'marketing' ? 'info' : 'neutral'}>{t(`purpose.${purpose}`)}</Badge>
  );
}

function Hash({ hash, full = false }: { hash: string; full?: boolean }) {
  return (
    <code className="compliance-hash" title={hash}>
      {full ? hash : `${hash.slice(0, 12)}…`}
    </code>
  );
}

function useColumns(): Column<ConsentText>[] {
  const t = useStrings();
  const f = useFormat();
  return [
    {
      key: 'key',
      header: t('key'),
      cell: (c) => (
        <Link to={path(c)}>
          {c.key}
          <span className="sr-only"> v{c.version}</span>
        </Link>
      ),
    },
    { key: 'version', header: t('version'), cell: (c) => `v${c.version}`, align: 'right' },
    { key: 'purpose', header: t('purpose'), cell: (c) => <PurposeBadge purpose={c.purpose} /> },
    { key: 'locale', header: t('locale'), cell: (c) => c.locale },
    { key: 'hash', header: t('hash'), cell: (c) => <Hash hash={c.hash} /> },
    { key: 'by', header: t('by'), cell: (c) => c.createdBy },
    {
      key: 'at',
      header: t('created'),
      cell: (c) => <Time iso={c.createdAt} format={f.dateTime} />,
    },
  ];
}

/** Newest version of each key first, keys in alphabetical order. */
const ordered = (items: readonly ConsentText[]) =>
  [...items].sort((a, b) => a.key.localeCompare(b.key) || b.version - a.version);

export function ConsentTextsPage() {
  const t = useStrings();
  const f = useFormat();
  const { can } = useAuth();
  const texts = useApi<{ items: ConsentText[] }>('/consent-texts');
  const columns = useColumns();
  const items = useMemo(() => ordered(texts.data?.items ?? []), [texts.data]);
  const keys = useMemo(() => new Map(items.map((c) => [c.key, c.purpose])), [items]);

  return (
    <Page title={t('section.consentTexts')}>
      <p className="muted compliance-intro">{t('consentIntro')}</p>
      <div className="stats">
        <Stat label={t('keys')} value={f.number(keys.size)} />
        <Stat label={t('versions')} value={f.number(items.length)} />
      </div>
      <div className="compliance-columns">
        <Card title={t('textsCaption')}>
          <ErrorNote error={texts.error} onRetry={texts.reload} />
          {texts.loading && !texts.data ? (
            <Loading />
          ) : (
            <DataTable
              columns={columns}
              rows={items}
              rowKey={(c) => c.id}
              caption={t('textsTable')}
              empty={t('emptyTexts')}
            />
          )}
        </Card>
        {can('consent:write') ? (
          <PublishForm keys={keys} onPublished={texts.reload} />
        ) : (
          <p className="muted">{t('readOnly')}</p>
        )}
      </div>
    </Page>
  );
}

function PublishForm({
  keys,
  onPublished,
}: {
  keys: ReadonlyMap<string, Purpose>;
  onPublished: () => void;
}) {
  const t = useStrings();
  const [key, setKey] = useState('');
  const [purpose, setPurpose] = useState<Purpose>('marketing');
  const [locale, setLocale] = useState(currentLanguage() === 'zh' ? 'zh-CN' : 'en');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<{ key?: string; locale?: string; body?: string }>({});
  const [published, setPublished] = useState<ConsentText | null>(null);
  const action = useAction();

  const chooseKey = (value: string) => {
    setKey(value);
    // A text keeps its purpose across versions: follow it when the key is known.
    const known = keys.get(value.trim());
    if (known) setPurpose(known);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = {
      ...(KEY.test(key.trim()) ? {} : { key: t('err.key') }),
      ...(LOCALE.test(locale.trim()) ? {} : { locale: t('err.locale') }),
      ...(body.trim().length >= 10 ? {} : { body: t('err.body') }),
    };
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    const row = await action.run(() =>
      api.post<ConsentText>('/consent-texts', {
        key: key.trim(),
        purpose,
        locale: locale.trim(),
        body: body.trim(),
      }),
    );
    if (row) {
      setPublished(row);
      setBody('');
      onPublished();
    }
  };

  return (
    <Card title={t('publishTitle')} className="compliance-publish">
      <p className="hint">{t('publishHint')}</p>
      {published ? (
        <Notice>
          <Link to={path(published)}>
            {t('published', { key: published.key, version: published.version })}
          </Link>
          <div className="compliance-hash-line">
            {t('hash')}: <Hash hash={published.hash} full />
          </div>
        </Notice>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('key')} hint={t('keyHint')}>
          {(id) => (
            <>
              <input
                id={id}
                list={`${id}-keys`}
                autoComplete="off"
                value={key}
                onChange={(e) => chooseKey(e.target.value)}
                aria-invalid={errors.key ? true : undefined}
                aria-describedby={errors.key ? `${id}-err` : undefined}
              />
              <datalist id={`${id}-keys`}>
                {[...keys.keys()].map((k) => (
                  <option key={k} value={k} />
                ))}
              </datalist>
              <FieldError id={`${id}-err`} message={errors.key} />
            </>
          )}
        </Field>
        <div className="row">
          <Field label={t('purpose')}>
            {(id) => (
              <select
                id={id}
                value={purpose}
                onChange={(e) => setPurpose(e.target.value as Purpose)}
              >
                {PURPOSES.map((p) => (
                  <option key={p} value={p}>
                    {t(`purpose.${p}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('locale')} hint={t('localeHint')}>
            {(id) => (
              <>
                <input
                  id={id}
                  className="compliance-short"
                  autoComplete="off"
                  value={locale}
                  onChange={(e) => setLocale(e.target.value)}
                  aria-invalid={errors.locale ? true : undefined}
                  aria-describedby={errors.locale ? `${id}-err` : undefined}
                />
                <FieldError id={`${id}-err`} message={errors.locale} />
              </>
            )}
          </Field>
        </div>
        <Field label={t('body')} hint={t('bodyCount', { count: body.length })}>
          {(id) => (
            <>
              <textarea
                id={id}
                maxLength={5000}
                rows={5}
                value={body}
                onChange={(e) => setBody(e.target.value)}
                aria-invalid={errors.body ? true : undefined}
                aria-describedby={errors.body ? `${id}-err` : undefined}
              />
              <FieldError id={`${id}-err`} message={errors.body} />
            </>
          )}
        </Field>
        <ErrorNote error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {t('publish')}
        </button>
      </form>
    </Card>
  );
}

/** One version in full, with the other versions of the same text. */
export function ConsentTextPage() {
  const t = useStrings();
  const f = useFormat();
  const { id } = useParams();
  const text = useApi<ConsentText>(`/consent-texts/${encodeURIComponent(id ?? '')}`);
  const all = useApi<{ items: ConsentText[] }>('/consent-texts');
  const columns = useColumns();
  const c = text.data;
  const versions = ordered((all.data?.items ?? []).filter((v) => c && v.key === c.key));

  return (
    <Page
      title={c ? t('textTitle', { key: c.key, version: c.version }) : t('section.consentTexts')}
      actions={<Link to="/compliance/consent-texts">{t('backToTexts')}</Link>}
    >
      <ErrorNote error={text.error} onRetry={text.reload} />
      {!c ? (
        text.loading ? (
          <Loading />
        ) : null
      ) : (
        <>
          <Card>
            <dl className="compliance-facts">
              <dt>{t('purpose')}</dt>
              <dd>
                <PurposeBadge purpose={c.purpose} />
              </dd>
              <dt>{t('locale')}</dt>
              <dd>{c.locale}</dd>
              <dt>{t('by')}</dt>
              <dd>{c.createdBy}</dd>
              <dt>{t('created')}</dt>
              <dd>
                <Time iso={c.createdAt} format={f.dateTime} />
              </dd>
              <dt>{t('hash')}</dt>
              <dd>
                <Hash hash={c.hash} full />
              </dd>
            </dl>
            <h2>{t('body')}</h2>
            <blockquote className="compliance-quote" lang={c.locale}>
              {c.body}
            </blockquote>
          </Card>
          <Card title={t('otherVersions')}>
            <DataTable
              columns={columns}
              rows={versions}
              rowKey={(v) => v.id}
              caption={t('textsTable')}
            />
          </Card>
        </>
      )}
    </Page>
  );
}
