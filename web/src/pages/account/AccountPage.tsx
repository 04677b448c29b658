/**
 * The signed-in person's own account: change the password (the current one first; the other
 * sessions end) and log out everywhere. Only for people with a session, not API keys.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Card, ErrorNote, Field, Notice, Page } from '../../components/ui';
import { api, ApiError } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { currentLanguage, defineStrings } from '../../lib/i18n';
import { useAction } from '../../lib/use-action';

const useStrings = defineStrings('account', {
  en: {
    title: 'My account',
    signedInAs: 'Signed in as {{actor}}, role {{role}}.',
    passwordTitle: 'Change password',
    current: 'Current password',
    next: 'New password',
    repeat: 'New password again',
    rules:
      'At least 12 characters; not a common password, not your user name, not one character repeated. A sentence of a few words is easy to remember.',
    mismatch: 'The two new passwords differ.',
    change: 'Change password',
    changing: 'Changing…',
    changed_one: 'Password changed. {{count}} other session was ended.',
    changed_other: 'Password changed. {{count}} other sessions were ended.',
    everywhereTitle: 'Sessions',
    everywhereHint:
      'Ends every session of yours, on every device, this one included. Use it when a device was lost.',
    everywhere: 'Log out everywhere',
  },
  zh: {
    title: '我的账户',
    signedInAs: '当前用户 {{actor}}，角色 {{role}}。',
    passwordTitle: '修改密码',
    current: '当前密码',
    next: '新密码',
    repeat: '再次输入新密码',
    rules:
      '至少 12 个字符；不能是常见密码，不能包含用户名，不能是重复字符。由几个词组成的句子容易记住。',
    mismatch: '两次输入的新密码不一致。',
    change: '修改密码',
    changing: '正在修改…',
    changed_one: '密码已修改，已结束 {{count}} 个其他会话。',
    changed_other: '密码已修改，已结束 {{count}} 个其他会话。',
    everywhereTitle: '会话',
    everywhereHint: '结束您在所有设备上的全部会话（包括当前会话）。设备丢失时使用。',
    everywhere: '在所有设备上退出',
  },
});

/** Herald words its password rules in both languages; show the one the console speaks. */
function inLanguage(error: unknown): unknown {
  if (!(error instanceof ApiError) || currentLanguage() !== 'zh') return error;
  const zh = (error.details as { zh?: unknown } | undefined)?.zh;
  return typeof zh === 'string' ? new ApiError(error.status, error.code, zh, error.details) : error;
}

export function AccountPage() {
  const t = useStrings();
  const { me } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const change = useAction();
  const everywhere = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    const answer = await change.run(() =>
      api.post<{ otherSessionsEnded: number }>('/auth/password', {
        currentPassword: current,
        newPassword: next,
      }),
    );
    if (answer) {
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(t('changed' as 'changed_other', { count: answer.otherSessionsEnded }));
    }
  };

  const logOutEverywhere = async () => {
    const answer = await everywhere.run(() => api.post('/auth/logout-all'));
    if (answer !== undefined) window.location.assign('/');
  };

  return (
    <Page title={t('title')}>
      <p className="muted">{t('signedInAs', { actor: me?.actor ?? '', role: me?.role ?? '' })}</p>
      <Card title={t('passwordTitle')}>
        <form onSubmit={(e) => void submit(e)}>
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={me?.actor.replace(/^user:/, '') ?? ''}
            readOnly
            hidden
          />
          <Field label={t('current')}>
            {(id) => (
              <input
                id={id}
                type="password"
                autoComplete="current-password"
                value={current}
                onChange={(e) => setCurrent(e.target.value)}
                required
              />
            )}
          </Field>
          <Field label={t('next')} hint={t('rules')}>
            {(id) => (
              <input
                id={id}
                type="password"
                autoComplete="new-password"
                value={next}
                onChange={(e) => setNext(e.target.value)}
                required
              />
            )}
          </Field>
          <Field label={t('repeat')}>
            {(id) => (
              <input
                id={id}
                type="password"
                autoComplete="new-password"
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
                required
              />
            )}
          </Field>
          {mismatch ? <ErrorNote error={t('mismatch')} /> : null}
          <ErrorNote error={inLanguage(change.error)} />
          {done ? <Notice>{done}</Notice> : null}
          <div>
            <button type="submit" className="primary" disabled={change.busy}>
              {change.busy ? t('changing') : t('change')}
            </button>
          </div>
        </form>
      </Card>
      <Card title={t('everywhereTitle')}>
        <p className="muted">{t('everywhereHint')}</p>
        <ErrorNote error={everywhere.error} />
        <button type="button" disabled={everywhere.busy} onClick={() => void logOutEverywhere()}>
          {t('everywhere')}
        </button>
      </Card>
    </Page>
  );
}
