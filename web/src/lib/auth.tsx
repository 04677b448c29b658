/**
 * Who is signed in and what they may do. The console asks /v1/auth/session on load (the session
 * cookie is HttpOnly, so only the API knows) and offers only what the caller's permissions
 * allow; the API checks every call again, so hiding is a courtesy, not the protection.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { api, onUnauthorised, setCsrfToken } from './api';

export interface Me {
  kind: string;
  name: string;
  /** How the caller is named as author, approver and in the audit log (user:mia). */
  actor: string;
  role?: string;
  permissions: string[];
  csrfToken?: string;
}

interface AuthState {
  me: Me | null;
  /** True until the first /auth/me answered. */
  checking: boolean;
  can: (permission: string) => boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);

  const refresh = useCallback(async () => {
    // Answered 200 signed in or not: a visitor on the sign-in page is not an error.
    const session = await api.get<{ signedIn: boolean; me?: Me }>('/auth/session');
    setCsrfToken(session.me?.csrfToken ?? null);
    setMe(session.me ?? null);
  }, []);

  useEffect(() => {
    refresh().finally(() => setChecking(false));
    return onUnauthorised(() => {
      setCsrfToken(null);
      setMe(null);
    });
  }, [refresh]);

  const value = useMemo<AuthState>(
    () => ({
      me,
      checking,
      can: (permission) => me?.permissions.includes(permission) ?? false,
      login: async (username, password) => {
        const answer = await api.post<{ csrfToken: string }>('/auth/login', { username, password });
        setCsrfToken(answer.csrfToken);
        await refresh();
      },
      logout: async () => {
        try {
          await api.post('/auth/logout');
        } finally {
          setCsrfToken(null);
          setMe(null);
        }
      },
    }),
    [me, checking, refresh],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
