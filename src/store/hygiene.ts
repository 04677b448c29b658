/**
 * What the hygiene run reads and writes: contacts in keyset batches with their current marketing
 * consent, invalidation, number re-keying, re-permission flags, and the merge of two contacts
 * that turned out to be the same number.
 */
import type { Selectable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { ContactConsentsTable, ContactsTable } from './schema.js';
import { addSuppression } from './suppressions.js';

export interface HygieneRow {
  readonly id: number;
  readonly phone_enc: string;
  readonly phone_index: string;
  readonly status: string;
  readonly number_type: string;
  readonly country: string | null;
  readonly hard_bounces: number;
  readonly last_engaged_at: string | null;
  readonly repermission_at: string | null;
  readonly created_at: string;
  /** When the current marketing consent was granted; null without a current grant. */
  readonly marketing_granted_at: string | null;
  /** The contact's latest click on a tracked link by a person (bots apart). */
  readonly last_click_at: string | null;
}

/** The next batch of contacts after `afterId`, in id order. */
export async function readHygieneBatch(
  db: DbOrTx,
  opts: { readonly afterId: number; readonly limit: number },
): Promise<HygieneRow[]> {
  return db
    .selectFrom('contacts')
    .leftJoin('contact_consents as cc', (join) =>
      join
        .onRef('cc.contact_id', '=', 'contacts.id')
        .on('cc.purpose', '=', 'marketing')
        .on('cc.granted', '=', 1),
    )
    .select([
      'contacts.id',
      'contacts.phone_enc',
      'contacts.phone_index',
      'contacts.status',
      'contacts.number_type',
      'contacts.country',
      'contacts.hard_bounces',
      'contacts.last_engaged_at',
      'contacts.repermission_at',
      'contacts.created_at',
      'cc.at as marketing_granted_at',
      (eb) =>
        eb
          .selectFrom('short_links as sl')
          .innerJoin('link_clicks as lc', 'lc.code', 'sl.code')
          .select((e) => e.fn.max('lc.at').as('at'))
          .whereRef('sl.contact_id', '=', 'contacts.id')
          .where('lc.is_bot', '=', 0)
          .as('last_click_at'),
    ])
    .where('contacts.id', '>', opts.afterId)
    .orderBy('contacts.id')
    .limit(opts.limit)
    .execute();
}

export async function markContactInvalid(
  tx: DbOrTx,
  opts: {
    readonly id: number;
    readonly phoneIndex: string;
    readonly reason: string;
    readonly suppressionReason: 'invalid' | 'hard_bounce';
    readonly actor: string;
    readonly at: string;
  },
): Promise<{ suppressionAdded: boolean }> {
  await tx
    .updateTable('contacts')
    .set({ status: 'invalid', invalid_reason: opts.reason, updated_at: opts.at })
    .where('id', '=', opts.id)
    .execute();
  const suppressionAdded = await addSuppression(tx, {
    phone_index: opts.phoneIndex,
    scope: 'all',
    reason: opts.suppressionReason,
    note: `hygiene: ${opts.reason}`,
    created_by: opts.actor,
    created_at: opts.at,
  });
  return { suppressionAdded };
}

export async function setNumberFacts(
  tx: DbOrTx,
  opts: {
    readonly id: number;
    readonly type: string;
    readonly country: string | null;
    readonly at: string;
  },
): Promise<void> {
  await tx
    .updateTable('contacts')
    .set({ number_type: opts.type, country: opts.country, updated_at: opts.at })
    .where('id', '=', opts.id)
    .execute();
}

export async function setRepermission(
  db: DbOrTx,
  opts: { readonly id: number; readonly at: string | null },
): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ repermission_at: opts.at })
    .where('id', '=', opts.id)
    .execute();
}

/** Copies every suppression of one blind index to another (existing scopes stay as they are). */
export async function copySuppressions(
  tx: DbOrTx,
  opts: { readonly fromIndex: string; readonly toIndex: string },
): Promise<number> {
  if (opts.fromIndex === opts.toIndex) return 0;
  const rows = await tx
    .selectFrom('suppressions')
    .selectAll()
    .where('phone_index', '=', opts.fromIndex)
    .execute();
  let added = 0;
  for (const r of rows) if (await addSuppression(tx, { ...r, phone_index: opts.toIndex })) added++;
  return added;
}

/**
 * Gives a contact its number's current normalisation: the new ciphertext and blind index, its
 * messages follow (frequency caps count by index), its suppressions are copied (never lost).
 */
export async function rekeyContact(
  tx: DbOrTx,
  opts: {
    readonly id: number;
    readonly fromIndex: string;
    readonly toIndex: string;
    readonly phoneEnc: string;
    readonly type: string;
    readonly country: string | null;
    readonly at: string;
  },
): Promise<void> {
  await tx
    .updateTable('contacts')
    .set({
      phone_enc: opts.phoneEnc,
      phone_index: opts.toIndex,
      number_type: opts.type,
      country: opts.country,
      updated_at: opts.at,
    })
    .where('id', '=', opts.id)
    .execute();
  for (const table of ['messages', 'inbound_messages'] as const) {
    await tx
      .updateTable(table)
      .set({ phone_index: opts.toIndex })
      .where('contact_id', '=', opts.id)
      .execute();
  }
  await copySuppressions(tx, { fromIndex: opts.fromIndex, toIndex: opts.toIndex });
}

type ContactRow = Selectable<ContactsTable>;
type ConsentStateRow = Selectable<ContactConsentsTable>;

function newer(a: ConsentStateRow, b: ConsentStateRow | undefined): boolean {
  return b === undefined || a.at > b.at || (a.at === b.at && a.event_id > b.event_id);
}

/** The keeper's attributes win; the dropped contact fills what the keeper lacks. */
function mergedFields(keep: ContactRow, drop: ContactRow, at: string) {
  const tags = [
    ...new Set([...(JSON.parse(keep.tags) as string[]), ...(JSON.parse(drop.tags) as string[])]),
  ];
  const custom = {
    ...(JSON.parse(drop.custom) as Record<string, unknown>),
    ...(JSON.parse(keep.custom) as Record<string, unknown>),
  };
  const latest = (a: string | null, b: string | null) =>
    a === null ? b : b === null || a > b ? a : b;
  return {
    external_id: keep.external_id ?? drop.external_id,
    own_zone: keep.own_zone ?? drop.own_zone,
    birth_year: keep.birth_year ?? drop.birth_year,
    age_band: keep.age_band ?? drop.age_band,
    city: keep.city ?? drop.city,
    region: keep.region ?? drop.region,
    gender: keep.gender ?? drop.gender,
    locale: keep.locale ?? drop.locale,
    tags: JSON.stringify(tags),
    custom: JSON.stringify(custom),
    hard_bounces: keep.hard_bounces + drop.hard_bounces,
    last_engaged_at: latest(keep.last_engaged_at, drop.last_engaged_at),
    updated_at: at,
  };
}

/**
 * Merges `dropId` into `keepId` and deletes it: the consent ledger, events, messages, inbound
 * messages and import lines move over; per purpose the newer consent state wins (a later revoke
 * beats an earlier grant); the dropped number's suppressions are copied to the keeper's.
 * Returns false (and changes nothing) when either contact is already gone.
 */
export async function mergeContacts(
  tx: DbOrTx,
  opts: { readonly keepId: number; readonly dropId: number; readonly at: string },
): Promise<boolean> {
  const rows = await tx
    .selectFrom('contacts')
    .selectAll()
    .where('id', 'in', [opts.keepId, opts.dropId])
    .execute();
  const keep = rows.find((r) => r.id === opts.keepId);
  const drop = rows.find((r) => r.id === opts.dropId);
  if (!keep || !drop) return false;

  const states = await tx
    .selectFrom('contact_consents')
    .selectAll()
    .where('contact_id', 'in', [keep.id, drop.id])
    .execute();
  const kept = new Map(states.filter((s) => s.contact_id === keep.id).map((s) => [s.purpose, s]));
  await tx
    .updateTable('consent_events')
    .set({ contact_id: keep.id })
    .where('contact_id', '=', drop.id)
    .execute();
  for (const s of states.filter((x) => x.contact_id === drop.id)) {
    if (!newer(s, kept.get(s.purpose))) continue;
    const { contact_id: _c, purpose: _p, ...state } = s;
    await tx
      .insertInto('contact_consents')
      .values({ ...s, contact_id: keep.id })
      .onConflict((oc) => oc.columns(['contact_id', 'purpose']).doUpdateSet(state))
      .execute();
  }
  await tx
    .updateTable('events')
    .set({ contact_id: keep.id })
    .where('contact_id', '=', drop.id)
    .execute();
  for (const table of ['messages', 'inbound_messages'] as const) {
    await tx
      .updateTable(table)
      .set({ contact_id: keep.id, phone_index: keep.phone_index })
      .where('contact_id', '=', drop.id)
      .execute();
  }
  await tx
    .updateTable('import_rows')
    .set({ contact_id: keep.id })
    .where('contact_id', '=', drop.id)
    .execute();
  // Delete first: external_id is unique, and the keeper may be taking the dropped one's.
  await tx.deleteFrom('contacts').where('id', '=', drop.id).execute();
  await tx
    .updateTable('contacts')
    .set(mergedFields(keep, drop, opts.at))
    .where('id', '=', keep.id)
    .execute();
  await copySuppressions(tx, { fromIndex: drop.phone_index, toIndex: keep.phone_index });
  return true;
}
