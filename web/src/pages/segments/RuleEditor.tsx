/**
 * One rule of the builder: its kind, then exactly the fields that kind has in the filter
 * language (docs/segments.md), each with a label.
 */
import { useId } from 'react';
import { Field } from '../../components/ui';
import { CheckboxGroup, ListInput, NumberInput } from './controls';
import {
  AGE_BANDS,
  CONDITION_KINDS,
  CONSENT_METHODS,
  ENGAGEMENT_ACTIONS,
  MAX_WINDOW_DAYS,
  OPS_BY_TYPE,
  PURPOSES,
  valueShape,
  type AttributeDefinition,
  type AttributeOp,
  type Condition,
  type ConditionKind,
} from './model';
import { useSegmentStrings } from './strings';

export interface SegmentChoice {
  readonly id: number;
  readonly name: string;
}

interface Props {
  condition: Condition;
  onChange: (next: Condition) => void;
  attributes: readonly AttributeDefinition[];
  segments: readonly SegmentChoice[];
  disabled: boolean;
}

type T = ReturnType<typeof useSegmentStrings>;

export function RuleKindSelect({
  value,
  onChange,
  disabled,
}: {
  value: ConditionKind;
  onChange: (kind: ConditionKind) => void;
  disabled: boolean;
}) {
  const t = useSegmentStrings();
  return (
    <Field label={t('ruleKind')}>
      {(id) => (
        <select
          id={id}
          value={value}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value as ConditionKind)}
        >
          {CONDITION_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}` as 'kind.country')}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function Days({
  label,
  value,
  onChange,
  disabled,
  t,
}: {
  label: string;
  value: unknown;
  onChange: (v: number | undefined) => void;
  disabled: boolean;
  t: T;
}) {
  const hint = useId();
  return (
    <div className="field">
      <label htmlFor={`${hint}-i`}>{label}</label>
      <NumberInput
        id={`${hint}-i`}
        value={typeof value === 'number' ? value : undefined}
        onChange={onChange}
        min={1}
        max={MAX_WINDOW_DAYS}
        step={1}
        disabled={disabled}
        describedBy={hint}
      />
      <span id={hint} className="sr-only">
        {t('daysHint')}
      </span>
    </div>
  );
}

function TextList({
  label,
  hint,
  value,
  onChange,
  disabled,
  upper,
}: {
  label: string;
  hint?: string;
  value: unknown;
  onChange: (v: string[]) => void;
  disabled: boolean;
  upper?: boolean;
}) {
  const id = useId();
  return (
    <div className="field segments-wide">
      <label htmlFor={id}>{label}</label>
      <ListInput
        id={id}
        value={Array.isArray(value) ? (value as string[]) : []}
        onChange={(v) => onChange(v as string[])}
        parse={upper ? (s) => s.toUpperCase() : undefined}
        disabled={disabled}
        describedBy={hint ? `${id}-hint` : undefined}
      />
      {hint ? (
        <div id={`${id}-hint`} className="hint">
          {hint}
        </div>
      ) : null}
    </div>
  );
}

function AttributeFields({ condition, onChange, attributes, disabled }: Props) {
  const t = useSegmentStrings();
  const def = attributes.find((a) => a.name === condition.name);
  const ops = def ? OPS_BY_TYPE[def.type] : [];
  const op = condition.op as AttributeOp;
  const shape = valueShape(op);
  const set = (patch: Record<string, unknown>) => onChange({ ...condition, ...patch });
  const valueId = useId();

  const scalarParse = (s: string): string | number =>
    def && (def.type === 'number' || def.type === 'integer') && s.trim() !== '' && !isNaN(+s)
      ? Number(s)
      : s;

  let valueControl = null;
  if (def && shape === 'one') {
    const v = condition.value;
    if (def.type === 'enum' || def.type === 'boolean') {
      const options = def.type === 'boolean' ? ['true', 'false'] : (def.values ?? []);
      valueControl = (
        <select
          id={valueId}
          value={v === undefined ? '' : String(v)}
          disabled={disabled}
          onChange={(e) => {
            const raw = e.target.value;
            set({
              value: raw === '' ? undefined : def.type === 'boolean' ? raw === 'true' : raw,
            });
          }}
        >
          <option value="">—</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {def.type === 'boolean' ? t(o === 'true' ? 'yes' : 'no') : o}
            </option>
          ))}
        </select>
      );
    } else if (def.type === 'number' || def.type === 'integer') {
      valueControl = (
        <NumberInput
          id={valueId}
          value={typeof v === 'number' ? v : undefined}
          step={def.type === 'integer' ? 1 : 'any'}
          onChange={(n) => set({ value: n })}
          disabled={disabled}
        />
      );
    } else {
      valueControl = (
        <input
          id={valueId}
          type={def.type === 'date' ? 'date' : 'text'}
          value={typeof v === 'string' ? v : ''}
          disabled={disabled}
          onChange={(e) => set({ value: e.target.value === '' ? undefined : e.target.value })}
        />
      );
    }
  } else if (def && shape === 'list') {
    if (def.type === 'enum') {
      valueControl = null;
    } else {
      valueControl = (
        <ListInput
          id={valueId}
          value={Array.isArray(condition.value) ? (condition.value as (string | number)[]) : []}
          parse={scalarParse}
          onChange={(values) => set({ value: values })}
          disabled={disabled}
          describedBy={`${valueId}-hint`}
        />
      );
    }
  }

  return (
    <>
      <Field label={t('attribute')}>
        {(id) => (
          <select
            id={id}
            value={String(condition.name ?? '')}
            disabled={disabled}
            onChange={(e) => {
              const next = attributes.find((a) => a.name === e.target.value);
              const nextOps = next ? OPS_BY_TYPE[next.type] : [];
              onChange({
                kind: 'attribute',
                name: e.target.value,
                op: nextOps.includes(op) ? op : (nextOps[0] ?? 'eq'),
              });
            }}
          >
            <option value="">{t('chooseAttribute')}</option>
            {attributes.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('comparison')}>
        {(id) => (
          <select
            id={id}
            value={op}
            disabled={disabled || !def}
            onChange={(e) => {
              const nextOp = e.target.value as AttributeOp;
              const keep = valueShape(nextOp) === shape;
              onChange({
                kind: 'attribute',
                name: condition.name,
                op: nextOp,
                ...(keep && condition.value !== undefined ? { value: condition.value } : {}),
              });
            }}
          >
            {(ops.length ? ops : (['eq'] as const)).map((o) => (
              <option key={o} value={o}>
                {t(`cmp.${o}` as 'cmp.eq')}
              </option>
            ))}
          </select>
        )}
      </Field>
      {def && shape === 'list' && def.type === 'enum' ? (
        <CheckboxGroup
          legend={t('values')}
          options={(def.values ?? []) as string[]}
          value={Array.isArray(condition.value) ? (condition.value as string[]) : []}
          onChange={(values) => set({ value: values })}
          label={(o) => o}
          disabled={disabled}
        />
      ) : valueControl ? (
        <div className="field segments-wide">
          <label htmlFor={valueId}>{shape === 'list' ? t('values') : t('value')}</label>
          {valueControl}
          {shape === 'list' ? (
            <div id={`${valueId}-hint`} className="hint">
              {t('valuesHint')}
            </div>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

/** The fields of one rule (without its kind picker). */
export function RuleFields(props: Props) {
  const { condition, onChange, disabled, segments } = props;
  const t = useSegmentStrings();
  const set = (patch: Record<string, unknown>) => onChange({ ...condition, ...patch });
  const c = condition;

  switch (c.kind) {
    case 'country':
      return (
        <TextList
          label={t('countries')}
          hint={t('countriesHint')}
          value={c.in}
          upper
          onChange={(v) => set({ in: v })}
          disabled={disabled}
        />
      );
    case 'region':
      return (
        <TextList
          label={t('regions')}
          hint={t('regionsHint')}
          value={c.in}
          onChange={(v) => set({ in: v })}
          disabled={disabled}
        />
      );
    case 'tag':
      return (
        <TextList
          label={t('tags')}
          hint={t('tagsHint')}
          value={c.in}
          onChange={(v) => set({ in: v })}
          disabled={disabled}
        />
      );
    case 'age_band':
      return (
        <CheckboxGroup
          legend={t('bands')}
          options={AGE_BANDS}
          value={(Array.isArray(c.in) ? c.in : []) as (typeof AGE_BANDS)[number][]}
          onChange={(v) => set({ in: v })}
          label={(b) => b}
          disabled={disabled}
        />
      );
    case 'attribute':
      return <AttributeFields {...props} />;
    case 'consent':
      return (
        <>
          <Field label={t('purpose')}>
            {(id) => (
              <select
                id={id}
                value={String(c.purpose)}
                disabled={disabled}
                onChange={(e) => set({ purpose: e.target.value })}
              >
                {PURPOSES.map((p) => (
                  <option key={p} value={p}>
                    {t(`purpose.${p}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('consentState')}>
            {(id) => (
              <select
                id={id}
                value={c.granted === false ? 'false' : 'true'}
                disabled={disabled}
                onChange={(e) => set({ granted: e.target.value === 'true' })}
              >
                <option value="true">{t('granted')}</option>
                <option value="false">{t('withdrawn')}</option>
              </select>
            )}
          </Field>
          <Days
            label={t('withinDays')}
            value={c.withinDays}
            onChange={(v) => set({ withinDays: v })}
            disabled={disabled}
            t={t}
          />
          <Days
            label={t('olderThanDays')}
            value={c.olderThanDays}
            onChange={(v) => set({ olderThanDays: v })}
            disabled={disabled}
            t={t}
          />
          <CheckboxGroup
            legend={t('methods')}
            options={CONSENT_METHODS}
            value={
              (Array.isArray(c.methods) ? c.methods : []) as (typeof CONSENT_METHODS)[number][]
            }
            onChange={(v) => set({ methods: v })}
            label={(m) => t(`method.${m}`)}
            disabled={disabled}
          />
        </>
      );
    case 'engagement':
      return (
        <>
          <Field label={t('action')}>
            {(id) => (
              <select
                id={id}
                value={String(c.action)}
                disabled={disabled}
                onChange={(e) => set({ action: e.target.value })}
              >
                {ENGAGEMENT_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {t(`action.${a}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Days
            label={t('withinDays')}
            value={c.withinDays}
            onChange={(v) => set({ withinDays: v })}
            disabled={disabled}
            t={t}
          />
          <Field label={t('minCount')}>
            {(id) => (
              <NumberInput
                id={id}
                value={typeof c.minCount === 'number' ? c.minCount : undefined}
                onChange={(v) => set({ minCount: v })}
                min={1}
                step={1}
                disabled={disabled}
              />
            )}
          </Field>
        </>
      );
    case 'purchase': {
      const count = (c.count ?? {}) as { min?: number; max?: number };
      const sum = (c.sum ?? {}) as { min?: number; max?: number };
      return (
        <>
          <Days
            label={t('withinDays')}
            value={c.withinDays}
            onChange={(v) => set({ withinDays: v })}
            disabled={disabled}
            t={t}
          />
          <TextList
            label={t('categories')}
            value={c.categories}
            onChange={(v) => set({ categories: v })}
            disabled={disabled}
          />
          <TextList
            label={t('skus')}
            value={c.skus}
            onChange={(v) => set({ skus: v })}
            disabled={disabled}
          />
          <Field label={t('currency')} hint={t('currencyHint')}>
            {(id) => (
              <input
                id={id}
                type="text"
                size={5}
                maxLength={3}
                value={typeof c.currency === 'string' ? c.currency : ''}
                disabled={disabled}
                onChange={(e) =>
                  set({ currency: e.target.value ? e.target.value.toUpperCase() : undefined })
                }
              />
            )}
          </Field>
          {(
            [
              ['countMin', count, 'count', 'min', 1],
              ['countMax', count, 'count', 'max', 1],
              ['sumMin', sum, 'sum', 'min', 'any'],
              ['sumMax', sum, 'sum', 'max', 'any'],
            ] as const
          ).map(([label, range, key, end, step]) => (
            <Field key={label} label={t(label)}>
              {(id) => (
                <NumberInput
                  id={id}
                  value={range[end]}
                  min={0}
                  step={step}
                  disabled={disabled}
                  onChange={(v) => set({ [key]: { ...range, [end]: v } })}
                />
              )}
            </Field>
          ))}
        </>
      );
    }
    case 'last_purchase':
      return (
        <>
          <Days
            label={t('withinDays')}
            value={c.withinDays}
            onChange={(v) => set({ withinDays: v })}
            disabled={disabled}
            t={t}
          />
          <Days
            label={t('olderThanDays')}
            value={c.olderThanDays}
            onChange={(v) => set({ olderThanDays: v })}
            disabled={disabled}
            t={t}
          />
        </>
      );
    case 'segment':
      return (
        <Field label={t('segment')}>
          {(id) => (
            <select
              id={id}
              value={typeof c.id === 'number' ? String(c.id) : ''}
              disabled={disabled}
              onChange={(e) => set({ id: e.target.value ? Number(e.target.value) : undefined })}
            >
              <option value="">{t('chooseSegment')}</option>
              {segments.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      );
    default:
      return null;
  }
}
