/** /imports: past imports, newest first, with their status and what became of their lines. */
import { Link } from 'react-router';
import { Card, DataTable, ErrorNote, Loading, Page, StatusBadge } from '../../components/ui';
import type { Column } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { usePaged } from '../contacts/use-paged';
import { statusTone } from './ImportDetail';
import { useImportStrings } from './strings';
import type { ImportRecord } from './types';

export function ImportList() {
  const t = useImportStrings();
  const f = useFormat();
  const { can } = useAuth();
  const paged = usePaged<ImportRecord>(can('contacts:read') ? '/imports' : null, {
    query: { limit: 25 },
    cursorParam: 'before',
    nextField: 'nextBefore',
  });
  const columns: Column<ImportRecord>[] = [
    {
      key: 'id',
      header: t('colId'),
      cell: (r) => <Link to={`/imports/${r.id}`}>#{r.id}</Link>,
    },
    {
      key: 'file',
      header: t('colFile'),
      cell: (r) => <span className="imports-file">{r.fileName}</span>,
    },
    { key: 'source', header: t('colSource'), cell: (r) => r.source },
    {
      key: 'purpose',
      header: t('colPurpose'),
      cell: (r) =>
        r.purpose === 'marketing' || r.purpose === 'transactional'
          ? t(`purpose.${r.purpose}`)
          : r.purpose,
    },
    {
      key: 'status',
      header: t('colStatus'),
      cell: (r) => (
        <StatusBadge
          status={statusTone(r.status)}
          label={t(`status.${r.status}` as 'status.done')}
        />
      ),
    },
    { key: 'rows', header: t('colRows'), align: 'right', cell: (r) => f.number(r.processedRows) },
    {
      key: 'new',
      header: t('colNew'),
      align: 'right',
      cell: (r) => f.number(r.counts.created + r.counts.merged),
    },
    {
      key: 'problems',
      header: t('colProblems'),
      align: 'right',
      cell: (r) =>
        f.number(r.counts.duplicate + r.counts.invalid + r.counts.suppressed + r.counts.refused),
    },
    { key: 'created', header: t('colCreated'), cell: (r) => f.dateTime(r.createdAt) },
    { key: 'by', header: t('colBy'), cell: (r) => r.createdBy },
  ];
  return (
    <Page
      title={t('title')}
      actions={
        <Link className="imports-new" to="/imports/new">
          {t('newImport')}
        </Link>
      }
    >
      <Card title={t('pastTitle')}>
        <ErrorNote error={paged.error} />
        {paged.loading && paged.items.length === 0 ? (
          <Loading />
        ) : (
          <DataTable
            columns={columns}
            rows={paged.items}
            rowKey={(r) => r.id}
            caption={t('pastCaption')}
            empty={t('pastEmpty')}
          />
        )}
        {paged.more ? (
          <div className="imports-more">
            <button type="button" onClick={paged.more}>
              {t('more')}
            </button>
          </div>
        ) : null}
      </Card>
    </Page>
  );
}
