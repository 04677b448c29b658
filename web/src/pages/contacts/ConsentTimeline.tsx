/**
 * The consent ledger of a contact, newest first: each grant or revoke with its purpose, method,
 * source, evidence, the consent text it relied on and who recorded it.
 */
import { useEffect } from 'react';
import { Card, ErrorNote, Loading, StatusBadge } from '../../components/ui';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { useContactStrings } from './strings';
import type { ConsentEvent, Consents } from './types';

function newestFirst(a: ConsentEvent, b: ConsentEvent): number {
  return b.at.localeCompare(a.at) || b.id - a.id;
}

function evidenceText(evidence: Record<string, unknown> | null): string | null {
  if (!evidence) return null;
  const parts = Object.entries(evidence).map(
    ([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return parts.length > 0 ? parts.join(' · ') : null;
}

export function ConsentTimeline({ contactId, version }: { contactId: number; version: number }) {
  const t = useContactStrings();
  const f = useFormat();
  const { data, error, loading, reload } = useApi<Consents>(`/contacts/${contactId}/consents`);
  // After a write on the page (an opt-out), read the ledger again.
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const history = data ? [...data.history].sort(newestFirst) : [];
  return (
    <Card title={t('consentTitle')} className="contacts-consent">
      <ErrorNote error={error} onRetry={reload} />
      {loading && !data ? <Loading /> : null}
      {data && history.length === 0 ? <p className="muted">{t('consentEmpty')}</p> : null}
      {history.length > 0 ? (
        <ol className="contacts-timeline" aria-label={t('consentTitle')}>
          {history.map((e) => {
            const evidence = evidenceText(e.evidence);
            const purpose =
              e.purpose === 'marketing' || e.purpose === 'transactional'
                ? t(`purpose.${e.purpose}`)
                : e.purpose;
            return (
              <li key={e.id} className={`contacts-timeline-item contacts-timeline-${e.action}`}>
                <div className="contacts-timeline-head">
                  <StatusBadge
                    status={e.action === 'grant' ? 'granted' : 'revoked'}
                    label={`${purpose}: ${t(`action.${e.action}`)}`}
                  />
                  <time dateTime={e.at}>{f.dateTime(e.at)}</time>
                </div>
                <dl className="contacts-facts">
                  <dt>{t('method')}</dt>
                  <dd>
                    <code>{e.method}</code>
                  </dd>
                  <dt>{t('source')}</dt>
                  <dd>{e.source}</dd>
                  {evidence ? (
                    <>
                      <dt>{t('evidence')}</dt>
                      <dd>{evidence}</dd>
                    </>
                  ) : null}
                  {e.consentTextId !== null ? (
                    <>
                      <dt>{t('consentText')}</dt>
                      <dd>
                        {t('consentTextValue', {
                          id: e.consentTextId,
                          hash: (e.consentTextHash ?? '').slice(0, 12),
                        })}
                      </dd>
                    </>
                  ) : null}
                  {e.formUrl ? (
                    <>
                      <dt>{t('formUrl')}</dt>
                      <dd className="contacts-url">{e.formUrl}</dd>
                    </>
                  ) : null}
                  <dt>{t('recordedBy')}</dt>
                  <dd>{e.recordedBy}</dd>
                </dl>
              </li>
            );
          })}
        </ol>
      ) : null}
    </Card>
  );
}
