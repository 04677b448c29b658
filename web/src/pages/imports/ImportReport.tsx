/**
 * The row-level report of an import: each line's outcome and reason (numbers masked), filtered
 * by outcome, page by page; the whole of it downloads as CSV (streamed by the API) or JSON
 * (gathered here from the API's pages).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { Card, DataTable, ErrorNote, Field, Loading, StatusBadge } from '../../components/ui';
import type { Column } from '../../components/ui';
import { api, apiUrl } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { downloadJson } from '../../lib/download';
import { usePaged } from '../contacts/use-paged';
import { IMPORT_OUTCOMES } from './domain';
import { useImportStrings } from './strings';
import type { ImportRecord, Outcome, ReportLine, ReportPage } from './types';

const PAGE = 50;
// Why a number is invalid, as Herald's phone parser says it (src/core/phone.ts); other reasons
// come worded by the importer.
const INVALID_REASONS = new Set([
  'empty',
  'not_a_number',
  'too_short',
  'too_long',
  'invalid_country_code',
  'invalid_for_region',
  'no_country',
]);
const DOWNLOAD_PAGE = 5000;

const OUTCOME_TONE: Record<Outcome, string> = {
  created: 'completed',
  merged: 'sent',
  duplicate: 'draft',
  invalid: 'failed',
  suppressed: 'paused',
  refused: 'blocked',
};

/** Every line of the report, page by page, saved as one JSON file. */
async function downloadReport(id: number, outcome: string | undefined): Promise<void> {
  const items: ReportLine[] = [];
  let after: number | null | undefined;
  do {
    const page = await api.get<ReportPage>(`/imports/${id}/report`, {
      outcome,
      afterLine: after ?? undefined,
      limit: DOWNLOAD_PAGE,
    });
    items.push(...page.items);
    after = page.nextAfterLine;
  } while (after !== null);
  downloadJson(`import-${id}-report.json`, items);
}

export function ImportReport({ record }: { record: ImportRecord }) {
  const t = useImportStrings();
  const { can } = useAuth();
  const [outcome, setOutcome] = useState<string>('');
  const [preparing, setPreparing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const paged = usePaged<ReportLine>(`/imports/${record.id}/report`, {
    query: { outcome: outcome || undefined, limit: PAGE },
    cursorParam: 'afterLine',
    nextField: 'nextAfterLine',
    // Read again as lines come in while the import runs, and once when it ends.
    version: record.status === 'running' ? record.processedRows : -1,
  });
  const columns: Column<ReportLine>[] = [
    { key: 'line', header: t('colLine'), align: 'right', cell: (l) => l.line },
    {
      key: 'outcome',
      header: t('colOutcome'),
      cell: (l) => (
        <StatusBadge status={OUTCOME_TONE[l.outcome]} label={t(`outcome.${l.outcome}`)} />
      ),
    },
    {
      key: 'reason',
      header: t('colReason'),
      cell: (l) =>
        l.reason === null ? (
          t('none')
        ) : INVALID_REASONS.has(l.reason) ? (
          <span title={l.reason}>{t(`why.${l.reason}` as 'why.empty')}</span>
        ) : (
          l.reason
        ),
    },
    {
      key: 'phone',
      header: t('colNumber'),
      cell: (l) => <span className="imports-number">{l.maskedPhone ?? t('none')}</span>,
    },
    {
      key: 'contact',
      header: t('colContact'),
      cell: (l) =>
        l.contactId === null ? (
          t('none')
        ) : can('contacts:read') ? (
          <Link to={`/contacts/${l.contactId}`}>#{l.contactId}</Link>
        ) : (
          `#${l.contactId}`
        ),
    },
  ];
  const download = async () => {
    setPreparing(true);
    setError(null);
    try {
      await downloadReport(record.id, outcome || undefined);
    } catch (err) {
      setError(err);
    } finally {
      setPreparing(false);
    }
  };
  return (
    <Card title={t('reportTitle')}>
      <div className="imports-report-bar">
        <Field label={t('reportFilter')}>
          {(id) => (
            <select id={id} value={outcome} onChange={(e) => setOutcome(e.target.value)}>
              <option value="">{t('allOutcomes')}</option>
              {IMPORT_OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {t(`outcome.${o}`)} ({record.counts[o]})
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="imports-downloads">
          <a
            className="imports-download"
            href={apiUrl(`/imports/${record.id}/report`, {
              format: 'csv',
              outcome: outcome || undefined,
            })}
            download={`import-${record.id}-report.csv`}
          >
            {t('downloadCsv')}
          </a>
          <button type="button" onClick={() => void download()} disabled={preparing}>
            {preparing ? t('preparing') : t('downloadJson')}
          </button>
        </div>
      </div>
      <ErrorNote error={error ?? paged.error} />
      {paged.loading && paged.items.length === 0 ? (
        <Loading />
      ) : (
        <DataTable
          columns={columns}
          rows={paged.items}
          rowKey={(l) => l.line}
          caption={t('reportCaption')}
          empty={
            outcome
              ? t('reportEmpty')
              : record.status === 'running'
                ? t('reportPending')
                : t('reportNone')
          }
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
  );
}
