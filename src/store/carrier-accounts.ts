/** Carrier accounts: settings as JSON text, secrets as one field-encrypted JSON object. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTx } from './database.js';
import type { CarrierAccountsTable } from './schema.js';

export type CarrierAccountRow = Selectable<CarrierAccountsTable>;
export type NewCarrierAccountRow = Omit<Insertable<CarrierAccountsTable>, 'id'>;
export type CarrierAccountPatch = Omit<Updateable<CarrierAccountsTable>, 'id' | 'name'>;

export async function insertCarrierAccount(
  db: DbOrTx,
  row: NewCarrierAccountRow,
): Promise<CarrierAccountRow> {
  return db.insertInto('carrier_accounts').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findCarrierAccount(
  db: DbOrTx,
  opts: { name: string },
): Promise<CarrierAccountRow | undefined> {
  return db
    .selectFrom('carrier_accounts')
    .selectAll()
    .where('name', '=', opts.name)
    .executeTakeFirst();
}

/** Every account, by name. */
export async function listCarrierAccounts(db: DbOrTx): Promise<CarrierAccountRow[]> {
  return db.selectFrom('carrier_accounts').selectAll().orderBy('name').execute();
}

export async function updateCarrierAccount(
  db: DbOrTx,
  opts: { name: string; patch: CarrierAccountPatch },
): Promise<CarrierAccountRow | undefined> {
  return db
    .updateTable('carrier_accounts')
    .set(opts.patch)
    .where('name', '=', opts.name)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteCarrierAccount(db: DbOrTx, opts: { name: string }): Promise<boolean> {
  const result = await db
    .deleteFrom('carrier_accounts')
    .where('name', '=', opts.name)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
