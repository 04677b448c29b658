/** Sign-in. Herald throttles and locks out repeated failures; its answer is shown as it is. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ErrorNote, Field } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { defineStrings } from '../../lib/i18n';

const useStrings = defineStrings('login', {
  en: {
    title: 'Sign in to Herald',
    username: 'User name',
    password: 'Password',
    submit: 'Sign in',
    busy: 'Signing in…',
  },
  zh: {
    title: '登录 Herald',
    username: '用户名',
    password: '密码',
    submit: '登录',
    busy: '正在登录…',
  },
});

export function LoginPage() {
  const t = useStrings();
  const { login } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <form onSubmit={(e) => void submit(e)} className="card login-card">
        <h1>{t('title')}</h1>
        <Field label={t('username')}>
          {(id) => (
            <input
              id={id}
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label={t('password')}>
          {(id) => (
            <input
              id={id}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('busy') : t('submit')}
        </button>
      </form>
    </main>
  );
}
