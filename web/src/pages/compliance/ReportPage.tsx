/**
 * The compliance report of a period (whole local days): the verdict, the figures as cards
 * (consent at send time, suppressed, quiet hours and holidays, opt-out honour times p50/p99),
 * staff reveals and exports, the findings, and links to the same report as JSON, CSV and a
 * print-ready page.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import {
  Card,
  DataTable,
  ErrorNote,
  Field,
  Loading,
  Page,
  Stat,
  type Column,
} from '../../components/ui';
import { apiUrl } from '../../lib/api';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { Badge, FieldError, Time } from './parts';
import { plural, useStrings } from './strings';
import { COMPLIANCE_PROBLEMS, type ComplianceReport } from './types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A local calendar day as YYYY-MM-DD. */
const dayOf = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Local midnight at the start of a YYYY-MM-DD day, plus some days. */
const midnight = (day: string, plusDays = 0) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays);
};

function defaultPeriod(): { from: string; to: string } {
  const today = new Date();
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29);
  return { from: dayOf(from), to: dayOf(today) };
}

export function ReportPage() {
  const t = useStrings();
  const [params, setParams] = useSearchParams();
  const fallback = defaultPeriod();
  const fromDay = DAY.test(params.get('from') ?? '') ? params.get('from')! : fallback.from;
  const toDay = DAY.test(params.get('to') ?? '') ? params.get('to')! : fallback.to;
  const [draft, setDraft] = useState({ from: fromDay, to: toDay });
  const [periodError, setPeriodError] = useState<string | null>(null);
  // The period is [first day 00:00, the day after the last 00:00) in the viewer's time.
  const query = {
    from: midnight(fromDay).toISOString(),
    to: midnight(toDay, 1).toISOString(),
  };
  const report = useApi<ComplianceReport>('/reports/compliance', query);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!DAY.test(draft.from) || !DAY.test(draft.to) || draft.from > draft.to) {
      setPeriodError(t('err.period'));
      return;
    }
    setPeriodError(null);
    setParams(new URLSearchParams(draft), { replace: true });
  };

  return (
    <Page title={t('section.report')}>
      <p className="muted compliance-intro">{t('reportIntro')}</p>
      <Card>
        <form className="row compliance-period" onSubmit={submit} noValidate>
          <Field label={t('periodFrom')}>
            {(id) => (
              <input
                id={id}
                type="date"
                value={draft.from}
                onChange={(e) => setDraft({ ...draft, from: e.target.value })}
                aria-invalid={periodError ? true : undefined}
              />
            )}
          </Field>
          <Field label={t('periodTo')}>
            {(id) => (
              <input
                id={id}
                type="date"
                value={draft.to}
                onChange={(e) => setDraft({ ...draft, to: e.target.value })}
                aria-invalid={periodError ? true : undefined}
              />
            )}
          </Field>
          <div className="compliance-inline-actions">
            <button type="submit" className="primary">
              {t('show')}
            </button>
          </div>
        </form>
        <FieldError id="compliance-period-err" message={periodError} />
        <nav className="compliance-downloads" aria-label={t('downloads')}>
          <span className="muted">{t('downloads')}:</span>
          <a href={apiUrl('/reports/compliance', { ...query, format: 'json' })}>{t('openJson')}</a>
          <a href={apiUrl('/reports/compliance', { ...query, format: 'csv' })} download>
            {t('openCsv')}
          </a>
          <a
            href={apiUrl('/reports/compliance', { ...query, format: 'html' })}
            target="_blank"
            rel="noopener"
          >
            {t('openHtml')}
          </a>
        </nav>
      </Card>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.data ? <ReportBody report={report.data} /> : report.loading ? <Loading /> : null}
    </Page>
  );
}

function ReportBody({ report }: { report: ComplianceReport }) {
  const t = useStrings();
  const f = useFormat();
  const m = report.marketing;
  const withFindings = m.checked - m.compliant;
  const share = (n: number) =>
    m.checked > 0 ? t('ofChecked', { percent: f.percent(n / m.checked) }) : undefined;
  const withConsent = m.checked - (m.problems.no_consent ?? 0) - (m.problems.unverifiable ?? 0);
  const seconds = (s: number | null) =>
    s === null ? '–' : t('seconds', { value: f.number(s, 1) });
  const o = report.optOuts;

  const staff: Column<ComplianceReport['staffNumberAccess'][number]>[] = [
    { key: 'actor', header: t('actor'), cell: (s) => s.actor },
    { key: 'action', header: t('action'), cell: (s) => <code>{s.action}</code> },
    { key: 'n', header: t('times'), cell: (s) => f.number(s.n), align: 'right' },
    { key: 'first', header: t('first'), cell: (s) => <Time iso={s.first} format={f.dateTime} /> },
    { key: 'last', header: t('last'), cell: (s) => <Time iso={s.last} format={f.dateTime} /> },
  ];
  const findings: Column<ComplianceReport['marketing']['findings'][number]>[] = [
    { key: 'msg', header: t('message'), cell: (x) => `#${x.messageId}`, align: 'right' },
    { key: 'campaign', header: t('campaign'), cell: (x) => x.campaignId ?? '–' },
    { key: 'sent', header: t('sentAt'), cell: (x) => <Time iso={x.sentAt} format={f.dateTime} /> },
    { key: 'country', header: t('country'), cell: (x) => x.country ?? '–' },
    {
      key: 'problem',
      header: t('problem'),
      cell: (x) => <Badge tone="bad">{t(`problem.${x.problem}`)}</Badge>,
    },
    { key: 'detail', header: t('details'), cell: (x) => x.detail ?? '–' },
    {
      key: 'consent',
      header: t('consentEvent'),
      cell: (x) =>
        x.consent ? `#${x.consent.eventId} ${x.consent.action} · ${x.consent.method}` : '–',
    },
  ];
  const revokes = Object.entries(o.revokesByMethod).map(([method, n]) => ({ method, n }));

  return (
    <>
      <div
        className={`compliance-verdict compliance-verdict-${m.checked === 0 ? 'none' : withFindings === 0 ? 'ok' : 'bad'}`}
        role="status"
      >
        <Badge tone={m.checked === 0 ? 'neutral' : withFindings === 0 ? 'good' : 'bad'}>
          {m.checked === 0 ? '–' : withFindings === 0 ? '✓' : '!'}
        </Badge>{' '}
        {m.checked === 0
          ? t('verdictNone')
          : withFindings === 0
            ? t('verdictOk')
            : plural(t, 'verdictBad', withFindings, { formatted: f.number(withFindings) })}
      </div>

      <Card title={t('marketingTitle')}>
        {m.checked > 0 ? (
          <div
            className="compliance-meter"
            role="img"
            aria-label={`${t('compliant')}: ${f.percent(m.compliant / m.checked)}`}
          >
            <span style={{ width: `${(100 * m.compliant) / m.checked}%` }} />
          </div>
        ) : null}
        <div className="stats compliance-figures" data-part="marketing">
          <Stat label={t('checked')} value={f.number(m.checked)} />
          <Stat label={t('compliant')} value={f.number(m.compliant)} hint={share(m.compliant)} />
          <Stat label={t('withConsent')} value={f.number(withConsent)} hint={share(withConsent)} />
          {COMPLIANCE_PROBLEMS.map((p) => (
            // A problem that happened stands out; the wrapper is the grid's cell.
            <div key={p} className={m.problems[p] ? 'compliance-stat-bad' : undefined}>
              <Stat label={t(`problem.${p}`)} value={f.number(m.problems[p] ?? 0)} />
            </div>
          ))}
        </div>
      </Card>

      <Card title={t('optOutsTitle')}>
        <div className="stats compliance-figures" data-part="opt-outs">
          <Stat label={t('replies')} value={f.number(o.replies)} />
          <Stat label={t('honoured')} value={f.number(o.honoured)} />
          <Stat label={t('notHonoured')} value={f.number(o.notHonoured)} />
          <Stat label={t('p50')} value={seconds(o.latency.p50Seconds)} />
          <Stat label={t('p99')} value={seconds(o.latency.p99Seconds)} />
          <Stat label={t('max')} value={seconds(o.latency.maxSeconds)} />
        </div>
        <h3 className="compliance-subtitle">{t('revokesCaption')}</h3>
        <div className="compliance-narrow">
          <DataTable
            columns={[
              { key: 'method', header: t('method'), cell: (r) => r.method },
              { key: 'n', header: t('count'), cell: (r) => f.number(r.n), align: 'right' },
            ]}
            rows={revokes}
            rowKey={(r) => r.method}
            caption={t('revokesCaption')}
            empty={t('emptyRevokes')}
          />
        </div>
      </Card>

      <Card title={t('staffTitle')}>
        <DataTable
          columns={staff}
          rows={report.staffNumberAccess}
          rowKey={(s) => `${s.actor}|${s.action}`}
          caption={t('staffTable')}
          empty={t('emptyStaff')}
        />
      </Card>

      <Card title={t('findingsTitle')}>
        {m.findingsTruncated ? (
          <p className="muted">{t('findingsTruncated', { count: m.findings.length })}</p>
        ) : null}
        <DataTable
          columns={findings}
          rows={m.findings}
          rowKey={(x) => `${x.messageId}-${x.problem}`}
          caption={t('findingsTable')}
          empty={t('emptyFindings')}
        />
      </Card>
    </>
  );
}
