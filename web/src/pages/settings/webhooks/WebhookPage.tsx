/** One endpoint's recent deliveries, newest first, with every attempt; refreshed as they go. */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  Card,
  DataTable,
  ErrorNote,
  Field,
  Loading,
  Page,
  Stat,
  StatusBadge,
} from '../../../components/ui';
import { useFormat } from '../../../lib/i18n';
import { useApi } from '../../../lib/use-api';
import { DELIVERY_STATUSES, useHookStrings, type WebhookView } from './strings';
import { HookState, useEventLabel } from './WebhooksPage';

interface Attempt {
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  verdict: string;
  response: string | null;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  finishedAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  history: Attempt[];
}

const TONE: Record<string, string> = {
  delivered: 'delivered',
  failed: 'failed',
  sending: 'sending',
  pending: 'queued',
  retry: 'deferred',
};

export function WebhookPage() {
  const { id } = useParams();
  const t = useHookStrings();
  const f = useFormat();
  const eventLabel = useEventLabel();
  const [status, setStatus] = useState('');
  const hook = useApi<WebhookView>(`/webhooks/${id}`);
  const deliveries = useApi<{ items: Delivery[] }>(
    `/webhooks/${id}/deliveries`,
    { limit: 50, status },
    4000,
  );
  const items = deliveries.data?.items ?? [];
  const count = (s: string) => items.filter((d) => d.status === s).length;
  const statusLabel = (s: string) =>
    (DELIVERY_STATUSES as readonly string[]).includes(s)
      ? t(`hook.status.${s}` as 'hook.status.pending')
      : s;
  return (
    <Page
      title={t('hook.title')}
      actions={
        <Link className="settings-button-link" to="/settings/webhooks">
          {t('hook.back')}
        </Link>
      }
    >
      <ErrorNote error={hook.error ?? deliveries.error} onRetry={deliveries.reload} />
      {hook.data ? (
        <Card title={t('hook.endpoint')}>
          <div className="settings-card-head">
            <p className="settings-mono settings-url">{hook.data.url}</p>
            <HookState hook={hook.data} />
          </div>
          <div className="settings-badges">
            {hook.data.events.map((e) => (
              <span key={e} className="badge badge-info" title={eventLabel(e)}>
                {e}
              </span>
            ))}
          </div>
        </Card>
      ) : null}
      {deliveries.loading && !deliveries.data ? <Loading /> : null}
      {deliveries.data ? (
        <>
          <div className="stats">
            <Stat label={t('hook.stat.recent')} value={items.length} />
            {DELIVERY_STATUSES.map((s) => (
              <Stat key={s} label={statusLabel(s)} value={count(s)} />
            ))}
          </div>
          <Card title={t('hooks.deliveries')}>
            <div className="settings-inline">
              <Field label={t('hook.status')}>
                {(fieldId) => (
                  <select id={fieldId} value={status} onChange={(e) => setStatus(e.target.value)}>
                    <option value="">{t('hook.allStatuses')}</option>
                    {DELIVERY_STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {statusLabel(s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <p className="settings-subtle">{t('hook.autoRefresh')}</p>
            </div>
            <DataTable
              caption={t('hooks.deliveries')}
              rows={items}
              rowKey={(d) => d.id}
              empty={t('hook.empty')}
              columns={[
                {
                  key: 'event',
                  header: t('hook.event'),
                  cell: (d) => (
                    <>
                      <span className="settings-mono" title={eventLabel(d.eventType)}>
                        {d.eventType}
                      </span>
                      <div className="settings-subtle settings-mono">{d.id}</div>
                    </>
                  ),
                },
                {
                  key: 'status',
                  header: t('hook.status'),
                  cell: (d) => (
                    <StatusBadge
                      status={TONE[d.status] ?? d.status}
                      label={statusLabel(d.status)}
                    />
                  ),
                },
                {
                  key: 'attempts',
                  header: t('hook.attempts'),
                  cell: (d) => d.attempts,
                  align: 'right',
                },
                {
                  key: 'created',
                  header: t('hook.created'),
                  cell: (d) => <span className="settings-nowrap">{f.dateTime(d.createdAt)}</span>,
                },
                {
                  key: 'last',
                  header: t('hook.last'),
                  cell: (d) =>
                    d.lastStatusCode !== null
                      ? `HTTP ${d.lastStatusCode}`
                      : (d.lastError ?? (d.attempts > 0 ? t('hook.noAnswer') : '–')),
                },
                {
                  key: 'next',
                  header: t('hook.next'),
                  cell: (d) =>
                    d.finishedAt ? (
                      '–'
                    ) : (
                      <span className="settings-nowrap">{f.dateTime(d.nextAttemptAt)}</span>
                    ),
                },
                {
                  key: 'history',
                  header: t('hook.history'),
                  cell: (d) =>
                    d.history.length === 0 ? (
                      '–'
                    ) : (
                      <ol className="settings-history">
                        {d.history.map((a) => (
                          <li key={a.attempt} title={a.response ?? a.error ?? undefined}>
                            <StatusBadge
                              status={TONE[a.verdict] ?? a.verdict}
                              label={t('hook.attempt', {
                                n: a.attempt,
                                status:
                                  a.statusCode !== null
                                    ? String(a.statusCode)
                                    : (a.error ?? t('hook.noAnswer')),
                                ms: a.durationMs,
                              })}
                            />
                          </li>
                        ))}
                      </ol>
                    ),
                },
              ]}
            />
          </Card>
        </>
      ) : null}
    </Page>
  );
}
