/** The shell: sign-in, then the navigation of the caller's role around the chosen area. */
import { Suspense } from 'react';
import { BrowserRouter, Navigate, NavLink, Route, Routes } from 'react-router';
import { areasFor } from './areas';
import { Loading } from './components/ui';
import { AuthProvider, useAuth } from './lib/auth';
import { LANGUAGES, currentLanguage, setLanguage, type Language } from './lib/i18n';
import { useCommon } from './lib/strings';
import { AccountPage } from './pages/account/AccountPage';
import { LoginPage } from './pages/login/LoginPage';

export function App() {
  return (
    <AuthProvider>
      <BrowserRouter>
        <Shell />
      </BrowserRouter>
    </AuthProvider>
  );
}

function LanguagePicker() {
  const t = useCommon();
  return (
    <label className="language">
      <span className="sr-only">{t('language')}</span>
      <select
        value={currentLanguage()}
        onChange={(e) => setLanguage(e.target.value as Language)}
        aria-label={t('language')}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code === 'zh' ? 'zh-CN' : 'en'}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function Shell() {
  const { me, checking, can, logout } = useAuth();
  const t = useCommon();
  if (checking) return <Loading />;
  if (!me) {
    return (
      <>
        <div className="login-language">
          <LanguagePicker />
        </div>
        <LoginPage />
      </>
    );
  }
  const areas = areasFor(can);
  const home = areas[0]?.path ?? 'dashboard';
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('skip')}
      </a>
      <header className="topbar">
        <span className="brand">Herald</span>
        <nav aria-label={t('navigation')} className="nav">
          <ul>
            {areas.map((area) => (
              <li key={area.key}>
                <NavLink to={`/${area.path}`}>{t(`nav.${area.key}` as 'nav.dashboard')}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="session">
          <LanguagePicker />
          {me.kind === 'user' ? (
            <NavLink
              to="/account"
              className="who"
              title={t('signedInAs', { name: me.name, role: me.role ?? me.kind })}
            >
              {me.name}
            </NavLink>
          ) : (
            <span
              className="who"
              title={t('signedInAs', { name: me.name, role: me.role ?? me.kind })}
            >
              {me.name}
            </span>
          )}
          <button type="button" onClick={() => void logout()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Navigate to={`/${home}`} replace />} />
            {me.kind === 'user' ? <Route path="/account" element={<AccountPage />} /> : null}
            {areas.map((area) => (
              <Route key={area.key} path={`/${area.path}/*`} element={<area.component />} />
            ))}
            <Route path="*" element={<p className="muted">{t('notFound')}</p>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
