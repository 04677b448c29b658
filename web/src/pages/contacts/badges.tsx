/** Consent and suppression as badges: where a contact stands, at a glance. */
import { StatusBadge } from '../../components/ui';
import { PURPOSES } from './domain';
import { useContactStrings } from './strings';
import type { Contact } from './types';

type Purpose = (typeof PURPOSES)[number];

export function consentState(contact: Contact, purpose: string): 'granted' | 'revoked' | 'none' {
  const c = contact.consents[purpose];
  if (!c) return 'none';
  return c.granted ? 'granted' : 'revoked';
}

/** "Marketing: granted" for one purpose (or just "granted" where the purpose is said already). */
export function ConsentBadge({
  contact,
  purpose,
  bare,
}: {
  contact: Contact;
  purpose: Purpose;
  bare?: boolean;
}) {
  const t = useContactStrings();
  const state = consentState(contact, purpose);
  const label = t(`state.${state}`);
  return (
    <StatusBadge
      status={state === 'none' ? 'draft' : state}
      label={bare ? label : `${t(`purpose.${purpose}`)}: ${label}`}
    />
  );
}

export function ConsentBadges({ contact }: { contact: Contact }) {
  return (
    <span className="contacts-badges">
      {PURPOSES.map((p) => (
        <ConsentBadge key={p} contact={contact} purpose={p} />
      ))}
    </span>
  );
}

/** "suppressed: all messages (complaint)" per suppression, nothing when there is none. */
export function SuppressionBadges({ contact, always }: { contact: Contact; always?: boolean }) {
  const t = useContactStrings();
  if (contact.suppressions.length === 0) {
    return always ? <StatusBadge status="approved" label={t('notSuppressed')} /> : null;
  }
  return (
    <span className="contacts-badges">
      {contact.suppressions.map((s) => (
        <StatusBadge
          key={s.scope}
          status="blocked"
          label={`${t('suppressed')}: ${t(`scope.${s.scope}` as 'scope.all')} (${t(
            `reason.${s.reason}` as 'reason.opt_out',
          )})`}
        />
      ))}
    </span>
  );
}

export function NumberStatusBadge({ status }: { status: string }) {
  const t = useContactStrings();
  return (
    <StatusBadge
      status={status === 'active' ? 'approved' : 'failed'}
      label={status === 'active' || status === 'invalid' ? t(`status.${status}`) : status}
    />
  );
}
