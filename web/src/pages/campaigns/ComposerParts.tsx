/** The composer's schedule options and A/B test settings. */
import { useId } from 'react';
import { NumberInput } from '../segments/controls';
import type { Draft } from './draft';
import { useCampaignStrings } from './strings';
import { METRICS, SCHEDULE_KINDS, type Metric, type ScheduleKind } from './types';

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="campaigns-field-error">
      {message}
    </p>
  ) : null;
}

export function ScheduleFields({
  value,
  onChange,
  problems,
}: {
  value: Draft['schedule'];
  onChange: (patch: Partial<Draft['schedule']>) => void;
  problems: { at?: string; date?: string; window?: string };
}) {
  const t = useCampaignStrings();
  const id = useId();
  return (
    <fieldset className="campaigns-fieldset">
      <legend>{t('whenToSend')}</legend>
      <div className="campaigns-choices">
        {SCHEDULE_KINDS.map((kind) => (
          <label key={kind} className="campaigns-choice">
            <input
              type="radio"
              name={`${id}-kind`}
              value={kind}
              checked={value.kind === kind}
              onChange={() => onChange({ kind: kind as ScheduleKind })}
            />
            <span>
              <strong>{t(`schedule.${kind}`)}</strong>
              <span className="hint">{t(`schedule.${kind}.hint`)}</span>
            </span>
          </label>
        ))}
      </div>
      <div className="row">
        {value.kind === 'at' ? (
          <div className="field">
            <label htmlFor={`${id}-at`}>{t('sendAt')}</label>
            <input
              id={`${id}-at`}
              type="datetime-local"
              value={value.at}
              aria-invalid={problems.at ? true : undefined}
              aria-describedby={problems.at ? `${id}-at-error` : undefined}
              onChange={(e) => onChange({ at: e.target.value })}
            />
            <FieldError id={`${id}-at-error`} message={problems.at} />
          </div>
        ) : null}
        {value.kind === 'local_time' || value.kind === 'best_hour' ? (
          <div className="field">
            <label htmlFor={`${id}-date`}>{t('sendDate')}</label>
            <input
              id={`${id}-date`}
              type="date"
              value={value.date}
              aria-invalid={problems.date ? true : undefined}
              aria-describedby={problems.date ? `${id}-date-error` : undefined}
              onChange={(e) => onChange({ date: e.target.value })}
            />
            <FieldError id={`${id}-date-error`} message={problems.date} />
          </div>
        ) : null}
        {value.kind === 'local_time' ? (
          <div className="field">
            <label htmlFor={`${id}-time`}>{t('localTime')}</label>
            <input
              id={`${id}-time`}
              type="time"
              value={value.time}
              onChange={(e) => onChange({ time: e.target.value })}
            />
          </div>
        ) : null}
        {value.kind === 'best_hour' ? (
          <>
            <div className="field">
              <label htmlFor={`${id}-start`}>{t('windowStart')}</label>
              <input
                id={`${id}-start`}
                type="time"
                value={value.start}
                aria-invalid={problems.window ? true : undefined}
                aria-describedby={problems.window ? `${id}-window-error` : undefined}
                onChange={(e) => onChange({ start: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-end`}>{t('windowEnd')}</label>
              <input
                id={`${id}-end`}
                type="time"
                value={value.end}
                aria-invalid={problems.window ? true : undefined}
                aria-describedby={problems.window ? `${id}-window-error` : undefined}
                onChange={(e) => onChange({ end: e.target.value })}
              />
            </div>
          </>
        ) : null}
      </div>
      <FieldError id={`${id}-window-error`} message={problems.window} />
      <p className="hint">{t('scheduleNote')}</p>
    </fieldset>
  );
}

export function ExperimentFields({
  draft,
  onChange,
  problems,
}: {
  draft: Draft;
  onChange: (patch: Partial<Draft['test']>) => void;
  problems: { percent?: string; duration?: string };
}) {
  const t = useCampaignStrings();
  const id = useId();
  const test = draft.test;
  const total = draft.variants.reduce((s, v) => s + (v.weight > 0 ? v.weight : 0), 0);
  return (
    <fieldset className="campaigns-fieldset">
      <legend className="sr-only">{t('testLegend')}</legend>
      <label className="campaigns-inline">
        <input
          type="checkbox"
          checked={test.on}
          onChange={(e) => onChange({ on: e.target.checked })}
        />
        <span>{t('runTest')}</span>
      </label>
      <p className="hint">{test.on ? t('testExplained') : t('splitExplained')}</p>
      {total > 0 ? (
        <p className="campaigns-split" aria-label={t('split')}>
          <span className="campaigns-split-title">{t('split')}:</span>{' '}
          {draft.variants.map((v) => (
            <span key={v.key} className="campaigns-split-part">
              {v.key} {Math.round(((v.weight > 0 ? v.weight : 0) / total) * 1000) / 10}%
            </span>
          ))}
        </p>
      ) : null}
      {test.on ? (
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-percent`}>{t('testPercent')}</label>
            <NumberInput
              id={`${id}-percent`}
              value={test.percent}
              min={1}
              max={100}
              step={1}
              describedBy={problems.percent ? `${id}-percent-error` : undefined}
              onChange={(v) => onChange({ percent: v ?? 0 })}
            />
            <FieldError id={`${id}-percent-error`} message={problems.percent} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-metric`}>{t('metric')}</label>
            <select
              id={`${id}-metric`}
              value={test.metric}
              onChange={(e) => onChange({ metric: e.target.value as Metric })}
            >
              {METRICS.map((m) => (
                <option key={m} value={m}>
                  {t(`metric.${m}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-duration`}>{t('durationHours')}</label>
            <NumberInput
              id={`${id}-duration`}
              value={test.durationHours}
              min={1}
              max={336}
              step={1}
              describedBy={problems.duration ? `${id}-duration-error` : undefined}
              onChange={(v) => onChange({ durationHours: v ?? 0 })}
            />
            <FieldError id={`${id}-duration-error`} message={problems.duration} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-default`}>{t('defaultVariant')}</label>
            <select
              id={`${id}-default`}
              value={test.defaultVariant}
              onChange={(e) => onChange({ defaultVariant: e.target.value })}
            >
              {draft.variants.map((v) => (
                <option key={v.key} value={v.key}>
                  {v.key}
                </option>
              ))}
            </select>
          </div>
        </div>
      ) : null}
    </fieldset>
  );
}
