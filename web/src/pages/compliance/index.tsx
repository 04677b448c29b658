/**
 * The compliance area (/compliance/...): suppressions, consent texts, data-subject requests, the
 * audit log and the compliance report. Its sub-navigation offers, and its routes serve, only the
 * pages the caller's permissions open (sections.ts).
 */
import type { ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { Page } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useCommon } from '../../lib/strings';
import { AuditPage } from './AuditPage';
import { ConsentTextPage, ConsentTextsPage } from './ConsentTextsPage';
import { ReportPage } from './ReportPage';
import { RequestsPage } from './RequestsPage';
import { sectionsFor, type Section } from './sections';
import { useStrings } from './strings';
import { SuppressionsPage } from './SuppressionsPage';
import './compliance.css';

const PAGES: Record<Section['key'], { path: string; element: ReactNode }[]> = {
  suppressions: [{ path: 'suppressions', element: <SuppressionsPage /> }],
  consentTexts: [
    { path: 'consent-texts', element: <ConsentTextsPage /> },
    { path: 'consent-texts/:id', element: <ConsentTextPage /> },
  ],
  requests: [{ path: 'requests', element: <RequestsPage /> }],
  audit: [{ path: 'audit', element: <AuditPage /> }],
  report: [{ path: 'report', element: <ReportPage /> }],
};

export default function ComplianceArea() {
  const { can } = useAuth();
  const t = useStrings();
  const common = useCommon();
  const sections = sectionsFor(can);
  if (sections.length === 0) {
    return (
      <Page title={common('nav.compliance')}>
        <p className="muted">{t('noSection')}</p>
      </Page>
    );
  }
  return (
    <div className="compliance">
      <nav className="compliance-tabs" aria-label={t('areaNav')}>
        <ul>
          {sections.map((s) => (
            <li key={s.key}>
              <NavLink to={`/compliance/${s.path}`}>{t(`section.${s.key}`)}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to={`/compliance/${sections[0]!.path}`} replace />} />
        {sections.flatMap((s) =>
          PAGES[s.key].map((p) => <Route key={p.path} path={p.path} element={p.element} />),
        )}
        <Route path="*" element={<p className="muted">{common('notFound')}</p>} />
      </Routes>
    </div>
  );
}
