/** Looks one number up on the suppression list; each of its suppressions can be lifted. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Card, DataTable, ErrorNote, Loading, type Column } from '../../components/ui';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import {
  PhoneFields,
  ReasonBadge,
  ScopeBadge,
  Time,
  countryOk,
  countryValue,
  looksLikePhone,
} from './parts';
import { useStrings } from './strings';
import type { Suppression, SuppressionScope } from './types';

export function CheckNumber({
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
