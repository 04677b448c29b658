/**
 * Contact attributes on write: the built-in ones (birth_year, age_band, city, region, gender,
 * locale, tags) map to columns; custom ones are checked against the declared schema and kept as
 * JSON. Both go through src/core/attributes.ts, the one check every write path shares.
 */
import {
  assertAttributes,
  builtInAttributes,
  type AttributeDefinition,
  type AttributeSchema,
  type AttributeValue,
} from '../core/attributes.js';
import { HeraldError } from '../core/errors.js';
import type { DbOrTx } from '../store/database.js';
import { listAttributeDefinitions } from '../store/attribute-definitions.js';
import type { NewContactRow } from '../store/contacts.js';

export interface ContactAttributesInput {
  readonly birth_year?: number | null;
  readonly age_band?: string | null;
  readonly city?: string | null;
  readonly region?: string | null;
  readonly gender?: string | null;
  readonly locale?: string | null;
  readonly tags?: string[] | null;
  readonly custom?: Record<string, unknown>;
}

const BUILT_IN = ['birth_year', 'age_band', 'city', 'region', 'gender', 'locale', 'tags'] as const;
type BuiltIn = (typeof BUILT_IN)[number];

type AttributeColumns = Pick<NewContactRow, BuiltIn | 'custom'>;

export async function customAttributeSchema(db: DbOrTx): Promise<AttributeSchema> {
  return (await listAttributeDefinitions(db)).map(
    (r) => JSON.parse(r.definition) as AttributeDefinition,
  );
}

/**
 * Validates attributes. `columns` is the full set for an insert; `changed` holds only what the
 * input named (null clears a field), merged over `existingCustom` for custom fields.
 */
export async function checkContactAttributes(
  db: DbOrTx,
  input: ContactAttributesInput,
  now: Date,
  existingCustom: Record<string, unknown> = {},
  options: { coerce?: boolean; schema?: AttributeSchema } = {},
): Promise<{ columns: AttributeColumns; changed: Partial<AttributeColumns> }> {
  const builtIns: Record<string, unknown> = {};
  for (const name of BUILT_IN) if (input[name] != null) builtIns[name] = input[name];
  const checked = assertAttributes(builtInAttributes(now.getUTCFullYear()), builtIns, options);
  const schema = options.schema ?? (await customAttributeSchema(db));
  let custom: Record<string, AttributeValue> | undefined;
  if (input.custom !== undefined) {
    const merged = { ...existingCustom, ...input.custom };
    for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
    if (schema.length === 0 && Object.keys(merged).length > 0) {
      throw new HeraldError('ATTRIBUTE_INVALID', 'No custom attributes are declared', {
        errors: Object.keys(merged).map((field) => ({
          field,
          message: 'is not a declared attribute',
        })),
      });
    }
    custom = assertAttributes(schema, merged, options);
  }
  const columns: AttributeColumns = {
    birth_year: (checked.birth_year as number | undefined) ?? null,
    age_band: (checked.age_band as string | undefined) ?? null,
    city: (checked.city as string | undefined) ?? null,
    region: (checked.region as string | undefined) ?? null,
    gender: (checked.gender as string | undefined) ?? null,
    locale: (checked.locale as string | undefined) ?? null,
    tags: JSON.stringify((checked.tags as string[] | undefined) ?? []),
    custom: JSON.stringify(custom ?? {}),
  };
  const changed: Partial<AttributeColumns> = {};
  for (const name of BUILT_IN)
    if (input[name] !== undefined) (changed as Record<string, unknown>)[name] = columns[name];
  if (custom !== undefined) changed.custom = columns.custom;
  return { columns, changed };
}
