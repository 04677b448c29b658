/** Small pieces shared by the compliance pages: badges, the subject picker, form checks. */
import type { ReactNode } from 'react';
import { Field } from '../../components/ui';
import { useStrings } from './strings';
import type { SuppressionReason, SuppressionScope } from './types';

const REASON_TONE: Record<SuppressionReason, string> = {
  opt_out: 'warn',
  erased: 'neutral',
  blocklist: 'bad',
  complaint: 'bad',
  invalid: 'neutral',
  hard_bounce: 'warn',
};

export function Badge({ tone, children }: { tone: string; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function ReasonBadge({ reason }: { reason: SuppressionReason }) {
  const t = useStrings();
  return <Badge tone={REASON_TONE[reason] ?? 'neutral'}>{t(`reason.${reason}`)}</Badge>;
}

export function ScopeBadge({ scope }: { scope: SuppressionScope }) {
  const t = useStrings();
  return <Badge tone={scope === 'all' ? 'bad' : 'info'}>{t(`scope.${scope}`)}</Badge>;
}

/** A validation message under a control, tied to it by aria-describedby. */
export function FieldError({ id, message }: { id: string; message?: string | null }) {
  if (!message) return null;
  return (
    <div id={id} className="compliance-field-error">
      {message}
    </div>
  );
}

const COUNTRY = /^[A-Za-z]{2}$/;
/** At least a few digits: the API parses the number and answers its own code when it is bad. */
export const looksLikePhone = (v: string) => (v.match(/\d/g)?.length ?? 0) >= 5;
export const countryOk = (v: string) => v.trim() === '' || COUNTRY.test(v.trim());
export const countryValue = (v: string) => (v.trim() === '' ? undefined : v.trim().toUpperCase());

/** A phone number with its optional country, as every number form of the area asks for it. */
export function PhoneFields({
  phone,
  country,
  onPhone,
  onCountry,
  errors,
}: {
  phone: string;
  country: string;
  onPhone: (v: string) => void;
  onCountry: (v: string) => void;
  errors: { phone?: string | null; country?: string | null };
}) {
  const t = useStrings();
  return (
    <div className="compliance-phone">
      <Field label={t('phone')} hint={t('phoneHint')}>
        {(id) => (
          <>
            <input
              id={id}
              type="tel"
              autoComplete="off"
              value={phone}
              onChange={(e) => onPhone(e.target.value)}
              aria-invalid={errors.phone ? true : undefined}
              aria-describedby={errors.phone ? `${id}-err` : undefined}
            />
            <FieldError id={`${id}-err`} message={errors.phone} />
          </>
        )}
      </Field>
      <Field label={t('country')} hint={t('countryHint')}>
        {(id) => (
          <>
            <input
              id={id}
              className="compliance-country"
              maxLength={2}
              autoComplete="off"
              value={country}
              onChange={(e) => onCountry(e.target.value.toUpperCase())}
              aria-invalid={errors.country ? true : undefined}
              aria-describedby={errors.country ? `${id}-err` : undefined}
            />
            <FieldError id={`${id}-err`} message={errors.country} />
          </>
        )}
      </Field>
    </div>
  );
}

export type SubjectMode = 'phone' | 'contact';

export interface SubjectState {
  mode: SubjectMode;
  phone: string;
  country: string;
  contactId: string;
}

export const EMPTY_SUBJECT: SubjectState = { mode: 'phone', phone: '', country: '', contactId: '' };

/** Checks a subject and answers its errors (empty when fine). */
export function subjectErrors(
  s: SubjectState,
  t: ReturnType<typeof useStrings>,
): { phone?: string; country?: string; contactId?: string } {
  if (s.mode === 'contact') {
    return /^[1-9]\d{0,15}$/.test(s.contactId.trim()) ? {} : { contactId: t('err.contactId') };
  }
  const out: { phone?: string; country?: string } = {};
  if (!looksLikePhone(s.phone)) out.phone = t('err.phone');
  if (!countryOk(s.country)) out.country = t('err.country');
  return out;
}

/** The body of a privacy request for a subject. */
export function subjectBody(s: SubjectState, reason: string) {
  const why = reason.trim() === '' ? {} : { reason: reason.trim() };
  return s.mode === 'contact'
    ? { contactId: Number(s.contactId.trim()), ...why }
    : { phone: s.phone.trim(), country: countryValue(s.country), ...why };
}

/** Whose data: by phone number or by contact number. */
export function SubjectFields({
  name,
  value,
  onChange,
  errors,
}: {
  name: string;
  value: SubjectState;
  onChange: (v: SubjectState) => void;
  errors: { phone?: string; country?: string; contactId?: string };
}) {
  const t = useStrings();
  return (
    <>
      <fieldset className="compliance-choice">
        <legend>{t('subject')}</legend>
        {(['phone', 'contact'] as const).map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name={name}
              value={mode}
              checked={value.mode === mode}
              onChange={() => onChange({ ...value, mode })}
            />
            {mode === 'phone' ? t('byNumber') : t('byContact')}
          </label>
        ))}
      </fieldset>
      {value.mode === 'phone' ? (
        <PhoneFields
          phone={value.phone}
          country={value.country}
          onPhone={(phone) => onChange({ ...value, phone })}
          onCountry={(country) => onChange({ ...value, country })}
          errors={errors}
        />
      ) : (
        <Field label={t('contactId')}>
          {(id) => (
            <>
              <input
                id={id}
                inputMode="numeric"
                autoComplete="off"
                className="compliance-short"
                value={value.contactId}
                onChange={(e) => onChange({ ...value, contactId: e.target.value })}
                aria-invalid={errors.contactId ? true : undefined}
                aria-describedby={errors.contactId ? `${id}-err` : undefined}
              />
              <FieldError id={`${id}-err`} message={errors.contactId} />
            </>
          )}
        </Field>
      )}
    </>
  );
}

export { useAction } from '../../lib/use-action';
export { downloadJson } from '../../lib/download';

/** ISO instant to the short local form; the full instant stays in the title. */
export function Time({ iso, format }: { iso: string; format: (iso: string) => string }) {
  return (
    <time dateTime={iso} title={iso}>
      {format(iso)}
    </time>
  );
}
