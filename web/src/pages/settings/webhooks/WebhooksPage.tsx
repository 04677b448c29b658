/**
 * Outbound webhook endpoints: add one with the events it wants (its signing secret is shown
 * once), rotate the secret, switch it off and on, delete it, open its recent deliveries.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import {
  Card,
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
import { useApi } from '../../../lib/use-api';
import { ConfirmAction, OnceSecret, useAction } from '../shared';
import { useShared } from '../strings';
import { EVENT_TYPES, useHookStrings, type WebhookView } from './strings';

function isEndpointUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password
    );
  } catch {
    return false;
  }
}

export function useEventLabel() {
  const t = useHookStrings();
  return (type: string) =>
    (EVENT_TYPES as readonly string[]).includes(type)
      ? t(`event.${type}` as 'event.message.delivered')
      : type;
}

export function HookState({ hook }: { hook: WebhookView }) {
  const t = useHookStrings();
  if (hook.enabled) {
    return hook.consecutiveFailures > 0 ? (
      <StatusBadge status="deferred" label={t('hooks.failures', { n: hook.consecutiveFailures })} />
    ) : (
      <StatusBadge status="approved" label={t('hooks.state.on')} />
    );
  }
  return hook.disabledReason === 'failing' ? (
    <StatusBadge status="failed" label={t('hooks.state.failing')} />
  ) : (
    <StatusBadge status="paused" label={t('hooks.state.manual')} />
  );
}

export function WebhooksPage() {
  const t = useHookStrings();
  const hooks = useApi<{ items: WebhookView[] }>('/webhooks');
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = hooks.data?.items ?? [];
  const done = (message: string) => {
    setNotice(message);
    hooks.reload();
  };
  return (
    <Page title={t('hooks.title')}>
      <p className="settings-lead">{t('hooks.intro')}</p>
      <ErrorNote error={hooks.error} onRetry={hooks.reload} />
      {hooks.loading && !hooks.data ? <Loading /> : null}
      {hooks.data ? (
        <div className="stats">
          <Stat label={t('hooks.stat.endpoints')} value={items.length} />
          <Stat label={t('hooks.stat.enabled')} value={items.filter((h) => h.enabled).length} />
          <Stat
            label={t('hooks.stat.failing')}
            value={
              items.filter((h) => h.consecutiveFailures > 0 || h.disabledReason === 'failing')
                .length
            }
          />
        </div>
      ) : null}
      {secret ? (
        <OnceSecret
          label={t('hooks.secretOnce', { url: secret.url })}
          value={secret.secret}
          onDismiss={() => setSecret(null)}
        >
          <p className="hint">{t('hooks.secretHint')}</p>
        </OnceSecret>
      ) : null}
      <NewHook
        onCreated={(url, value) => {
          setSecret({ url, secret: value });
          setNotice(null);
          hooks.reload();
        }}
      />
      {notice ? <Notice>{notice}</Notice> : null}
      {hooks.data ? (
        items.length === 0 ? (
          <p className="muted">{t('hooks.empty')}</p>
        ) : (
          <div className="settings-cards" aria-label={t('hooks.list')} role="list">
            {items.map((h) => (
              <div role="listitem" key={h.id}>
                <HookCard
                  hook={h}
                  onRotated={(value) => setSecret({ url: h.url, secret: value })}
                  onDone={done}
                />
              </div>
            ))}
          </div>
        )
      ) : null}
    </Page>
  );
}

function NewHook({ onCreated }: { onCreated: (url: string, secret: string) => void }) {
  const t = useHookStrings();
  const s = useShared();
  const eventLabel = useEventLabel();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [problems, setProblems] = useState<{ url?: boolean; events?: boolean }>({});
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = { url: !isEndpointUrl(url.trim()), events: events.length === 0 };
    setProblems(found);
    if (found.url || found.events) return;
    const answer = await action.run(() =>
      api.post<WebhookView & { secret: string }>('/webhooks', {
        url: url.trim(),
        events: EVENT_TYPES.filter((x) => events.includes(x)),
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    );
    if (answer) {
      onCreated(answer.url, answer.secret);
      setUrl('');
      setDescription('');
      setEvents([]);
    }
  };

  return (
    <Card title={t('hooks.add')}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="settings-form">
          <Field label={t('hooks.url')} hint={t('hooks.urlHint')}>
            {(id) => (
              <>
                <input
                  id={id}
                  type="url"
                  value={url}
                  placeholder="https://example.com/hooks/herald"
                  autoComplete="off"
                  spellCheck={false}
                  aria-required
                  aria-invalid={problems.url ? true : undefined}
                  onChange={(e) => setUrl(e.target.value)}
                />
                {problems.url ? (
                  <div className="settings-field-error">{t('hooks.urlInvalid')}</div>
                ) : null}
              </>
            )}
          </Field>
          <Field label={t('hooks.description')} hint={t('hooks.descriptionHint')}>
            {(id) => (
              <input
                id={id}
                value={description}
                maxLength={500}
                onChange={(e) => setDescription(e.target.value)}
              />
            )}
          </Field>
        </div>
        <fieldset className="settings-fieldset">
          <legend>{t('hooks.events')}</legend>
          <div className="settings-check-grid settings-events">
            {EVENT_TYPES.map((type) => (
              <label key={type}>
                <input
                  type="checkbox"
                  checked={events.includes(type)}
                  onChange={(e) =>
                    setEvents((all) =>
                      e.target.checked ? [...all, type] : all.filter((x) => x !== type),
                    )
                  }
                />
                <span>
                  <span className="settings-mono">{type}</span>
                  <span className="settings-subtle"> · {eventLabel(type)}</span>
                </span>
              </label>
            ))}
          </div>
          {problems.events ? (
            <div className="settings-field-error">{t('hooks.eventsRequired')}</div>
          ) : null}
        </fieldset>
        <ErrorNote error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? s('shared.saving') : t('hooks.create')}
        </button>
      </form>
    </Card>
  );
}

function HookCard({
  hook: h,
  onRotated,
  onDone,
}: {
  hook: WebhookView;
  onRotated: (secret: string) => void;
  onDone: (message: string) => void;
}) {
  const t = useHookStrings();
  const f = useFormat();
  const enable = useAction();
  const [hours, setHours] = useState('24');
  const headingId = `hook-${h.id}`;
  return (
    <section className="card settings-hook" aria-labelledby={headingId}>
      <div className="settings-card-head">
        <h2 id={headingId} className="settings-mono">
          {h.url}
        </h2>
        <HookState hook={h} />
      </div>
      {h.description ? <p className="settings-subtle">{h.description}</p> : null}
      <div className="settings-badges">
        {h.events.map((e) => (
          <span key={e} className="badge badge-info">
            {e}
          </span>
        ))}
      </div>
      <dl className="settings-facts">
        <dt>{t('hooks.lastSuccess')}</dt>
        <dd>{f.dateTime(h.lastSuccessAt)}</dd>
        <dt>{t('hooks.lastFailure')}</dt>
        <dd>{f.dateTime(h.lastFailureAt)}</dd>
      </dl>
      <ErrorNote error={enable.error} />
      <div className="settings-card-foot">
        <Link
          className="settings-button-link"
          to={`/settings/webhooks/${h.id}`}
          aria-label={t('hooks.deliveriesOf', { url: h.url })}
        >
          {t('hooks.deliveries')}
        </Link>
        <ConfirmAction
          label={t('hooks.rotate')}
          accessibleName={t('hooks.rotateOf', { url: h.url })}
          danger={false}
          title={t('hooks.rotateTitle', { url: h.url })}
          body={t('hooks.rotateBody')}
          confirmLabel={t('hooks.rotate')}
          onConfirm={async () => {
            const n = Number(hours);
            if (!Number.isInteger(n) || n < 0 || n > 168)
              throw new Error(t('hooks.previousInvalid'));
            const answer = await api.post<{ secret: string }>(
              `/webhooks/${h.id}/rotate-secret?previousSecretHours=${n}`,
            );
            onRotated(answer.secret);
          }}
        >
          <Field label={t('hooks.previousHours')} hint={t('hooks.previousHint')}>
            {(id) => (
              <input
                id={id}
                type="number"
                min={0}
                max={168}
                step={1}
                value={hours}
                onChange={(e) => setHours(e.target.value)}
              />
            )}
          </Field>
        </ConfirmAction>
        {h.enabled ? (
          <button
            type="button"
            aria-label={t('hooks.disableOf', { url: h.url })}
            disabled={enable.busy}
            onClick={() =>
              void enable.run(async () => {
                await api.patch(`/webhooks/${h.id}`, { enabled: false });
                onDone(t('hooks.disabledDone'));
              })
            }
          >
            {t('hooks.disable')}
          </button>
        ) : (
          <button
            type="button"
            aria-label={t('hooks.enableOf', { url: h.url })}
            title={t('hooks.enableHint')}
            disabled={enable.busy}
            onClick={() =>
              void enable.run(async () => {
                await api.patch(`/webhooks/${h.id}`, { enabled: true });
                onDone(t('hooks.enabledDone'));
              })
            }
          >
            {t('hooks.enable')}
          </button>
        )}
        <ConfirmAction
          label={t('hooks.delete')}
          accessibleName={t('hooks.deleteOf', { url: h.url })}
          title={t('hooks.deleteTitle', { url: h.url })}
          body={t('hooks.deleteBody')}
          confirmLabel={t('hooks.delete')}
          onConfirm={async () => {
            await api.del(`/webhooks/${h.id}`);
            onDone(t('hooks.deleted'));
          }}
        />
      </div>
    </section>
  );
}
