/**
 * One policy pack and the workspace's overrides of it: marketing hours, holidays, the cap,
 * opt-out and forbidden words as a form, everything else as JSON. Saved with
 * PUT /v1/policies/:id/overrides, which refuses anything that would widen a legal limit.
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Card, ErrorNote, Field, Loading, Notice, Page } from '../../../components/ui';
import { api } from '../../../lib/api';
import { useFormat } from '../../../lib/i18n';
import { useCommon } from '../../../lib/strings';
import { useApi } from '../../../lib/use-api';
import { ConfirmAction, TokenInput, useAction } from '../shared';
import { useShared } from '../strings';
import {
  ALL_DAYS,
  describeWindow,
  formOf,
  overridesFrom,
  problemsOf,
  weekdayNames,
  type LocalWindow,
  type PolicyForm,
  type PolicyPackView,
  type PolicyProblem,
} from './model';
import { usePackName } from './PoliciesPage';
import { usePolicyStrings } from './strings';

export function PolicyPage() {
  const { id } = useParams();
  const t = usePolicyStrings();
  const common = useCommon();
  const packName = usePackName();
  const packs = useApi<{ items: PolicyPackView[] }>('/policies');
  const [notice, setNotice] = useState<string | null>(null);
  const pack = packs.data?.items.find((p) => p.id === id);
  const title = pack
    ? t('policy.title', { name: `${pack.id} · ${packName(pack)}` })
    : t('policies.title');
  return (
    <Page
      title={title}
      actions={
        <Link className="settings-button-link" to="/settings/policies">
          {t('policy.back')}
        </Link>
      }
    >
      <ErrorNote error={packs.error} onRetry={packs.reload} />
      {packs.loading && !packs.data ? <Loading /> : null}
      {packs.data && !pack ? <p className="muted">{common('notFound')}</p> : null}
      {notice ? <Notice>{notice}</Notice> : null}
      {pack ? (
        <PolicyEditor
          key={JSON.stringify(pack.overrides)}
          pack={pack}
          onSaved={(message) => {
            setNotice(message);
            packs.reload();
          }}
        />
      ) : null}
    </Page>
  );
}

function PolicyEditor({
  pack,
  onSaved,
}: {
  pack: PolicyPackView;
  onSaved: (message: string) => void;
}) {
  const t = usePolicyStrings();
  const s = useShared();
  const f = useFormat();
  const days = weekdayNames(f.locale);
  const packName = usePackName();
  const [form, setForm] = useState<PolicyForm>(() => formOf(pack));
  const [json, setJson] = useState(() => JSON.stringify(pack.overrides ?? {}, null, 2));
  const [jsonProblem, setJsonProblem] = useState(false);
  const [problems, setProblems] = useState<Partial<Record<string, PolicyProblem>>>({});
  const action = useAction();
  const jsonAction = useAction();
  const problem = (key: string) => {
    const p = problems[key];
    return p ? <div className="settings-field-error">{t(`policy.problem.${p}`)}</div> : null;
  };
  const limit = pack.quietHours.marketing?.limit;

  const save = async () => {
    const found = problemsOf(form);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const overrides = overridesFrom(pack, form);
    const done = await action.run(() =>
      api.put(`/policies/${encodeURIComponent(pack.id)}/overrides`, {
        overrides: Object.keys(overrides).length > 0 ? overrides : null,
      }),
    );
    if (done) onSaved(t('policy.saved'));
  };

  const saveJson = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = undefined;
    }
    const ok = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    setJsonProblem(!ok);
    if (!ok) return;
    const overrides = parsed as Record<string, unknown>;
    const done = await jsonAction.run(() =>
      api.put(`/policies/${encodeURIComponent(pack.id)}/overrides`, {
        overrides: Object.keys(overrides).length > 0 ? overrides : null,
      }),
    );
    if (done) onSaved(t('policy.saved'));
  };

  const setWindow = (index: number, window: LocalWindow) =>
    setForm((x) => ({ ...x, windows: x.windows.map((w, i) => (i === index ? window : w)) }));

  return (
    <>
      <Card title={t('policy.hoursTitle')}>
        <p className="hint">{t('policy.hoursHint')}</p>
        {limit ? (
          <p className="settings-subtle">
            {t('policy.limit', { hours: limit.map((w) => describeWindow(w, days)).join('; ') })}
          </p>
        ) : null}
        {form.windows.map((w, i) => (
          <fieldset key={i} className="settings-fieldset">
            <legend>{t('policy.window', { n: i + 1 })}</legend>
            <div className="settings-inline">
              <Field label={t('policy.from')}>
                {(id) => (
                  <input
                    id={id}
                    value={w.start}
                    size={6}
                    inputMode="numeric"
                    placeholder="08:00"
                    aria-invalid={problems[`window${i}`] ? true : undefined}
                    onChange={(e) => setWindow(i, { ...w, start: e.target.value.trim() })}
                  />
                )}
              </Field>
              <Field label={t('policy.to')}>
                {(id) => (
                  <input
                    id={id}
                    value={w.end}
                    size={6}
                    inputMode="numeric"
                    placeholder="21:00"
                    aria-invalid={problems[`window${i}`] ? true : undefined}
                    onChange={(e) => setWindow(i, { ...w, end: e.target.value.trim() })}
                  />
                )}
              </Field>
              <button
                type="button"
                className="settings-small-button settings-danger-outline"
                onClick={() =>
                  setForm((x) => ({ ...x, windows: x.windows.filter((_, j) => j !== i) }))
                }
              >
                {t('policy.removeWindow', { n: i + 1 })}
              </button>
            </div>
            <div className="settings-checks" role="group" aria-label={t('policy.days')}>
              {ALL_DAYS.map((d) => (
                <label key={d}>
                  <input
                    type="checkbox"
                    checked={(w.days ?? []).includes(d)}
                    onChange={(e) =>
                      setWindow(i, {
                        ...w,
                        days: e.target.checked
                          ? [...(w.days ?? []), d].sort((a, b) => a - b)
                          : (w.days ?? []).filter((x) => x !== d),
                      })
                    }
                  />
                  {days[d - 1]}
                </label>
              ))}
            </div>
            {problem(`window${i}`)}
          </fieldset>
        ))}
        {problem('windows')}
        <button
          type="button"
          onClick={() =>
            setForm((x) => ({
              ...x,
              windows: [...x.windows, { start: '09:00', end: '20:00', days: [...ALL_DAYS] }],
            }))
          }
        >
          {t('policy.addWindow')}
        </button>
        <Source text={pack.sources.quietHours} />
      </Card>

      <div className="grid settings-grid-top">
        <Card title={t('policy.holidaysTitle')}>
          <label className="settings-check">
            <input
              type="checkbox"
              checked={form.holidayMarketing}
              onChange={(e) => setForm((x) => ({ ...x, holidayMarketing: e.target.checked }))}
            />
            {t('policy.holidayMarketing')}
          </label>
          <Source text={pack.sources.holidays} />
        </Card>

        <Card title={t('policy.capTitle')}>
          <div className="settings-form">
            <Field label={t('policy.capMax')}>
              {(id) => (
                <>
                  <input
                    id={id}
                    type="number"
                    min={1}
                    step={1}
                    value={form.cap.max}
                    aria-invalid={problems.capMax ? true : undefined}
                    onChange={(e) =>
                      setForm((x) => ({ ...x, cap: { ...x.cap, max: e.target.value } }))
                    }
                  />
                  {problem('capMax')}
                </>
              )}
            </Field>
            <Field label={t('policy.capWindow')}>
              {(id) => (
                <>
                  <input
                    id={id}
                    type="number"
                    min={1}
                    step="any"
                    value={form.cap.windowHours}
                    aria-invalid={problems.capWindow ? true : undefined}
                    onChange={(e) =>
                      setForm((x) => ({ ...x, cap: { ...x.cap, windowHours: e.target.value } }))
                    }
                  />
                  {problem('capWindow')}
                </>
              )}
            </Field>
            <Field label={t('policy.capGap')} hint={t('policy.capGapHint')}>
              {(id) => (
                <>
                  <input
                    id={id}
                    type="number"
                    min={0}
                    step="any"
                    value={form.cap.minGapHours}
                    aria-invalid={problems.capGap ? true : undefined}
                    onChange={(e) =>
                      setForm((x) => ({ ...x, cap: { ...x.cap, minGapHours: e.target.value } }))
                    }
                  />
                  {problem('capGap')}
                </>
              )}
            </Field>
          </div>
          <Source text={pack.sources.frequency} />
        </Card>
      </div>

      <div className="grid settings-grid-top">
        <Card title={t('policy.optOutTitle')}>
          <TokenInput
            label={t('policy.optOutWords')}
            values={form.optOutWords}
            onChange={(optOutWords) => setForm((x) => ({ ...x, optOutWords }))}
            normalise={(v) => v.trim().toUpperCase()}
            hint={t('policy.optOutHint')}
          />
          {problem('optOut')}
          <Source text={pack.sources.keywords} />
        </Card>
        <Card title={t('policy.forbiddenTitle')}>
          <TokenInput
            label={t('policy.forbiddenWords')}
            values={form.forbiddenWords}
            onChange={(forbiddenWords) => setForm((x) => ({ ...x, forbiddenWords }))}
          />
          <Source text={pack.sources.forbiddenWords} />
        </Card>
      </div>

      <ErrorNote error={action.error} />
      <div className="settings-actions">
        <button
          type="button"
          className="primary"
          disabled={action.busy}
          onClick={() => void save()}
        >
          {action.busy ? s('shared.saving') : t('policy.save')}
        </button>
        {pack.overrides ? (
          <ConfirmAction
            label={t('policy.reset')}
            title={t('policy.resetTitle', { name: `${pack.id} ${packName(pack)}` })}
            body={t('policy.resetBody')}
            confirmLabel={t('policy.reset')}
            onConfirm={async () => {
              await api.put(`/policies/${encodeURIComponent(pack.id)}/overrides`, {
                overrides: null,
              });
              onSaved(t('policy.resetDone'));
            }}
          />
        ) : null}
      </div>

      <Card title={t('policy.advanced')} className="settings-advanced">
        <Field label={t('policy.advanced')} hint={t('policy.advancedHint')}>
          {(id) => (
            <textarea
              id={id}
              className="settings-json"
              rows={8}
              value={json}
              spellCheck={false}
              aria-invalid={jsonProblem ? true : undefined}
              onChange={(e) => setJson(e.target.value)}
            />
          )}
        </Field>
        {jsonProblem ? <div className="settings-field-error">{t('policy.jsonInvalid')}</div> : null}
        <ErrorNote error={jsonAction.error} />
        <button type="button" disabled={jsonAction.busy} onClick={() => void saveJson()}>
          {jsonAction.busy ? s('shared.saving') : t('policy.saveJson')}
        </button>
      </Card>
    </>
  );
}

function Source({ text }: { text: string | undefined }) {
  const t = usePolicyStrings();
  return text ? <p className="settings-source">{t('policy.source', { text })}</p> : null;
}
