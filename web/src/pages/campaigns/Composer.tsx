/**
 * The composer (/campaigns/new, /campaigns/:id/edit for a draft): name, purpose, audience,
 * sender and brand; the variants with their live counters, findings and previews; the A/B test;
 * the schedule. Saves a draft, or saves and submits it for approval.
 */
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Card, ErrorNote, Field, Loading, Page } from '../../components/ui';
import { api, ApiError } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { currentLanguage, useFormat } from '../../lib/i18n';
import { useCommon } from '../../lib/strings';
import { useApi } from '../../lib/use-api';
import type { SegmentList, SegmentPreview } from '../segments/api';
import { ExperimentFields, ScheduleFields } from './ComposerParts';
import {
  MAX_VARIANTS,
  campaignInput,
  draftOf,
  emptyDraft,
  nextKey,
  problemsOf,
  testing,
  type Draft,
  type Problem,
  type VariantDraft,
} from './draft';
import { useCampaignStrings } from './strings';
import { PURPOSES, type Campaign, type Purpose } from './types';
import { VariantCard } from './VariantCard';

/** Countries whose policy pack the findings can be checked against (docs/compliance.md). */
const LINT_COUNTRIES = ['CN', 'US', 'GB', 'DE', 'FR', 'IT', 'ES', 'NL', 'AU', 'IN', 'JP', 'SG'];

export function Composer() {
  const { id } = useParams();
  const { can } = useAuth();
  const writable = can('campaigns:write');
  const existing = useApi<Campaign>(id && writable ? `/campaigns/${id}` : null);
  const common = useCommon();
  if (!writable) return <p className="muted">{common('forbidden')}</p>;
  if (id && existing.error) {
    return (
      <Page title={`#${id}`}>
        <ErrorNote error={existing.error} onRetry={existing.reload} />
      </Page>
    );
  }
  if (id && !existing.data) return <Loading />;
  if (existing.data && existing.data.status !== 'draft') {
    return <p className="muted">{common('notFound')}</p>;
  }
  return <ComposerForm key={id ?? 'new'} campaign={existing.data} />;
}

function ComposerForm({ campaign }: { campaign: Campaign | null }) {
  const t = useCampaignStrings();
  const fmt = useFormat();
  const navigate = useNavigate();
  const { can } = useAuth();
  const [draft, setDraft] = useState<Draft>(() =>
    campaign ? draftOf(campaign, new Date()) : emptyDraft(new Date()),
  );
  const [showProblems, setShowProblems] = useState(false);
  const [busy, setBusy] = useState<null | 'save' | 'submit'>(null);
  const [error, setError] = useState<unknown>(null);
  const [country, setCountry] = useState<string | null>(null);

  const segments = useApi<SegmentList>('/segments', { limit: 500 });
  const audience = useApi<SegmentPreview>(
    draft.segmentId ? `/segments/${draft.segmentId}/count` : null,
    can('contacts:read') ? { sample: 8 } : undefined,
  );
  const contacts = useMemo(() => audience.data?.sample ?? [], [audience.data]);

  // The findings are checked against one country's pack: the audience's most common, by default.
  const usual = useMemo(() => {
    const counts = new Map<string, number>();
    for (const c of contacts)
      if (c.country) counts.set(c.country, (counts.get(c.country) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    return top ?? (currentLanguage() === 'zh' ? 'CN' : 'US');
  }, [contacts]);
  const lintCountry = country ?? usual;
  const countries = useMemo(
    () =>
      [...new Set([...contacts.map((c) => c.country ?? ''), ...LINT_COUNTRIES])].filter(Boolean),
    [contacts],
  );

  const problems = problemsOf(draft, new Date());
  const say = (key: string) => {
    const p = showProblems ? problems.get(key) : undefined;
    return p ? t(`problem.${p}` as `problem.${Problem}`) : undefined;
  };

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setVariant = (key: string, patch: Partial<VariantDraft>) =>
    setDraft((d) => ({
      ...d,
      variants: d.variants.map((v) => (v.key === key ? { ...v, ...patch } : v)),
    }));
  const addVariant = () =>
    setDraft((d) => ({
      ...d,
      variants: [...d.variants, { key: nextKey(d.variants), body: '', weight: 1 }],
    }));
  const removeVariant = (key: string) =>
    setDraft((d) => {
      const variants = d.variants.filter((v) => v.key !== key);
      const defaultVariant =
        d.test.defaultVariant === key ? (variants[0]?.key ?? 'A') : d.test.defaultVariant;
      return { ...d, variants, test: { ...d.test, defaultVariant } };
    });

  const save = async (submit: boolean) => {
    setShowProblems(true);
    setError(null);
    if (problems.size > 0) return;
    setBusy(submit ? 'submit' : 'save');
    try {
      const body = campaignInput(draft);
      const saved = campaign
        ? await api.patch<Campaign>(`/campaigns/${campaign.id}`, body)
        : await api.post<Campaign>('/campaigns', body);
      const after = submit ? await api.post<Campaign>(`/campaigns/${saved.id}/submit`) : saved;
      navigate(`/campaigns/${after.id}`, {
        state: {
          notice: submit
            ? t(`submitted.${after.status}` as 'submitted.submitted')
            : t('draftSaved'),
        },
      });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const marketing = draft.purpose === 'marketing';
  const problemList = showProblems ? [...problems.values()] : [];
  return (
    <Page
      title={campaign ? t('editTitle', { name: campaign.name }) : t('newCampaign')}
      actions={
        <Link to={campaign ? `/campaigns/${campaign.id}` : '/campaigns'}>← {t('back')}</Link>
      }
    >
      <form
        className="campaigns-composer"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(true);
        }}
      >
        <Card title={t('basics')}>
          <div className="campaigns-grid">
            <Field label={t('name')}>
              {(fid) => (
                <>
                  <input
                    id={fid}
                    type="text"
                    value={draft.name}
                    maxLength={200}
                    aria-invalid={say('name') ? true : undefined}
                    aria-describedby={say('name') ? `${fid}-e` : undefined}
                    onChange={(e) => set({ name: e.target.value })}
                  />
                  {say('name') ? (
                    <p id={`${fid}-e`} className="campaigns-field-error">
                      {say('name')}
                    </p>
                  ) : null}
                </>
              )}
            </Field>
            <Field label={t('purpose')} hint={t(`purpose.${draft.purpose}.hint`)}>
              {(fid) => (
                <select
                  id={fid}
                  value={draft.purpose}
                  onChange={(e) => set({ purpose: e.target.value as Purpose })}
                >
                  {PURPOSES.map((p) => (
                    <option key={p} value={p}>
                      {t(`purpose.${p}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              label={t('audience')}
              hint={
                audience.data
                  ? t('audienceCount' as 'audienceCount_other', {
                      count: audience.data.count,
                      n: fmt.number(audience.data.count),
                    })
                  : segments.data?.items.length === 0
                    ? t('noSegments')
                    : undefined
              }
            >
              {(fid) => (
                <>
                  <select
                    id={fid}
                    value={draft.segmentId ?? ''}
                    aria-invalid={say('segment') ? true : undefined}
                    aria-describedby={say('segment') ? `${fid}-e` : undefined}
                    onChange={(e) =>
                      set({ segmentId: e.target.value ? Number(e.target.value) : null })
                    }
                  >
                    <option value="">{t('chooseSegment')}</option>
                    {segments.data?.items.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                  {say('segment') ? (
                    <p id={`${fid}-e`} className="campaigns-field-error">
                      {say('segment')}
                    </p>
                  ) : null}
                </>
              )}
            </Field>
            <Field label={t('sender')} hint={t('senderHint')}>
              {(fid) => (
                <input
                  id={fid}
                  type="text"
                  value={draft.sender}
                  maxLength={32}
                  onChange={(e) => set({ sender: e.target.value })}
                />
              )}
            </Field>
            <Field label={t('brand')} hint={t('brandHint')}>
              {(fid) => (
                <input
                  id={fid}
                  type="text"
                  value={draft.brand}
                  maxLength={32}
                  onChange={(e) => set({ brand: e.target.value })}
                />
              )}
            </Field>
            <Field label={t('lintCountry')} hint={t('lintCountryHint')}>
              {(fid) => (
                <select id={fid} value={lintCountry} onChange={(e) => setCountry(e.target.value)}>
                  {countries.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </Card>

        <Card title={t('content')}>
          {draft.variants.map((v) => (
            <VariantCard
              key={v.key}
              variant={v}
              many={draft.variants.length > 1}
              onChange={(patch) => setVariant(v.key, patch)}
              onRemove={draft.variants.length > 1 ? () => removeVariant(v.key) : null}
              purpose={draft.purpose}
              brand={draft.brand}
              country={lintCountry}
              contacts={contacts}
              problems={{ body: say(`body.${v.key}`), weight: say(`weight.${v.key}`) }}
            />
          ))}
          {draft.variants.length < MAX_VARIANTS ? (
            <button type="button" onClick={addVariant}>
              + {t('addVariant')}
            </button>
          ) : null}
        </Card>

        {draft.variants.length > 1 ? (
          <Card title={t('abTest')}>
            <ExperimentFields
              draft={draft}
              onChange={(patch) => setDraft((d) => ({ ...d, test: { ...d.test, ...patch } }))}
              problems={{ percent: say('percent'), duration: say('duration') }}
            />
          </Card>
        ) : null}

        <Card title={t('schedule')}>
          <ScheduleFields
            value={draft.schedule}
            onChange={(patch) => setDraft((d) => ({ ...d, schedule: { ...d.schedule, ...patch } }))}
            problems={{ at: say('at'), date: say('date'), window: say('window') }}
          />
        </Card>

        {problemList.length > 0 ? (
          <div className="error-note" role="alert">
            {t('fixFirst')}
            <ul>
              {[...new Set(problemList)].map((p) => (
                <li key={p}>{t(`problem.${p}` as `problem.${Problem}`)}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {error ? <ApiProblem error={error} /> : null}
        <div className="campaigns-actions">
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'submit' ? t('submitting') : marketing ? t('submitForApproval') : t('submit')}
          </button>
          <button type="button" disabled={busy !== null} onClick={() => void save(false)}>
            {busy === 'save' ? t('saving') : t('saveDraft')}
          </button>
          {testing(draft) ? <span className="hint">{t('testOnNote')}</span> : null}
        </div>
      </form>
    </Page>
  );
}

/** The API's answer, with the list of problems a CAMPAIGN_INVALID carries. */
function ApiProblem({ error }: { error: unknown }) {
  const problems =
    error instanceof ApiError
      ? ((error.details as { problems?: string[] } | undefined)?.problems ?? [])
      : [];
  return (
    <>
      <ErrorNote error={error} />
      {problems.length > 1 ? (
        <ul className="campaigns-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
