/**
 * /imports/:id: progress while the import runs (polled), then the outcome of every line as stat
 * cards and a share bar, the provenance it was started with, and the row-level report to read
 * here or download as CSV or JSON.
 */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Card, ErrorNote, Loading, Page, Stat, StatusBadge } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { IMPORT_OUTCOMES } from './domain';
import { ImportReport } from './ImportReport';
import { useImportStrings } from './strings';
import type { ConsentText, ImportRecord } from './types';

const POLL_MS = 1000;

export function statusTone(status: string): string {
  return status === 'done' ? 'completed' : status === 'failed' ? 'failed' : 'running';
}

export function ImportDetail() {
  const t = useImportStrings();
  const f = useFormat();
  const id = Number(useParams().id);
  const [polling, setPolling] = useState(true);
  const loaded = useApi<ImportRecord>(
    id > 0 ? `/imports/${id}` : null,
    undefined,
    polling ? POLL_MS : undefined,
  );
  const record = loaded.data;
  // Poll while it runs; stop once it is done or failed.
  useEffect(() => {
    if (record && record.status !== 'running') setPolling(false);
  }, [record]);
  const stillRunning = record?.status === 'running';

  if (!record) {
    return (
      <Page title={t('importTitle', { id })}>
        <ErrorNote error={loaded.error} onRetry={loaded.reload} />
        {loaded.loading ? <Loading /> : null}
      </Page>
    );
  }
  const total = IMPORT_OUTCOMES.reduce((sum, o) => sum + record.counts[o], 0);
  return (
    <Page
      title={t('importTitle', { id: record.id })}
      actions={
        <StatusBadge
          status={statusTone(record.status)}
          label={t(`status.${record.status}` as 'status.done')}
        />
      }
    >
      <p className="imports-back">
        <Link to="/imports">← {t('back')}</Link>
      </p>
      {record.status === 'failed' && record.error ? (
        <ErrorNote error={new Error(t('failed', { error: record.error }))} />
      ) : null}
      {stillRunning ? <Progress record={record} /> : null}
      <Card title={t('summaryTitle')}>
        <div className="stats imports-outcomes">
          <Stat label={t('total')} value={f.number(total)} hint={record.fileName} />
          {IMPORT_OUTCOMES.map((o) => (
            <div key={o} className={`imports-outcome imports-outcome-${o}`}>
              <Stat
                label={t(`outcome.${o}`)}
                value={f.number(record.counts[o])}
                hint={t(`hint.${o}`)}
              />
            </div>
          ))}
        </div>
        {total > 0 ? <ShareBar record={record} total={total} /> : null}
      </Card>
      <Provenance record={record} />
      <ImportReport record={record} />
    </Page>
  );
}

function Progress({ record }: { record: ImportRecord }) {
  const t = useImportStrings();
  const f = useFormat();
  const total = Math.max(record.estimatedRows, record.processedRows, 1);
  return (
    <Card title={t('progressTitle')}>
      <progress
        className="imports-progress"
        max={total}
        value={record.processedRows}
        aria-label={t('progressLabel')}
      />
      <p role="status">
        {t('progress', { done: f.number(record.processedRows), total: f.number(total) })}
      </p>
    </Card>
  );
}

/** The share of each outcome as one bar; the numbers are in the stat cards above it. */
function ShareBar({ record, total }: { record: ImportRecord; total: number }) {
  const t = useImportStrings();
  const f = useFormat();
  const summary = IMPORT_OUTCOMES.filter((o) => record.counts[o] > 0)
    .map((o) => `${t(`outcome.${o}`)} ${f.percent(record.counts[o] / total)}`)
    .join(', ');
  return (
    <div className="imports-share" role="img" aria-label={`${t('shareLabel')}: ${summary}`}>
      {IMPORT_OUTCOMES.filter((o) => record.counts[o] > 0).map((o) => (
        <span
          key={o}
          className={`imports-share-part imports-fill-${o}`}
          style={{ flexGrow: record.counts[o] }}
          title={`${t(`outcome.${o}`)}: ${f.number(record.counts[o])}`}
        />
      ))}
    </div>
  );
}

function Provenance({ record }: { record: ImportRecord }) {
  const t = useImportStrings();
  const f = useFormat();
  const { can } = useAuth();
  const texts = useApi<{ items: ConsentText[] }>(
    can('consent:read') && record.consentTextId !== null ? '/consent-texts' : null,
  );
  const text = texts.data?.items.find((x) => x.id === record.consentTextId);
  const rows: [string, string][] = [
    [t('source'), record.source],
    [
      t('purpose'),
      record.purpose === 'marketing' || record.purpose === 'transactional'
        ? t(`purpose.${record.purpose}`)
        : record.purpose,
    ],
    [t('consentMethod'), record.consentMethod ?? t('none')],
    [
      t('consentText'),
      record.consentTextId === null
        ? t('none')
        : text
          ? t('textOption', { key: text.key, version: text.version, locale: text.locale })
          : `#${record.consentTextId}`,
    ],
    [
      t('mapping'),
      Object.entries(record.mapping)
        .map(([field, column]) => `${column} → ${field}`)
        .join(', ') || t('none'),
    ],
    [t('ignored'), record.ignoredColumns.join(', ') || t('none')],
    [t('createdBy'), record.createdBy],
    [t('createdAt'), f.dateTime(record.createdAt)],
    [t('finishedAt'), f.dateTime(record.finishedAt)],
    [t('sha256'), record.sha256],
  ];
  return (
    <Card title={t('detailsTitle')}>
      <dl className="imports-facts">
        {rows.map(([label, value]) => (
          <div key={label} className="imports-fact">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
