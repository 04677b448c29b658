/**
 * Small pieces the settings pages share (and useAction, re-exported from lib): a secret
 * shown once with a copy button, a confirmation before a destructive action, and a list of short
 * tokens (countries, keywords) edited as removable chips.
 */
import { useId, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { Dialog, ErrorNote } from '../../components/ui';
import { useCommon } from '../../lib/strings';
import { useAction } from '../../lib/use-action';
import { useShared } from './strings';

export { useAction };

/** A secret (password, API key, signing secret) shown this once, with a copy button. */
export function OnceSecret({
  label,
  value,
  onDismiss,
  children,
}: {
  label: string;
  value: string;
  onDismiss: () => void;
  children?: ReactNode;
}) {
  const t = useShared();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      input.current?.select();
      setCopied('failed');
    }
  };
  return (
    <div className="settings-once" role="region" aria-labelledby={id}>
      <h3 id={id}>{label}</h3>
      {children}
      <div className="settings-once-row">
        <input
          ref={input}
          readOnly
          value={value}
          aria-label={label}
          className="settings-mono"
          onFocus={(e) => e.target.select()}
          spellCheck={false}
        />
        <button type="button" className="primary" onClick={() => void copy()}>
          {copied === 'yes' ? t('shared.copied') : t('shared.copy')}
        </button>
      </div>
      <p className="hint" role="status">
        {copied === 'failed' ? t('shared.copyFailed') : t('shared.shownOnce')}
      </p>
      <button type="button" onClick={onDismiss}>
        {t('shared.dismiss')}
      </button>
    </div>
  );
}

/** A button that asks before it acts; the answer's error is shown in the dialog. */
export function ConfirmAction({
  label,
  accessibleName,
  title,
  body,
  confirmLabel,
  onConfirm,
  danger = true,
  children,
}: {
  label: string;
  /** A fuller name for the button where several say the same (`Revoke key ci`). */
  accessibleName?: string;
  title: string;
  body: ReactNode;
  confirmLabel?: string;
  onConfirm: () => Promise<unknown>;
  danger?: boolean;
  children?: ReactNode;
}) {
  const t = useShared();
  const common = useCommon();
  const [open, setOpen] = useState(false);
  const action = useAction();
  const confirm = async () => {
    const done = await action.run(async () => {
      await onConfirm();
      return true;
    });
    if (done) setOpen(false);
  };
  return (
    <>
      <button
        type="button"
        className={danger ? 'settings-danger-outline' : undefined}
        aria-label={accessibleName}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      <Dialog
        open={open}
        title={title}
        onClose={() => {
          setOpen(false);
          action.clear();
        }}
      >
        <div className="settings-dialog-body">{body}</div>
        {children}
        <ErrorNote error={action.error} />
        <div className="settings-actions">
          <button
            type="button"
            className={danger ? 'danger' : 'primary'}
            disabled={action.busy}
            onClick={() => void confirm()}
          >
            {action.busy ? t('shared.saving') : (confirmLabel ?? t('shared.confirm'))}
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            {common('cancel')}
          </button>
        </div>
      </Dialog>
    </>
  );
}

/**
 * A list of short values as chips, each with its own remove button, and a box to add more
 * (Enter or the Add button; commas and spaces separate several at once).
 */
export function TokenInput({
  label,
  values,
  onChange,
  normalise = (v) => v.trim(),
  validate,
  describe,
  placeholder,
  hint,
  emptyText,
}: {
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  normalise?: (value: string) => string;
  /** An error message for a value that may not be added, or null. */
  validate?: (value: string) => string | null;
  /** A longer name for a value (a country's name), for its chip's title and remove button. */
  describe?: (value: string) => string;
  placeholder?: string;
  hint?: ReactNode;
  /** What an empty list means (default: none). */
  emptyText?: string;
}) {
  const t = useShared();
  const id = useId();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const add = () => {
    const parts = draft
      .split(/[,\s，、]+/)
      .map(normalise)
      .filter((v) => v.length > 0);
    if (parts.length === 0) return;
    for (const part of parts) {
      const error = validate?.(part) ?? null;
      if (error) {
        setProblem(error);
        return;
      }
    }
    onChange([...values, ...parts.filter((p) => !values.includes(p))].filter(unique));
    setDraft('');
    setProblem(null);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    }
  };
  return (
    <div className="field settings-tokens">
      <label htmlFor={id}>{label}</label>
      {values.length > 0 ? (
        <ul className="settings-chips">
          {values.map((v) => {
            const name = describe?.(v);
            return (
              <li key={v} className="settings-chip" title={name}>
                <span>{v}</span>
                <button
                  type="button"
                  className="settings-chip-remove"
                  aria-label={t('shared.removeItem', { item: name ? `${name} (${v})` : v })}
                  onClick={() => onChange(values.filter((x) => x !== v))}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted settings-chips-empty">{emptyText ?? t('shared.none')}</p>
      )}
      <div className="settings-inline">
        <input
          id={id}
          value={draft}
          placeholder={placeholder}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKey}
          aria-invalid={problem ? true : undefined}
        />
        <button type="button" onClick={add}>
          {t('shared.add')}
        </button>
      </div>
      {problem ? (
        <div className="settings-field-error" role="alert">
          {problem}
        </div>
      ) : null}
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}

function unique(value: string, index: number, all: readonly string[]): boolean {
  return all.indexOf(value) === index;
}

/** A country's name in the chosen language (`CN` → China / 中国). */
export function useCountryName(locale: string): (code: string) => string {
  const names = useRef<{ locale: string; display: Intl.DisplayNames } | null>(null);
  return (code: string) => {
    if (names.current?.locale !== locale) {
      names.current = { locale, display: new Intl.DisplayNames([locale], { type: 'region' }) };
    }
    try {
      return names.current.display.of(code) ?? code;
    } catch {
      return code;
    }
  };
}

export const COUNTRY_CODE = /^[A-Z]{2}$/;
