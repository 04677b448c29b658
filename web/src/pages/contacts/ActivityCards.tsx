/** A contact's messages, clicks and events: each a table of its own, newest first. */
import { Link } from 'react-router';
import { Card, DataTable, ErrorNote, Loading, StatusBadge } from '../../components/ui';
import type { Column } from '../../components/ui';
import { useFormat } from '../../lib/i18n';
import { useContactStrings } from './strings';
import type { Click, ContactEvent, Message } from './types';
import { usePaged, type Paged } from './use-paged';

const PAGE = 20;

function More<T>({ paged }: { paged: Paged<T> }) {
  const t = useContactStrings();
  if (paged.loading && paged.items.length === 0) return <Loading />;
  if (!paged.more) return null;
  return (
    <div className="contacts-more">
      <button type="button" onClick={paged.more}>
        {t('more')}
      </button>
    </div>
  );
}

export function MessagesCard({ contactId, version }: { contactId: number; version: number }) {
  const t = useContactStrings();
  const f = useFormat();
  const paged = usePaged<Message>('/messages', {
    query: { contactId, limit: PAGE },
    cursorParam: 'before',
    nextField: 'nextBefore',
    version,
  });
  const columns: Column<Message>[] = [
    { key: 'at', header: t('colSent'), cell: (m) => f.dateTime(m.createdAt) },
    {
      key: 'purpose',
      header: t('colPurpose'),
      cell: (m) =>
        m.purpose === 'marketing' || m.purpose === 'transactional'
          ? t(`purpose.${m.purpose}`)
          : m.purpose,
    },
    {
      key: 'status',
      header: t('colMessageStatus'),
      cell: (m) => <StatusBadge status={m.status} />,
    },
    {
      key: 'why',
      header: t('colWhy'),
      cell: (m) => (m.errorCode ? <code>{m.errorCode}</code> : t('none')),
    },
    {
      key: 'body',
      header: t('colBody'),
      cell: (m) => <span className="contacts-body">{m.body ?? t('none')}</span>,
    },
    {
      key: 'campaign',
      header: t('colCampaign'),
      cell: (m) =>
        m.campaignId === null ? (
          t('none')
        ) : (
          <Link to={`/campaigns/${m.campaignId}`}>#{m.campaignId}</Link>
        ),
    },
  ];
  return (
    <Card title={t('messagesTitle')}>
      <ErrorNote error={paged.error} />
      {paged.items.length > 0 || !paged.loading ? (
        <DataTable
          columns={columns}
          rows={paged.items}
          rowKey={(m) => m.id}
          caption={t('messagesCaption')}
          empty={t('messagesEmpty')}
        />
      ) : null}
      <More paged={paged} />
    </Card>
  );
}

export function ClicksCard({ contactId }: { contactId: number }) {
  const t = useContactStrings();
  const f = useFormat();
  const paged = usePaged<Click>(`/contacts/${contactId}/clicks`, {
    query: { limit: PAGE },
    cursorParam: 'before',
    nextField: 'nextBefore',
  });
  const columns: Column<Click>[] = [
    { key: 'at', header: t('colClickedAt'), cell: (c) => f.dateTime(c.at) },
    {
      key: 'link',
      header: t('colLink'),
      cell: (c) => <span className="contacts-url">{c.target}</span>,
    },
    {
      key: 'campaign',
      header: t('colCampaign'),
      cell: (c) =>
        c.campaignId === null
          ? t('none')
          : `#${c.campaignId}${c.variant ? ` · ${t('colVariant')} ${c.variant}` : ''}`,
    },
    {
      key: 'who',
      header: t('colWho'),
      cell: (c) => (
        <StatusBadge
          status={c.bot ? 'unknown' : 'completed'}
          label={c.bot ? t('bot') : t('person')}
        />
      ),
    },
  ];
  return (
    <Card title={t('clicksTitle')}>
      <ErrorNote error={paged.error} />
      {paged.items.length > 0 || !paged.loading ? (
        <DataTable
          columns={columns}
          rows={paged.items}
          rowKey={(c) => c.id}
          caption={t('clicksCaption')}
          empty={t('clicksEmpty')}
        />
      ) : null}
      <More paged={paged} />
    </Card>
  );
}

function describeProperties(properties: Record<string, unknown>): string {
  return Object.entries(properties)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

export function EventsCard({ contactId }: { contactId: number }) {
  const t = useContactStrings();
  const f = useFormat();
  const paged = usePaged<ContactEvent>(`/contacts/${contactId}/events`, {
    query: { limit: PAGE },
    cursorParam: 'cursor',
    nextField: 'nextCursor',
  });
  const columns: Column<ContactEvent>[] = [
    { key: 'at', header: t('colOccurred'), cell: (e) => f.dateTime(e.occurredAt) },
    { key: 'type', header: t('colEventType'), cell: (e) => <code>{e.type}</code> },
    {
      key: 'props',
      header: t('colProperties'),
      cell: (e) => describeProperties(e.properties) || t('none'),
    },
  ];
  return (
    <Card title={t('eventsTitle')}>
      <ErrorNote error={paged.error} />
      {paged.items.length > 0 || !paged.loading ? (
        <DataTable
          columns={columns}
          rows={paged.items}
          rowKey={(e) => e.id}
          caption={t('eventsCaption')}
          empty={t('eventsEmpty')}
        />
      ) : null}
      <More paged={paged} />
    </Card>
  );
}
