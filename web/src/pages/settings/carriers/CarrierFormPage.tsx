/**
 * Add or change a carrier account. The settings fields come from the type's schema
 * (/v1/carrier-types); secrets are write-only: the form never has their value, an empty box keeps
 * the stored one, and the boxes are uncontrolled so a typed secret never lands in the page's HTML.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Card, ErrorNote, Field, Loading, Notice, Page } from '../../../components/ui';
import { api, ApiError } from '../../../lib/api';
import { useApi } from '../../../lib/use-api';
import { useAction } from '../shared';
import { PURPOSES, useShared } from '../strings';
import { useTypeLabel } from './CarriersPage';
import {
  fieldOfProblem,
  fieldsOf,
  formValuesOf,
  settingsOf,
  type CarrierTypeView,
  type CarrierView,
  type FieldProblem,
  type FormValues,
  type SettingField,
} from './model';
import { useCarrierStrings } from './strings';

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

const JSON_EXAMPLES: Record<string, string> = {
  'tencent.templateMap': '{"otp.login": {"templateId": "1110", "params": ["code", "minutes"]}}',
  'aliyun.templateMap': '{"otp.login": {"templateCode": "SMS_123", "params": {"code": "code"}}}',
};

export function CarrierFormPage() {
  const { name } = useParams();
  const isNew = name === undefined;
  const t = useCarrierStrings();
  const types = useApi<{ items: CarrierTypeView[] }>('/carrier-types');
  const carrier = useApi<CarrierView>(isNew ? null : `/carriers/${encodeURIComponent(name)}`);
  const title = isNew ? t('form.newTitle') : t('form.editTitle', { name });
  const error = types.error ?? carrier.error;
  const ready = types.data && (isNew || carrier.data);
  return (
    <Page title={title}>
      <p className="settings-lead">{t('carriers.restart')}</p>
      <ErrorNote error={error} onRetry={error === types.error ? types.reload : carrier.reload} />
      {!ready && !error ? <Loading /> : null}
      {ready ? (
        <CarrierForm
          key={carrier.data?.updatedAt ?? 'new'}
          types={types.data!.items}
          existing={carrier.data ?? null}
        />
      ) : null}
    </Page>
  );
}

function CarrierForm({
  types,
  existing,
}: {
  types: readonly CarrierTypeView[];
  existing: CarrierView | null;
}) {
  const t = useCarrierStrings();
  const s = useShared();
  const typeLabel = useTypeLabel();
  const navigate = useNavigate();
  const form = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [type, setType] = useState(
    existing?.type ?? types.find((x) => x.type === 'twilio')?.type ?? types[0]?.type ?? '',
  );
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const kind = types.find((x) => x.type === type);
  const fields = useMemo(() => fieldsOf(kind?.settings), [kind]);
  const [values, setValues] = useState<FormValues>(() =>
    formValuesOf(fields, existing?.settings ?? {}),
  );
  const [problems, setProblems] = useState<Record<string, FieldProblem | 'name' | 'secret'>>({});
  const action = useAction();
  const readOnly = existing?.source === 'config';

  // A new account of another type starts from that type's empty form.
  useEffect(() => {
    if (!existing) setValues(formValuesOf(fields, {}));
  }, [fields, existing]);

  const serverField =
    action.error instanceof ApiError ? fieldOfProblem(action.error.details) : null;
  const credentialField =
    action.error instanceof ApiError && action.error.code === 'CARRIER_CREDENTIAL_MISSING'
      ? `secrets:${String((action.error.details as { field?: unknown } | undefined)?.field ?? '')}`
      : null;
  const marked = (key: string) => serverField === key || credentialField === key;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (readOnly || !kind) return;
    const built = settingsOf(fields, values);
    const found: Record<string, FieldProblem | 'name' | 'secret'> = { ...built.problems };
    if (!existing && !NAME.test(name)) found['@name'] = 'name';
    const data = new FormData(form.current!);
    const secrets: Record<string, string | null> = {};
    for (const secret of kind.secrets) {
      const typed = String(data.get(`secret:${secret}`) ?? '');
      if (typed) secrets[secret] = typed;
      else if (data.get(`remove:${secret}`)) secrets[secret] = null;
      else if (!existing && kind.requiredSecrets.includes(secret))
        found[`secret:${secret}`] = 'secret';
    }
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const saved = await action.run(async () => {
      if (existing) {
        await api.patch(`/carriers/${encodeURIComponent(existing.name)}`, {
          enabled,
          settings: built.settings,
          ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
        });
        return existing.name;
      }
      await api.post('/carriers', { name, type, enabled, settings: built.settings, secrets });
      return name;
    });
    if (saved) {
      form.current?.reset();
      navigate('/settings/carriers', { state: { saved } });
    }
  };

  const problemText = (p: FieldProblem | 'name' | 'secret' | undefined) =>
    p === 'name'
      ? t('form.nameInvalid')
      : p === 'secret'
        ? t('form.problem.required')
        : p
          ? t(`form.problem.${p}`)
          : null;

  return (
    <form ref={form} onSubmit={(e) => void submit(e)} noValidate>
      {readOnly ? <Notice>{t('form.configReadOnly')}</Notice> : null}
      <fieldset disabled={readOnly || action.busy} className="settings-plain">
        <Card>
          <div className="settings-form">
            {existing ? null : (
              <Field label={`${t('form.name')} *`} hint={t('form.nameHint')}>
                {(id) => (
                  <>
                    <input
                      id={id}
                      value={name}
                      autoComplete="off"
                      spellCheck={false}
                      aria-required
                      aria-invalid={problems['@name'] ? true : undefined}
                      onChange={(e) => setName(e.target.value.trim())}
                    />
                    <FieldError text={problemText(problems['@name'])} />
                  </>
                )}
              </Field>
            )}
            <Field label={t('form.type')}>
              {(id) => (
                <select
                  id={id}
                  value={type}
                  disabled={existing !== null}
                  onChange={(e) => setType(e.target.value)}
                >
                  {types.map((x) => (
                    <option key={x.type} value={x.type}>
                      {typeLabel(x.type)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <div className="field">
              <label className="settings-check">
                <input
                  type="checkbox"
                  checked={enabled}
                  onChange={(e) => setEnabled(e.target.checked)}
                />
                {t('form.enabled')}
              </label>
              <div className="hint">{t('form.enabledHint')}</div>
            </div>
          </div>
        </Card>

        <Card title={t('form.settings')}>
          <p className="hint">{t('form.settingsHint')}</p>
          <div className="settings-form">
            {fields.map((f) => (
              <SettingInput
                key={`${type}.${f.name}`}
                field={f}
                type={type}
                values={values}
                onChange={(key, value) => setValues((v) => ({ ...v, [key]: value }))}
                problem={problemText(problems[f.name] as FieldProblem | undefined)}
                invalid={marked(`settings:${f.name}`)}
              />
            ))}
          </div>
        </Card>

        <Card title={t('form.secrets')}>
          <p className="hint">{t('form.secretsHint')}</p>
          {kind && kind.secrets.length === 0 ? (
            <p className="muted">{t('form.noSecrets')}</p>
          ) : null}
          <div className="settings-form">
            {kind?.secrets.map((secret) => {
              const state = existing?.secrets[secret];
              const required = kind.requiredSecrets.includes(secret);
              const hint =
                state === 'set'
                  ? t('form.secretSet')
                  : `${existing ? t('form.secretNotSet') + ' ' : ''}${required ? t('form.secretRequired') : t('form.secretOptional')}`;
              return (
                <Field
                  key={`${type}.${secret}`}
                  label={!existing && required ? `${secret} *` : secret}
                  hint={hint}
                >
                  {(id) => (
                    <>
                      <input
                        id={id}
                        name={`secret:${secret}`}
                        type="password"
                        autoComplete="new-password"
                        spellCheck={false}
                        aria-required={!existing && required ? true : undefined}
                        aria-invalid={
                          problems[`secret:${secret}`] || marked(`secrets:${secret}`)
                            ? true
                            : undefined
                        }
                      />
                      <FieldError text={problemText(problems[`secret:${secret}`])} />
                      {state === 'set' && !required ? (
                        <label className="settings-check">
                          <input type="checkbox" name={`remove:${secret}`} />
                          {t('form.secretRemove')}
                        </label>
                      ) : null}
                    </>
                  )}
                </Field>
              );
            })}
          </div>
        </Card>

        {existing && existing.type !== 'simulator' && existing.type !== 'smpp' ? (
          <Card title={t('form.webhooks')}>
            <dl className="settings-facts">
              <dt>{t('carriers.receipts')}</dt>
              <dd className="settings-code">{existing.webhooks.receipts}</dd>
              <dt>{t('carriers.inbound')}</dt>
              <dd className="settings-code">{existing.webhooks.inbound}</dd>
              {existing.type === 'tencent' || existing.type === 'aliyun' ? (
                <dd className="settings-subtle settings-span">{t('carriers.tokenHint')}</dd>
              ) : null}
            </dl>
          </Card>
        ) : null}

        <ErrorNote error={action.error} />
        <div className="settings-actions">
          {readOnly ? null : (
            <button type="submit" className="primary">
              {action.busy ? s('shared.saving') : existing ? t('form.save') : t('form.create')}
            </button>
          )}
          <Link className="settings-button-link" to="/settings/carriers">
            {s('shared.back')}
          </Link>
        </div>
      </fieldset>
    </form>
  );
}

function FieldError({ text }: { text: string | null }) {
  return text ? <div className="settings-field-error">{text}</div> : null;
}

function SettingInput({
  field: f,
  type,
  values,
  onChange,
  problem,
  invalid,
}: {
  field: SettingField;
  type: string;
  values: FormValues;
  onChange: (key: string, value: string) => void;
  problem: string | null;
  invalid: boolean;
}) {
  const t = useCarrierStrings();
  const s = useShared();
  const label = f.name;
  const bad = problem !== null || invalid ? true : undefined;
  const hint = f.schema.description;
  if (f.kind === 'group') {
    return (
      <fieldset className="settings-wide">
        <legend className={f.required ? 'settings-required' : undefined}>
          {label} ({t('form.group')})
        </legend>
        <div className="settings-form">
          {(f.children ?? []).map((child) => (
            <Field
              key={child}
              label={
                (PURPOSES as readonly string[]).includes(child)
                  ? s(`shared.purpose.${child}` as 'shared.purpose.marketing')
                  : child
              }
            >
              {(id) => (
                <input
                  id={id}
                  value={values[`${f.name}.${child}`] ?? ''}
                  onChange={(e) => onChange(`${f.name}.${child}`, e.target.value)}
                />
              )}
            </Field>
          ))}
        </div>
        {hint ? <div className="hint">{hint}</div> : null}
      </fieldset>
    );
  }
  return (
    <div className={f.kind === 'json' ? 'settings-wide' : undefined}>
      <Field
        label={f.required ? `${label} *` : label}
        hint={
          f.kind === 'json'
            ? t('form.jsonHint', { example: JSON_EXAMPLES[`${type}.${f.name}`] ?? '{}' })
            : hint
        }
      >
        {(id) => (
          <>
            {f.kind === 'boolean' ? (
              <select
                id={id}
                value={values[f.name] ?? ''}
                onChange={(e) => onChange(f.name, e.target.value)}
              >
                <option value="">{t('form.default')}</option>
                <option value="true">{s('shared.yes')}</option>
                <option value="false">{s('shared.no')}</option>
              </select>
            ) : f.kind === 'json' ? (
              <textarea
                id={id}
                value={values[f.name] ?? ''}
                rows={4}
                spellCheck={false}
                aria-required={f.required ? true : undefined}
                aria-invalid={bad}
                onChange={(e) => onChange(f.name, e.target.value)}
              />
            ) : (
              <input
                id={id}
                type={f.kind === 'text' ? 'text' : 'number'}
                step={f.kind === 'number' ? 'any' : undefined}
                min={f.schema.minimum}
                max={f.schema.maximum}
                inputMode={f.kind === 'text' ? undefined : 'decimal'}
                value={values[f.name] ?? ''}
                spellCheck={false}
                autoComplete="off"
                aria-required={f.required ? true : undefined}
                aria-invalid={bad}
                onChange={(e) => onChange(f.name, e.target.value)}
              />
            )}
            <FieldError text={problem} />
          </>
        )}
      </Field>
    </div>
  );
}
