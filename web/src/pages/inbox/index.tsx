/**
 * The inbox: what people texted back (GET /v1/inbound), newest first, with the sender masked,
 * the text, how Herald read it and what it did. Filtered by classification through tabs kept in
 * the address; keyset paging.
 */
import { useState } from 'react';
import { Link, Route, Routes, useSearchParams } from 'react-router';
import { Card, ErrorNote, Loading, Page, Pager, StatusBadge } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { defineStrings, useFormat } from '../../lib/i18n';
import { useCommon } from '../../lib/strings';
import { useApi } from '../../lib/use-api';
import { INBOUND_INTENTS, useLabels } from '../messages/labels';
import './inbox.css';

const useStrings = defineStrings('inbox', {
  en: {
    title: 'Inbox',
    classification: 'Classification',
    all: 'All',
    caption: 'Inbound messages, newest first',
    none: 'No inbound messages yet.',
    noneOfKind: 'No inbound messages of this kind.',
    from: 'From',
    unknownSender: 'Sender erased',
    received: 'Received',
    text: 'Text',
    noText: 'Text no longer kept',
    read: 'Read as',
    did: 'What Herald did',
    contact: 'Contact {{id}}',
    via: 'via {{carrier}}',
  },
  zh: {
    title: '收件箱',
    classification: '分类',
    all: '全部',
    caption: '收到的短信，最新的在前',
    none: '暂无收到的短信。',
    noneOfKind: '暂无此类短信。',
    from: '发件人',
    unknownSender: '发件人已删除',
    received: '接收时间',
    text: '内容',
    noText: '内容已不再保留',
    read: '识别为',
    did: 'Herald 的处理',
    contact: '联系人 {{id}}',
    via: '经由 {{carrier}}',
  },
});

interface Inbound {
  readonly id: number;
  readonly from: string | null;
  readonly contactId: number | null;
  readonly intent: string;
  readonly action: string | null;
  readonly body: string | null;
  readonly carrier: string;
  readonly receivedAt: string;
}

/** Badge tones: an opt-out is the one a person should notice. */
const INTENT_TONE: Record<string, string> = {
  opt_out: 'blocked',
  opt_in: 'delivered',
  confirm: 'approved',
  help: 'sent',
  other: 'queued',
};

export default function InboxArea() {
  const common = useCommon();
  return (
    <Routes>
      <Route index element={<InboxPage />} />
      <Route path="*" element={<p className="muted">{common('notFound')}</p>} />
    </Routes>
  );
}

function InboxPage() {
  const t = useStrings();
  const labels = useLabels();
  const fmt = useFormat();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const intent = params.get('intent') ?? '';
  const before = params.get('before') ?? '';
  const [trail, setTrail] = useState<string[]>([]);
  const { data, error, loading, reload } = useApi<{ items: Inbound[]; nextBefore: number | null }>(
    '/inbound',
    { intent, before, limit: 25 },
  );
  const go = (next: { intent?: string; before?: string }) => {
    const search = new URLSearchParams();
    const i = next.intent ?? intent;
    if (i) search.set('intent', i);
    if (next.before) search.set('before', next.before);
    setParams(search);
  };
  const tabs = ['', ...INBOUND_INTENTS];

  return (
    <Page title={t('title')}>
      <nav className="inbox-tabs" aria-label={t('classification')}>
        <ul>
          {tabs.map((i) => (
            <li key={i || 'all'}>
              <button
                type="button"
                className={i === intent ? 'inbox-tab inbox-tab-current' : 'inbox-tab'}
                aria-pressed={i === intent}
                onClick={() => {
                  setTrail([]);
                  go({ intent: i, before: '' });
                }}
              >
                {i ? labels.intent(i) : t('all')}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <Card>
        <ErrorNote error={error} onRetry={reload} />
        {!data && loading ? <Loading /> : null}
        {data && data.items.length === 0 ? (
          <p className="muted">{intent ? t('noneOfKind') : t('none')}</p>
        ) : null}
        {data && data.items.length > 0 ? (
          <ol className="inbox-list" aria-label={t('caption')}>
            {data.items.map((m) => (
              <li key={m.id} className="inbox-item">
                <div className="inbox-meta">
                  <span className="inbox-from">{m.from ?? t('unknownSender')}</span>
                  {m.contactId !== null && can('contacts:read') ? (
                    <Link to={`/contacts/${m.contactId}`}>{t('contact', { id: m.contactId })}</Link>
                  ) : null}
                  <span className="muted">
                    <time dateTime={m.receivedAt}>{fmt.dateTime(m.receivedAt)}</time>{' '}
                    {t('via', { carrier: m.carrier })}
                  </span>
                </div>
                <p className={m.body === null ? 'inbox-text muted' : 'inbox-text'}>
                  {m.body ?? t('noText')}
                </p>
                <dl className="inbox-outcome">
                  <div>
                    <dt>{t('read')}</dt>
                    <dd>
                      <StatusBadge
                        status={INTENT_TONE[m.intent] ?? 'queued'}
                        label={labels.intent(m.intent)}
                      />
                    </dd>
                  </div>
                  <div>
                    <dt>{t('did')}</dt>
                    <dd>{labels.action(m.action)}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ol>
        ) : null}
        {data ? (
          <Pager
            onPrevious={
              before
                ? () => {
                    setTrail(trail.slice(0, -1));
                    go({ before: trail.at(-1) ?? '' });
                  }
                : null
            }
            onNext={
              data.nextBefore
                ? () => {
                    setTrail([...trail, before]);
                    go({ before: String(data.nextBefore) });
                  }
                : null
            }
          />
        ) : null}
      </Card>
    </Page>
  );
}
