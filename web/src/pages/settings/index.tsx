/**
 * The settings area (/settings/...): carriers and routes, policy packs, users and roles, API
 * keys, webhooks and abuse protection. The sub-navigation offers only the sections the role may
 * use, and only those are routed; the API checks every call again.
 */
import type { ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useAuth } from '../../lib/auth';
import { useCommon } from '../../lib/strings';
import { AbusePage } from './abuse/AbusePage';
import { ApiKeysPage } from './api-keys/ApiKeysPage';
import { CarrierFormPage } from './carriers/CarrierFormPage';
import { CarriersPage } from './carriers/CarriersPage';
import { RoutesPage } from './carriers/RoutesPage';
import { PoliciesPage } from './policies/PoliciesPage';
import { PolicyPage } from './policies/PolicyPage';
import { sectionsFor, type SectionKey } from './sections';
import { useShared } from './strings';
import { UsersPage } from './users/UsersPage';
import { WebhookPage } from './webhooks/WebhookPage';
import { WebhooksPage } from './webhooks/WebhooksPage';
import './settings.css';

const PAGES: Record<SectionKey, { path: string; element: ReactNode }[]> = {
  carriers: [
    { path: 'carriers', element: <CarriersPage /> },
    { path: 'carriers/new', element: <CarrierFormPage /> },
    { path: 'carriers/:name/edit', element: <CarrierFormPage /> },
  ],
  routes: [{ path: 'routes', element: <RoutesPage /> }],
  policies: [
    { path: 'policies', element: <PoliciesPage /> },
    { path: 'policies/:id', element: <PolicyPage /> },
  ],
  users: [{ path: 'users', element: <UsersPage /> }],
  apiKeys: [{ path: 'api-keys', element: <ApiKeysPage /> }],
  webhooks: [
    { path: 'webhooks', element: <WebhooksPage /> },
    { path: 'webhooks/:id', element: <WebhookPage /> },
  ],
  abuse: [{ path: 'abuse', element: <AbusePage /> }],
};

export default function SettingsArea() {
  const { can } = useAuth();
  const t = useShared();
  const common = useCommon();
  const sections = sectionsFor(can);
  const first = sections[0];
  return (
    <div className="settings-layout">
      <nav className="settings-nav" aria-label={t('nav.label')}>
        <ul>
          {sections.map((s) => (
            <li key={s.key}>
              <NavLink to={`/settings/${s.path}`}>{t(`nav.${s.key}`)}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-content">
        <Routes>
          <Route
            index
            element={
              first ? (
                <Navigate to={`/settings/${first.path}`} replace />
              ) : (
                <p className="muted">{common('forbidden')}</p>
              )
            }
          />
          {sections.flatMap((s) =>
            PAGES[s.key].map((p) => <Route key={p.path} path={p.path} element={p.element} />),
          )}
          <Route path="*" element={<p className="muted">{common('notFound')}</p>} />
        </Routes>
      </div>
    </div>
  );
}
