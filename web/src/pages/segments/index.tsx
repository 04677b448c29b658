/** The segments area: the saved segments (/segments), the builder (/segments/new, /segments/:id). */
import { useState } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { DataTable, ErrorNote, Loading, Notice, Page, Pager } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useCommon } from '../../lib/strings';
import { useApi } from '../../lib/use-api';
import { actorName, type SegmentList, type SegmentPreview } from './api';
import { SegmentEditor } from './SegmentEditor';
import { useSegmentStrings } from './strings';
import './segments.css';

export default function SegmentsArea() {
  const common = useCommon();
  return (
    <Routes>
      <Route index element={<SegmentListPage />} />
      <Route path="new" element={<SegmentEditor />} />
      <Route path=":id" element={<SegmentEditor />} />
      <Route path="*" element={<p className="muted">{common('notFound')}</p>} />
    </Routes>
  );
}

function CountCell({ id }: { id: number }) {
  const fmt = useFormat();
  const { data, error } = useApi<SegmentPreview>(`/segments/${id}/count`);
  if (error) return <span title={error.message}>–</span>;
  return <>{data ? fmt.number(data.count) : '…'}</>;
}

function SegmentListPage() {
  const t = useSegmentStrings();
  const fmt = useFormat();
  const { can } = useAuth();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const [pages, setPages] = useState<number[]>([]);
  const afterId = pages.at(-1);
  const list = useApi<SegmentList>('/segments', { limit: 50, afterId });
  const writable = can('segments:write');

  return (
    <Page
      title={t('title')}
      actions={
        writable ? (
          <Link to="/segments/new" className="segments-button">
            + {t('newSegment')}
          </Link>
        ) : null
      }
    >
      {notice ? <Notice>{notice}</Notice> : null}
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {!list.data && !list.error ? <Loading /> : null}
      {list.data ? (
        <>
          <DataTable
            caption={t('listCaption')}
            rows={list.data.items}
            rowKey={(s) => s.id}
            empty={
              <span className="segments-empty-state">
                {writable ? t('none') : t('noneReadOnly')}
              </span>
            }
            columns={[
              {
                key: 'name',
                header: t('name'),
                cell: (s) => <Link to={`/segments/${s.id}`}>{s.name}</Link>,
              },
              {
                key: 'description',
                header: t('description'),
                cell: (s) => <span className="segments-description">{s.description ?? ''}</span>,
              },
              {
                key: 'count',
                header: t('count'),
                align: 'right',
                cell: (s) => <CountCell id={s.id} />,
              },
              {
                key: 'updated',
                header: t('updated'),
                cell: (s) => (
                  <>
                    {fmt.dateTime(s.updatedAt)}
                    <div className="hint">{t('by', { who: actorName(s.updatedBy) })}</div>
                  </>
                ),
              },
              {
                key: 'actions',
                header: <span className="sr-only">{t('edit')}</span>,
                cell: (s) => (
                  <Link
                    to={`/segments/${s.id}`}
                    aria-label={`${writable ? t('edit') : t('open')}: ${s.name}`}
                  >
                    {writable ? t('edit') : t('open')}
                  </Link>
                ),
              },
            ]}
          />
          {pages.length > 0 || list.data.nextAfterId !== null ? (
            <Pager
              onPrevious={pages.length > 0 ? () => setPages((p) => p.slice(0, -1)) : null}
              onNext={
                list.data.nextAfterId !== null
                  ? () => setPages((p) => [...p, list.data!.nextAfterId!])
                  : null
              }
            />
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
