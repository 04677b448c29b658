/**
 * One message: where it stands, the send decision and its reason, the carrier and its error
 * code, the text, and its history (every status change, oldest first). The number is masked.
 */
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import {
  Card,
  DataTable,
  ErrorNote,
  Loading,
  Page,
  StatusBadge,
  type Column,
} from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useCommon } from '../../lib/strings';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { useLabels, type MessageView } from './labels';
import { useMessageStrings } from './strings';

type HistoryRow = NonNullable<MessageView['history']>[number] & { n: number };

const DECISION_TONE: Record<string, string> = {
  send: 'delivered',
  defer: 'deferred',
  block: 'blocked',
};

export function MessageDetail() {
  const t = useMessageStrings();
  const common = useCommon();
  const { id } = useParams();
  const valid = /^\d+$/.test(id ?? '');
  const { data, error, loading, reload } = useApi<MessageView>(valid ? `/messages/${id}` : null);
  const title = t('messageTitle', { id: id ?? '' });
  return (
    <Page
      title={title}
      actions={
        <Link to="/messages" className="messages-back">
          {t('back')}
        </Link>
      }
    >
      {!valid ? <p className="muted">{common('notFound')}</p> : null}
      <ErrorNote error={error} onRetry={reload} />
      {!data && loading ? <Loading /> : null}
      {data ? <MessageBody message={data} /> : null}
    </Page>
  );
}

function Facts({ items }: { items: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="messages-facts">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function MessageBody({ message: m }: { message: MessageView }) {
  const t = useMessageStrings();
  const labels = useLabels();
  const fmt = useFormat();
  const { can } = useAuth();
  const dash = <span className="muted">–</span>;
  const history: HistoryRow[] = (m.history ?? []).map((h, n) => ({ ...h, n }));
  const columns: Column<HistoryRow>[] = [
    {
      key: 'at',
      header: t('at'),
      cell: (h) => (
        <time className="messages-when" dateTime={h.at}>
          {new Date(h.at).toLocaleString(fmt.locale, { dateStyle: 'medium', timeStyle: 'medium' })}
        </time>
      ),
    },
    {
      key: 'status',
      header: t('status'),
      cell: (h) => <StatusBadge status={h.status} label={labels.status(h.status)} />,
    },
    {
      key: 'detail',
      header: t('detail'),
      cell: (h) =>
        h.detail ? (
          <span>
            {labels.reason(h.detail)}
            {labels.reason(h.detail) !== h.detail ? (
              <code className="messages-code">{h.detail}</code>
            ) : null}
          </span>
        ) : (
          dash
        ),
    },
    { key: 'carrier', header: t('carrierCol'), cell: (h) => h.carrier ?? dash },
  ];
  const decision = m.decision;
  return (
    <>
      <div className="messages-headline">
        <StatusBadge status={m.status} label={labels.status(m.status)} />
        <span className="messages-phone">{m.to ?? t('erased')}</span>
        <span className="muted">{labels.purpose(m.purpose)}</span>
      </div>
      <div className="grid">
        <Card title={t('summary')}>
          <Facts
            items={[
              [t('recipient'), <span className="messages-phone">{m.to ?? t('erased')}</span>],
              [
                t('contact'),
                m.contactId === null ? (
                  dash
                ) : can('contacts:read') ? (
                  <Link to={`/contacts/${m.contactId}`}>
                    {t('contactLink', { id: m.contactId })}
                  </Link>
                ) : (
                  t('contactLink', { id: m.contactId })
                ),
              ],
              [t('country'), m.country ?? dash],
              [t('kind'), labels.kind(m.kind)],
              [
                t('campaignCol'),
                m.campaignId === null ? (
                  dash
                ) : can('campaigns:read') ? (
                  <Link to={`/campaigns/${m.campaignId}`}>
                    {t('campaignLink', { id: m.campaignId })}
                  </Link>
                ) : (
                  t('campaignLink', { id: m.campaignId })
                ),
              ],
              [t('created'), fmt.dateTime(m.createdAt)],
              [t('sentAt'), fmt.dateTime(m.sentAt)],
              [t('deliveredAt'), fmt.dateTime(m.deliveredAt)],
            ]}
          />
        </Card>
        <Card title={t('decision')}>
          {decision ? (
            <Facts
              items={[
                [
                  t('action'),
                  <StatusBadge
                    status={DECISION_TONE[decision.action] ?? decision.action}
                    label={t(`decision.${decision.action}` as 'decision.send')}
                  />,
                ],
                [t('reasonCol'), decision.reason ? labels.reason(decision.reason) : dash],
                ...(decision.until ? [[t('until'), fmt.dateTime(decision.until)] as const] : []),
              ]}
            />
          ) : (
            <p className="muted">{t('noDecision')}</p>
          )}
          <h3 className="messages-subhead">{t('carrier')}</h3>
          <Facts
            items={[
              [t('carrier'), m.carrier ?? dash],
              [
                t('errorCode'),
                m.errorCode ? (
                  <span>
                    {labels.reason(m.errorCode)}
                    {labels.reason(m.errorCode) !== m.errorCode ? (
                      <code className="messages-code">{m.errorCode}</code>
                    ) : null}
                  </span>
                ) : (
                  dash
                ),
              ],
              [
                t('carrierMessageId'),
                m.carrierMessageId ? <code>{m.carrierMessageId}</code> : dash,
              ],
              [t('sender'), m.sender ?? dash],
              [t('segments'), fmt.number(m.segments)],
              [t('attempts'), fmt.number(m.attempts)],
            ]}
          />
        </Card>
      </div>
      <Card title={t('text')}>
        {m.body ? (
          <p className="messages-text">{m.body}</p>
        ) : (
          <p className="muted">{t('noText')}</p>
        )}
      </Card>
      <Card title={t('history')}>
        <DataTable
          columns={columns}
          rows={history}
          rowKey={(h) => h.n}
          caption={t('historyCaption')}
          empty={t('noHistory')}
        />
      </Card>
    </>
  );
}
