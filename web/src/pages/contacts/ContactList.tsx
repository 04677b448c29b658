/**
 * /contacts: find one number in any writing, or list contacts by country, tag, city, region,
 * consent and status, numbers masked, page by page. A role that may only look numbers up
 * (support) gets the search and no list.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Card, DataTable, ErrorNote, Field, Loading, Page, Pager } from '../../components/ui';
import type { Column } from '../../components/ui';
import { api } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { ConsentBadges, NumberStatusBadge, SuppressionBadges } from './badges';
import { PURPOSES } from './domain';
import { useContactStrings } from './strings';
import type { Contact, ContactPage } from './types';

const FILTERS = ['country', 'tag', 'city', 'region', 'consent', 'status'] as const;
const PAGE_SIZE = 25;
const COUNTRY = /^[A-Z]{2}$/;

export function ContactList() {
  const t = useContactStrings();
  const { can } = useAuth();
  return (
    <Page title={t('title')}>
      <FindNumber />
      {can('contacts:read') ? <FilteredList /> : <p className="muted">{t('lookupOnly')}</p>}
    </Page>
  );
}

function useColumns(): Column<Contact>[] {
  const t = useContactStrings();
  const f = useFormat();
  return [
    {
      key: 'phone',
      header: t('colNumber'),
      cell: (c) => (
        <Link to={`/contacts/${c.id}`} state={{ contact: c }} className="contacts-number">
          {c.phone}
        </Link>
      ),
    },
    { key: 'country', header: t('colCountry'), cell: (c) => c.country ?? t('none') },
    { key: 'place', header: t('colPlace'), cell: (c) => c.place ?? t('none') },
    {
      key: 'status',
      header: t('colStatus'),
      cell: (c) => (
        <span className="contacts-badges">
          <NumberStatusBadge status={c.status} />
          <SuppressionBadges contact={c} />
        </span>
      ),
    },
    { key: 'consent', header: t('colConsent'), cell: (c) => <ConsentBadges contact={c} /> },
    {
      key: 'tags',
      header: t('colTags'),
      cell: (c) => <Tags tags={c.attributes.tags ?? []} />,
    },
    { key: 'added', header: t('colAdded'), cell: (c) => f.date(c.createdAt) },
  ];
}

export function Tags({ tags }: { tags: readonly string[] }) {
  const t = useContactStrings();
  if (tags.length === 0) return <>{t('none')}</>;
  return (
    <span className="contacts-tags">
      {tags.map((tag) => (
        <span key={tag} className="contacts-tag">
          {tag}
        </span>
      ))}
    </span>
  );
}

/** The look-up by number: the number stays in this form, never in the page's address. */
function FindNumber() {
  const t = useContactStrings();
  const columns = useColumns();
  const [phone, setPhone] = useState('');
  const [country, setCountry] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [found, setFound] = useState<Contact[] | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const code = country.trim().toUpperCase();
    if (phone.trim() === '') return setInvalid(t('phoneRequired'));
    if (code !== '' && !COUNTRY.test(code)) return setInvalid(t('countryInvalid'));
    setInvalid(null);
    setBusy(true);
    setError(null);
    try {
      const page = await api.get<ContactPage>('/contacts', {
        phone: phone.trim(),
        phoneCountry: code || undefined,
      });
      setFound(page.items);
    } catch (err) {
      setFound(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('findTitle')}>
      <form className="contacts-find" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('phone')} hint={t('findHint')}>
          {(id) => (
            <input
              id={id}
              type="tel"
              autoComplete="off"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              aria-invalid={invalid === t('phoneRequired') || undefined}
            />
          )}
        </Field>
        <Field label={t('phoneCountry')} hint={t('phoneCountryHint')}>
          {(id) => (
            <input
              id={id}
              className="contacts-country"
              maxLength={2}
              value={country}
              onChange={(e) => setCountry(e.target.value.toUpperCase())}
              aria-invalid={invalid === t('countryInvalid') || undefined}
            />
          )}
        </Field>
        <div className="contacts-find-submit">
          <button type="submit" className="primary" disabled={busy}>
            {t('find')}
          </button>
        </div>
      </form>
      {invalid ? (
        <p className="contacts-invalid" role="alert">
          {invalid}
        </p>
      ) : null}
      <ErrorNote error={error} />
      {found !== null ? (
        <DataTable
          columns={columns}
          rows={found}
          rowKey={(c) => c.id}
          caption={t('foundCaption')}
          empty={<span role="status">{t('noMatch')}</span>}
        />
      ) : null}
    </Card>
  );
}

function FilteredList() {
  const t = useContactStrings();
  const columns = useColumns();
  const [params, setParams] = useSearchParams();
  // Keyset paging: the cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<number[]>([]);
  const after = cursors.at(-1);
  const query = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? undefined]));
  const { data, error, loading, reload } = useApi<ContactPage>('/contacts', {
    ...query,
    after,
    limit: PAGE_SIZE,
  });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const key of FILTERS) {
      let value = String(form.get(key) ?? '').trim();
      if (key === 'country') value = value.toUpperCase();
      if (value) next.set(key, value);
    }
    setCursors([]);
    setParams(next);
  };
  const clear = () => {
    setCursors([]);
    setParams(new URLSearchParams());
  };
  const badCountry = (params.get('country') ?? '') !== '' && !COUNTRY.test(params.get('country')!);

  return (
    <>
      <Card title={t('filtersTitle')}>
        <form
          className="contacts-filters"
          onSubmit={apply}
          key={params.toString() /* the form follows the address on back/forward */}
        >
          <Field label={t('country')}>
            {(id) => (
              <input
                id={id}
                name="country"
                className="contacts-country"
                maxLength={2}
                defaultValue={params.get('country') ?? ''}
              />
            )}
          </Field>
          {(['tag', 'city', 'region'] as const).map((key) => (
            <Field key={key} label={t(key)}>
              {(id) => <input id={id} name={key} defaultValue={params.get(key) ?? ''} />}
            </Field>
          ))}
          <Field label={t('consent')}>
            {(id) => (
              <select id={id} name="consent" defaultValue={params.get('consent') ?? ''}>
                <option value="">{t('any')}</option>
                {PURPOSES.map((p) => (
                  <option key={p} value={p}>
                    {t(`purpose.${p}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('status')}>
            {(id) => (
              <select id={id} name="status" defaultValue={params.get('status') ?? ''}>
                <option value="">{t('any')}</option>
                <option value="active">{t('status.active')}</option>
                <option value="invalid">{t('status.invalid')}</option>
              </select>
            )}
          </Field>
          <div className="contacts-filter-buttons">
            <button type="submit" className="primary">
              {t('apply')}
            </button>
            <button type="button" onClick={clear}>
              {t('clear')}
            </button>
          </div>
        </form>
        {badCountry ? <p className="contacts-invalid">{t('countryInvalid')}</p> : null}
      </Card>
      <Card title={t('listTitle')}>
        <ErrorNote error={error} onRetry={reload} />
        {loading && !data ? <Loading /> : null}
        {data ? (
          <>
            <DataTable
              columns={columns}
              rows={data.items}
              rowKey={(c) => c.id}
              caption={t('listCaption')}
              empty={t('emptyList')}
            />
            <div className="contacts-pager">
              <span className="muted">{t('page', { page: cursors.length + 1 })}</span>
              <Pager
                onPrevious={cursors.length > 0 ? () => setCursors((c) => c.slice(0, -1)) : null}
                onNext={
                  data.nextAfter !== null
                    ? () => setCursors((c) => [...c, data.nextAfter as number])
                    : null
                }
              />
            </div>
          </>
        ) : null}
      </Card>
    </>
  );
}
