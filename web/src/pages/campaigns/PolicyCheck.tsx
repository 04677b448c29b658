/**
 * What an approver reads before approving: each variant linted against the policy pack of each
 * country the audience lives in (GET /v1/campaigns/:id/policy-check), as the decision at send
 * time will lint every message.
 */
import { ErrorNote, Loading, StatusBadge } from '../../components/ui';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { useCampaignStrings } from './strings';

const SEVERITY_TONE = { error: 'failed', warning: 'deferred', info: 'sent' } as const;
type Severity = keyof typeof SEVERITY_TONE;

interface PolicyCheckAnswer {
  ok: boolean;
  otherContacts: number;
  countries: {
    country: string;
    contacts: number;
    policy: string;
    variants: {
      key: string;
      ok: boolean;
      issues: { code: string; severity: Severity; message: string }[];
    }[];
  }[];
}

export function PolicyCheck({ campaignId }: { campaignId: number }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const check = useApi<PolicyCheckAnswer>(`/campaigns/${campaignId}/policy-check`);
  const data = check.data;
  return (
    <section className="campaigns-policy-check" aria-labelledby={`policy-check-${campaignId}`}>
      <h3 id={`policy-check-${campaignId}`}>{t('policyCheck')}</h3>
      {check.error ? <ErrorNote error={check.error} onRetry={check.reload} /> : null}
      {!data && !check.error ? <Loading /> : null}
      {data ? (
        <>
          <p>
            <StatusBadge
              status={data.ok ? 'delivered' : 'failed'}
              label={data.ok ? t('policyCheckOk') : t('policyCheckErrors')}
            />
          </p>
          <ul className="campaigns-policy-countries">
            {data.countries.map((c) => (
              <li key={c.country}>
                <strong>
                  {t('policyCountry' as 'policyCountry_other', {
                    country: c.country || '–',
                    count: c.contacts,
                    contacts: fmt.number(c.contacts),
                    policy: c.policy,
                  })}
                </strong>
                <ul className="campaigns-issues">
                  {c.variants.map((v) => (
                    <li key={v.key}>
                      {t('variant', { key: v.key })}:{' '}
                      {v.issues.length === 0 ? (
                        <StatusBadge status="delivered" label={t('noFindings')} />
                      ) : (
                        v.issues.map((issue, n) => (
                          <span key={`${issue.code}-${n}`} className="campaigns-policy-issue">
                            <StatusBadge
                              status={SEVERITY_TONE[issue.severity]}
                              label={t(`severity.${issue.severity}`)}
                            />{' '}
                            {issue.message}{' '}
                          </span>
                        ))
                      )}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          {data.otherContacts > 0 ? (
            <p className="hint">
              {t('policyOthers' as 'policyOthers_other', {
                count: data.otherContacts,
                contacts: fmt.number(data.otherContacts),
              })}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
