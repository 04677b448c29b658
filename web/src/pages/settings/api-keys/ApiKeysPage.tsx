/**
 * API keys: create one with a role's permissions or chosen scopes and an expiry (the key is
 * shown once, with a copy button), rotate it with a grace period, revoke it.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  Card,
  DataTable,
  ErrorNote,
  Field,
  Loading,
  Notice,
  Page,
  Stat,
  StatusBadge,
} from '../../../components/ui';
import { api } from '../../../lib/api';
import { useFormat } from '../../../lib/i18n';
import { useCommon } from '../../../lib/strings';
import { useApi } from '../../../lib/use-api';
import { ConfirmAction, OnceSecret, useAction } from '../shared';
import { useShared } from '../strings';
import { useRoleLabel } from '../users/strings';
import type { RolesView } from '../users/UsersPage';
import { useKeyStrings } from './strings';

interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
  previousSecretValidUntil: string | null;
}

const EXPIRY_CHOICES = ['', '30', '90', '365', 'custom'] as const;

function statusOf(key: ApiKeyView, now: number): 'active' | 'revoked' | 'expired' {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

export function ApiKeysPage() {
  const t = useKeyStrings();
  const keys = useApi<{ items: ApiKeyView[] }>('/api-keys');
  const roles = useApi<RolesView>('/roles');
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [now] = useState(() => Date.now());
  const items = keys.data?.items ?? [];
  const active = items.filter((k) => statusOf(k, now) === 'active');
  const soon = now + 30 * 86_400_000;
  return (
    <Page title={t('keys.title')}>
      <p className="settings-lead">{t('keys.intro')}</p>
      <ErrorNote error={keys.error ?? roles.error} onRetry={keys.reload} />
      {keys.loading && !keys.data ? <Loading /> : null}
      {keys.data ? (
        <div className="stats">
          <Stat label={t('keys.stat.active')} value={active.length} />
          <Stat
            label={t('keys.stat.expiring')}
            value={active.filter((k) => k.expiresAt && Date.parse(k.expiresAt) < soon).length}
          />
          <Stat label={t('keys.stat.revoked')} value={items.length - active.length} />
        </div>
      ) : null}
      {shown ? (
        <OnceSecret
          label={t('keys.keyOnce', { name: shown.name })}
          value={shown.key}
          onDismiss={() => setShown(null)}
        >
          <p className="hint">{t('keys.keyHint')}</p>
        </OnceSecret>
      ) : null}
      {roles.data ? (
        <NewKey
          roles={roles.data}
          onCreated={(name, key) => {
            setShown({ name, key });
            setNotice(null);
            keys.reload();
          }}
        />
      ) : null}
      {notice ? <Notice>{notice}</Notice> : null}
      {keys.data ? (
        <Card title={t('keys.list')}>
          <KeysTable
            keys={items}
            roles={roles.data}
            now={now}
            onRotated={(name, key) => {
              setShown({ name, key });
              keys.reload();
            }}
            onRevoked={(name) => {
              setNotice(t('keys.revoked', { name }));
              keys.reload();
            }}
          />
        </Card>
      ) : null}
    </Page>
  );
}

function NewKey({
  roles,
  onCreated,
}: {
  roles: RolesView;
  onCreated: (name: string, key: string) => void;
}) {
  const t = useKeyStrings();
  const s = useShared();
  const roleLabel = useRoleLabel();
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'role' | 'scopes'>('scopes');
  const [role, setRole] = useState(roles.items[0]?.role ?? 'admin');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiry, setExpiry] = useState<(typeof EXPIRY_CHOICES)[number]>('90');
  const [days, setDays] = useState('30');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = t('keys.nameRequired');
    if (mode === 'scopes' && scopes.length === 0) found.scopes = t('keys.scopesRequired');
    const expiresInDays = expiry === 'custom' ? Number(days) : expiry ? Number(expiry) : undefined;
    if (
      expiresInDays !== undefined &&
      (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)
    ) {
      found.days = t('keys.expiryInvalid');
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const answer = await action.run(() =>
      api.post<{ key: string; apiKey: ApiKeyView }>('/api-keys', {
        name: name.trim(),
        ...(mode === 'role' ? { role } : { scopes }),
        ...(expiresInDays !== undefined ? { expiresInDays } : {}),
      }),
    );
    if (answer) {
      onCreated(answer.apiKey.name, answer.key);
      setName('');
      setScopes([]);
    }
  };

  const error = (key: string) =>
    problems[key] ? <div className="settings-field-error">{problems[key]}</div> : null;

  return (
    <Card title={t('keys.add')}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="settings-form">
          <Field label={t('keys.name')} hint={t('keys.nameHint')}>
            {(id) => (
              <>
                <input
                  id={id}
                  value={name}
                  maxLength={128}
                  autoComplete="off"
                  aria-required
                  aria-invalid={problems.name ? true : undefined}
                  onChange={(e) => setName(e.target.value)}
                />
                {error('name')}
              </>
            )}
          </Field>
          <Field label={t('keys.expiry')}>
            {(id) => (
              <select
                id={id}
                value={expiry}
                onChange={(e) => setExpiry(e.target.value as typeof expiry)}
              >
                {EXPIRY_CHOICES.map((c) => (
                  <option key={c} value={c}>
                    {c === ''
                      ? t('keys.expiry.never')
                      : c === 'custom'
                        ? t('keys.expiry.custom')
                        : t('keys.expiry.days', { n: c })}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {expiry === 'custom' ? (
            <Field label={t('keys.expiryDays')}>
              {(id) => (
                <>
                  <input
                    id={id}
                    type="number"
                    min={1}
                    max={3650}
                    step={1}
                    value={days}
                    aria-invalid={problems.days ? true : undefined}
                    onChange={(e) => setDays(e.target.value)}
                  />
                  {error('days')}
                </>
              )}
            </Field>
          ) : null}
        </div>
        <fieldset className="settings-fieldset">
          <legend>{t('keys.access')}</legend>
          <div className="settings-checks">
            <label>
              <input
                type="radio"
                name="key-access"
                checked={mode === 'scopes'}
                onChange={() => setMode('scopes')}
              />
              {t('keys.byScopes')}
            </label>
            <label>
              <input
                type="radio"
                name="key-access"
                checked={mode === 'role'}
                onChange={() => setMode('role')}
              />
              {t('keys.byRole')}
            </label>
          </div>
          {mode === 'role' ? (
            <Field label={t('keys.role')}>
              {(id) => (
                <select id={id} value={role} onChange={(e) => setRole(e.target.value)}>
                  {roles.items.map((r) => (
                    <option key={r.role} value={r.role}>
                      {roleLabel(r.role)} · {r.permissions.length}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : (
            <div role="group" aria-label={t('keys.scopes')}>
              <div className="settings-check-grid">
                {roles.permissions.map((p) => (
                  <label key={p}>
                    <input
                      type="checkbox"
                      checked={scopes.includes(p)}
                      onChange={(e) =>
                        setScopes((all) =>
                          e.target.checked ? [...all, p] : all.filter((x) => x !== p),
                        )
                      }
                    />
                    <span className="settings-mono">{p}</span>
                  </label>
                ))}
              </div>
              {error('scopes')}
            </div>
          )}
        </fieldset>
        <ErrorNote error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? s('shared.saving') : t('keys.create')}
        </button>
      </form>
    </Card>
  );
}

function KeysTable({
  keys,
  roles,
  now,
  onRotated,
  onRevoked,
}: {
  keys: readonly ApiKeyView[];
  roles: RolesView | null;
  now: number;
  onRotated: (name: string, key: string) => void;
  onRevoked: (name: string) => void;
}) {
  const t = useKeyStrings();
  const s = useShared();
  const common = useCommon();
  const f = useFormat();
  const roleLabel = useRoleLabel();
  const sameRole = (scopes: readonly string[]) =>
    roles?.items.find(
      (r) =>
        r.permissions.length === scopes.length && r.permissions.every((p) => scopes.includes(p)),
    )?.role;
  return (
    <DataTable
      caption={t('keys.list')}
      rows={keys}
      rowKey={(k) => k.id}
      empty={t('keys.empty')}
      columns={[
        {
          key: 'name',
          header: t('keys.name'),
          cell: (k) => (
            <>
              <strong>{k.name}</strong>
              <div className="settings-mono settings-subtle">{k.id}</div>
            </>
          ),
        },
        {
          key: 'scopes',
          header: t('keys.scopes'),
          cell: (k) => {
            const role = sameRole(k.scopes);
            return (
              <details>
                <summary>
                  {role
                    ? t('keys.sameAsRole', { role: roleLabel(role) })
                    : t('keys.scopeCount', { n: k.scopes.length })}
                </summary>
                <ul className="settings-chips">
                  {k.scopes.map((p) => (
                    <li key={p} className="settings-chip settings-chip-plain">
                      {p}
                    </li>
                  ))}
                </ul>
              </details>
            );
          },
        },
        {
          key: 'status',
          header: t('keys.status'),
          cell: (k) => {
            const status = statusOf(k, now);
            const rotating =
              status === 'active' &&
              k.previousSecretValidUntil &&
              Date.parse(k.previousSecretValidUntil) > now;
            return (
              <>
                <StatusBadge
                  status={status === 'active' ? 'approved' : status}
                  label={t(`keys.status.${status}`)}
                />
                {rotating ? (
                  <div className="settings-subtle">
                    {t('keys.rotating', { when: f.dateTime(k.previousSecretValidUntil) })}
                  </div>
                ) : null}
              </>
            );
          },
        },
        {
          key: 'created',
          header: t('keys.created'),
          cell: (k) => <span className="settings-nowrap">{f.date(k.createdAt)}</span>,
        },
        {
          key: 'lastUsed',
          header: t('keys.lastUsed'),
          cell: (k) => <span className="settings-nowrap">{f.dateTime(k.lastUsedAt)}</span>,
        },
        {
          key: 'expires',
          header: t('keys.expires'),
          cell: (k) => (
            <span className="settings-nowrap">
              {k.expiresAt ? f.date(k.expiresAt) : s('shared.never')}
            </span>
          ),
        },
        {
          key: 'actions',
          header: <span className="sr-only">{common('actions')}</span>,
          cell: (k) =>
            statusOf(k, now) === 'revoked' ? null : (
              <div className="settings-inline settings-nowrap">
                <RotateKey apiKey={k} onRotated={onRotated} />
                <ConfirmAction
                  label={t('keys.revoke')}
                  accessibleName={t('keys.revokeOf', { name: k.name })}
                  title={t('keys.revokeTitle', { name: k.name })}
                  body={t('keys.revokeBody')}
                  confirmLabel={t('keys.revoke')}
                  onConfirm={async () => {
                    await api.del(`/api-keys/${encodeURIComponent(k.id)}`);
                    onRevoked(k.name);
                  }}
                />
              </div>
            ),
        },
      ]}
    />
  );
}

function RotateKey({
  apiKey,
  onRotated,
}: {
  apiKey: ApiKeyView;
  onRotated: (name: string, key: string) => void;
}) {
  const t = useKeyStrings();
  const [grace, setGrace] = useState('24');
  const [invalid, setInvalid] = useState(false);
  return (
    <ConfirmAction
      label={t('keys.rotate')}
      accessibleName={t('keys.rotateOf', { name: apiKey.name })}
      danger={false}
      title={t('keys.rotateTitle', { name: apiKey.name })}
      body={t('keys.rotateBody')}
      confirmLabel={t('keys.rotate')}
      onConfirm={async () => {
        const hours = Number(grace);
        const bad = !Number.isInteger(hours) || hours < 0 || hours > 720;
        setInvalid(bad);
        if (bad) throw new Error(t('keys.graceInvalid'));
        const answer = await api.post<{ key: string; apiKey: ApiKeyView }>(
          `/api-keys/${encodeURIComponent(apiKey.id)}/rotate`,
          { graceHours: hours },
        );
        onRotated(answer.apiKey.name, answer.key);
      }}
    >
      <Field label={t('keys.grace')} hint={t('keys.graceHint')}>
        {(id) => (
          <input
            id={id}
            type="number"
            min={0}
            max={720}
            step={1}
            value={grace}
            aria-invalid={invalid ? true : undefined}
            onChange={(e) => setGrace(e.target.value)}
          />
        )}
      </Field>
    </ConfirmAction>
  );
}
