/**
 * /contacts/:id: where the contact stands (consent per purpose, suppression, number status) as
 * stat cards with badges, its number and attributes, the consent timeline, messages, clicks and
 * events; reveal, opt-out and block in dialogs. A role with contacts:lookup only (support) opens
 * it from a look-up by number (the contact travels with the navigation) and sees the consent
 * ledger and messages its role may read.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { Card, ErrorNote, Loading, Notice, Page, Stat } from '../../components/ui';
import { useAuth } from '../../lib/auth';
import { useFormat } from '../../lib/i18n';
import { useApi } from '../../lib/use-api';
import { ClicksCard, EventsCard, MessagesCard } from './ActivityCards';
import { ConsentBadge, NumberStatusBadge, SuppressionBadges } from './badges';
import { ContactActions, type ActionOutcome } from './ContactActions';
import { Tags } from './ContactList';
import { ConsentTimeline } from './ConsentTimeline';
import { PURPOSES } from './domain';
import { useContactStrings } from './strings';
import type { Contact } from './types';

export function ContactDetail() {
  const t = useContactStrings();
  const { can } = useAuth();
  const { id } = useParams();
  const contactId = Number(id);
  const location = useLocation();
  const carried = (location.state as { contact?: Contact } | null)?.contact;
  const reader = can('contacts:read');
  const loaded = useApi<Contact>(reader && contactId > 0 ? `/contacts/${contactId}` : null);
  // The contact as the last write answered it (an opt-out), until the next load.
  const [written, setWritten] = useState<Contact | null>(null);
  const [version, setVersion] = useState(0);
  const [revealed, setRevealed] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const contact =
    written ?? (reader ? loaded.data : carried?.id === contactId ? carried : null) ?? null;

  const onDone = (outcome: ActionOutcome) => {
    if (outcome.revealed) setRevealed(outcome.revealed);
    setNotice(outcome.notice ?? null);
    if (outcome.contact) setWritten(outcome.contact);
    else setWritten(null);
    if (reader) loaded.reload();
    setVersion((v) => v + 1);
  };

  if (!reader && !contact) {
    return (
      <Page title={t('title')}>
        <Notice>{t('needsLookup')}</Notice>
        <Link to="/contacts">{t('back')}</Link>
      </Page>
    );
  }
  if (!contact) {
    return (
      <Page title={t('title')}>
        <ErrorNote error={loaded.error} onRetry={loaded.reload} />
        {loaded.loading ? <Loading /> : null}
        <Link to="/contacts">{t('back')}</Link>
      </Page>
    );
  }

  return (
    <Page
      title={t('contactTitle', { phone: contact.phone })}
      actions={<ContactActions contact={contact} onDone={onDone} />}
    >
      <p className="contacts-back">
        <Link to="/contacts">← {t('back')}</Link>
      </p>
      {revealed ? (
        <div className="contacts-revealed" role="status">
          <strong>{t('revealed', { phone: revealed })}</strong>
          <span className="muted">{t('revealedNote')}</span>
          <button type="button" className="link" onClick={() => setRevealed(null)}>
            {t('hide')}
          </button>
        </div>
      ) : null}
      {notice ? <Notice>{notice}</Notice> : null}
      <StateStats contact={contact} />
      <div className="grid">
        <Profile contact={contact} />
        <Attributes contact={contact} />
      </div>
      {can('consent:read') ? <ConsentTimeline contactId={contact.id} version={version} /> : null}
      {can('messages:read') ? <MessagesCard contactId={contact.id} version={version} /> : null}
      {reader ? (
        <div className="grid">
          <ClicksCard contactId={contact.id} />
          <EventsCard contactId={contact.id} />
        </div>
      ) : null}
    </Page>
  );
}

function StateStats({ contact }: { contact: Contact }) {
  const t = useContactStrings();
  const f = useFormat();
  return (
    <section className="stats contacts-state" aria-label={t('stateTitle')}>
      {PURPOSES.map((p) => {
        const c = contact.consents[p];
        return (
          <Stat
            key={p}
            label={t(`purpose.${p}`)}
            value={<ConsentBadge contact={contact} purpose={p} bare />}
            hint={c ? `${c.method} · ${t('since', { date: f.date(c.at) })}` : undefined}
          />
        );
      })}
      <Stat
        label={t('suppression')}
        value={<SuppressionBadges contact={contact} always />}
        hint={
          contact.suppressions[0]
            ? t('since', { date: f.date(contact.suppressions[0].since) })
            : undefined
        }
      />
      <Stat
        label={t('status')}
        value={<NumberStatusBadge status={contact.status} />}
        hint={contact.invalidReason ?? undefined}
      />
    </section>
  );
}

function Facts({ rows }: { rows: readonly [string, ReactNode][] }) {
  const t = useContactStrings();
  return (
    <dl className="contacts-facts">
      {rows.map(([label, value]) => (
        <div key={label} className="contacts-fact">
          <dt>{label}</dt>
          <dd>{value === null || value === undefined || value === '' ? t('none') : value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Profile({ contact }: { contact: Contact }) {
  const t = useContactStrings();
  const f = useFormat();
  return (
    <Card title={t('profileTitle')}>
      <Facts
        rows={[
          [t('colCountry'), contact.country],
          [t('numberType'), contact.numberType],
          [t('carrier'), contact.carrier],
          [t('place'), contact.place],
          [t('zones'), contact.zones.join(', ')],
          [t('ownZone'), contact.timeZone],
          [t('externalId'), contact.externalId],
          [t('source'), contact.source],
          [t('created'), f.dateTime(contact.createdAt)],
          [t('updated'), f.dateTime(contact.updatedAt)],
        ]}
      />
    </Card>
  );
}

function Attributes({ contact }: { contact: Contact }) {
  const t = useContactStrings();
  const a = contact.attributes;
  const custom = Object.entries(a.custom ?? {});
  return (
    <Card title={t('attributesTitle')}>
      <Facts
        rows={[
          [t('city'), a.city],
          [t('region'), a.region],
          [t('birthYear'), a.birth_year],
          [t('ageBand'), a.age_band],
          [t('gender'), a.gender],
          [t('locale'), a.locale],
          [t('tags'), <Tags key="tags" tags={a.tags ?? []} />],
          ...custom.map(
            ([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string],
          ),
        ]}
      />
    </Card>
  );
}
