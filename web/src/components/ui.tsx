/**
 * The console's small shared pieces. Every control has a visible label (axe checks it), colours
 * keep a contrast of 4.5:1 at least, and tables scroll sideways at a phone's width instead of
 * breaking the page.
 */
import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../lib/api';
import { useCommon } from '../lib/strings';

export function Page({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Herald`;
  }, [title]);
  return (
    <section className="page">
      <header className="page-header">
        <h1>{title}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Card({
  title,
  children,
  className,
}: {
  title?: string;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={title ? id : undefined}>
      {title ? <h2 id={id}>{title}</h2> : null}
      {children}
    </section>
  );
}

export function Loading() {
  const t = useCommon();
  return (
    <p className="muted" role="status">
      {t('loading')}
    </p>
  );
}

/** An API error as Herald said it: its code and its message. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useCommon();
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="error-note" role="alert">
      {code ? <strong>{code}: </strong> : null}
      {message}
      {onRetry ? (
        <button type="button" className="link" onClick={onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="notice" role="status">
      {children}
    </div>
  );
}

export function Stat({
  label,
  value,
  hint,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
}) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  );
}

const STATUS_TONE: Record<string, string> = {
  delivered: 'good',
  completed: 'good',
  approved: 'good',
  applied: 'good',
  granted: 'good',
  sent: 'info',
  submitted: 'info',
  sending: 'info',
  scheduled: 'info',
  running: 'info',
  queued: 'neutral',
  draft: 'neutral',
  deferred: 'warn',
  paused: 'warn',
  unknown: 'warn',
  expired: 'warn',
  blocked: 'bad',
  failed: 'bad',
  undelivered: 'bad',
  cancelled: 'bad',
  revoked: 'bad',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span className={`badge badge-${STATUS_TONE[status] ?? 'neutral'}`}>{label ?? status}</span>
  );
}

/** A labelled form control: the label is tied to the control by id. */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: ReactNode;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}

export interface Column<T> {
  readonly key: string;
  readonly header: ReactNode;
  readonly cell: (row: T) => ReactNode;
  readonly align?: 'left' | 'right';
}

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  empty,
}: {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  caption?: string;
  empty?: ReactNode;
}) {
  const t = useCommon();
  if (rows.length === 0) return <p className="muted">{empty ?? t('empty')}</p>;
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.align === 'right' ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.align === 'right' ? 'num' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({
  onPrevious,
  onNext,
}: {
  onPrevious?: (() => void) | null;
  onNext?: (() => void) | null;
}) {
  const t = useCommon();
  return (
    <nav className="pager" aria-label="pagination">
      <button type="button" disabled={!onPrevious} onClick={onPrevious ?? undefined}>
        {t('previous')}
      </button>
      <button type="button" disabled={!onNext} onClick={onNext ?? undefined}>
        {t('next')}
      </button>
    </nav>
  );
}

/** A modal dialog on the native <dialog> element (focus trap and Escape for free). */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const t = useCommon();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose} className="dialog">
      <header className="dialog-header">
        <h2 id={id}>{title}</h2>
        <button type="button" className="link" onClick={onClose}>
          {t('close')}
        </button>
      </header>
      {open ? children : null}
    </dialog>
  );
}
