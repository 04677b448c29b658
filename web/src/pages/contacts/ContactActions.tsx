/**
 * What may be done to a contact, each confirmed in a dialog with a reason: reveal the number
 * (contacts:reveal, audited), record an opt-out (optout:record), block the number
 * (suppressions:manage, audited). A role without the permission is not offered the button; the
 * API refuses it anyway.
 */
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { Dialog, ErrorNote, Field } from '../../components/ui';
import { api } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { useAction } from '../../lib/use-action';
import { useCommon } from '../../lib/strings';
import { SUPPRESSION_REASONS, SUPPRESSION_SCOPES } from './domain';
import { useContactStrings } from './strings';
import type { Contact } from './types';

const MIN_REASON = 3;

export interface ActionOutcome {
  /** The contact as the API answered after the write, when it did. */
  readonly contact?: Contact;
  readonly revealed?: string;
  readonly notice?: string;
}

export function ContactActions({
  contact,
  onDone,
}: {
  contact: Contact;
  onDone: (outcome: ActionOutcome) => void;
}) {
  const t = useContactStrings();
  const { can } = useAuth();
  const [open, setOpen] = useState<'reveal' | 'optout' | 'block' | null>(null);
  const close = () => setOpen(null);
  const finish = (outcome: ActionOutcome) => {
    setOpen(null);
    onDone(outcome);
  };
  // An opt-out is worth recording unless the person opted out already (a revoke without a
  // grant still suppresses marketing to the number).
  const optedOut = contact.consents.marketing?.granted === false;
  const blocked = contact.suppressions.some((s) => s.scope === 'all');
  return (
    <>
      {can('contacts:reveal') ? (
        <button type="button" onClick={() => setOpen('reveal')}>
          {t('reveal')}
        </button>
      ) : null}
      {can('optout:record') && !optedOut ? (
        <button type="button" onClick={() => setOpen('optout')}>
          {t('optOut')}
        </button>
      ) : null}
      {can('suppressions:manage') && !blocked ? (
        <button type="button" className="danger" onClick={() => setOpen('block')}>
          {t('block')}
        </button>
      ) : null}
      <Dialog open={open === 'reveal'} title={t('revealTitle')} onClose={close}>
        <RevealForm
          contact={contact}
          onDone={(phone) => finish({ revealed: phone })}
          onCancel={close}
        />
      </Dialog>
      <Dialog open={open === 'optout'} title={t('optOutTitle')} onClose={close}>
        <OptOutForm
          contact={contact}
          onDone={(c) => finish({ contact: c, notice: t('optOutDone') })}
          onCancel={close}
        />
      </Dialog>
      <Dialog open={open === 'block'} title={t('blockTitle')} onClose={close}>
        <BlockForm
          contact={contact}
          onDone={() => finish({ notice: t('blockDone') })}
          onCancel={close}
        />
      </Dialog>
    </>
  );
}

/** A dialog's form: intro, fields, the API's error, confirm and cancel. */
function DialogForm({
  intro,
  onSubmit,
  busy,
  error,
  confirm,
  danger,
  onCancel,
  children,
}: {
  intro: string;
  onSubmit: () => void;
  busy: boolean;
  error: unknown;
  confirm: string;
  danger?: boolean;
  onCancel: () => void;
  children: ReactNode;
}) {
  const t = useContactStrings();
  const common = useCommon();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={submit} noValidate className="contacts-dialog-form">
      <p>{intro}</p>
      {children}
      <ErrorNote error={error} />
      <div className="contacts-dialog-buttons">
        <button type="button" onClick={onCancel}>
          {common('cancel')}
        </button>
        <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy}>
          {busy ? t('working') : confirm}
        </button>
      </div>
    </form>
  );
}

/** A required reason with its validation message. */
function ReasonField({
  label,
  hint,
  value,
  onChange,
  invalid,
}: {
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  invalid: boolean;
}) {
  const t = useContactStrings();
  return (
    <Field label={label} hint={invalid ? undefined : hint}>
      {(id) => (
        <>
          <textarea
            id={id}
            value={value}
            required
            minLength={MIN_REASON}
            maxLength={500}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? `${id}-error` : undefined}
            onChange={(e) => onChange(e.target.value)}
          />
          {invalid ? (
            <div id={`${id}-error`} className="contacts-invalid" role="alert">
              {t('reasonRequired')}
            </div>
          ) : null}
        </>
      )}
    </Field>
  );
}

function RevealForm({
  contact,
  onDone,
  onCancel,
}: {
  contact: Contact;
  onDone: (phone: string) => void;
  onCancel: () => void;
}) {
  const t = useContactStrings();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const write = useAction();
  const invalid = tried && reason.trim().length < MIN_REASON;
  return (
    <DialogForm
      intro={t('revealIntro')}
      confirm={t('revealConfirm')}
      busy={write.busy}
      error={write.error}
      onCancel={onCancel}
      onSubmit={() => {
        setTried(true);
        if (reason.trim().length < MIN_REASON) return;
        void write.run(async () => {
          const answer = await api.post<{ phone: string }>(`/contacts/${contact.id}/reveal`, {
            reason: reason.trim(),
          });
          onDone(answer.phone);
        });
      }}
    >
      <ReasonField
        label={t('reason')}
        hint={t('reasonHint')}
        value={reason}
        onChange={setReason}
        invalid={invalid}
      />
    </DialogForm>
  );
}

function OptOutForm({
  contact,
  onDone,
  onCancel,
}: {
  contact: Contact;
  onDone: (contact: Contact) => void;
  onCancel: () => void;
}) {
  const t = useContactStrings();
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const write = useAction();
  const invalid = tried && note.trim().length < MIN_REASON;
  return (
    <DialogForm
      intro={t('optOutIntro')}
      confirm={t('optOutConfirm')}
      danger
      busy={write.busy}
      error={write.error}
      onCancel={onCancel}
      onSubmit={() => {
        setTried(true);
        if (note.trim().length < MIN_REASON) return;
        void write.run(async () => {
          const after = await api.post<Contact>(`/contacts/${contact.id}/opt-out`, {
            note: note.trim(),
          });
          onDone(after);
        });
      }}
    >
      <ReasonField
        label={t('reason')}
        hint={t('noteHint')}
        value={note}
        onChange={setNote}
        invalid={invalid}
      />
    </DialogForm>
  );
}

function BlockForm({
  contact,
  onDone,
  onCancel,
}: {
  contact: Contact;
  onDone: () => void;
  onCancel: () => void;
}) {
  const t = useContactStrings();
  const [scope, setScope] = useState<string>('all');
  const [reason, setReason] = useState<string>('blocklist');
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const write = useAction();
  const invalid = tried && note.trim().length < MIN_REASON;
  return (
    <DialogForm
      intro={t('blockIntro')}
      confirm={t('blockConfirm')}
      danger
      busy={write.busy}
      error={write.error}
      onCancel={onCancel}
      onSubmit={() => {
        setTried(true);
        if (note.trim().length < MIN_REASON) return;
        void write.run(async () => {
          await api.post('/suppressions', {
            contactId: contact.id,
            scope,
            reason,
            note: note.trim(),
          });
          onDone();
        });
      }}
    >
      <div className="contacts-dialog-row">
        <Field label={t('scope')}>
          {(id) => (
            <select id={id} value={scope} onChange={(e) => setScope(e.target.value)}>
              {SUPPRESSION_SCOPES.map((s) => (
                <option key={s} value={s}>
                  {t(`scope.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('blockReason')}>
          {(id) => (
            <select id={id} value={reason} onChange={(e) => setReason(e.target.value)}>
              {SUPPRESSION_REASONS.filter((r) => r !== 'erased').map((r) => (
                <option key={r} value={r}>
                  {t(`reason.${r}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ReasonField
        label={t('note')}
        hint={t('noteHint')}
        value={note}
        onChange={setNote}
        invalid={invalid}
      />
    </DialogForm>
  );
}
