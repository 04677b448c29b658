/**
 * Which column holds what: the header names people use in English and Chinese spreadsheets map
 * to contact fields by themselves; an explicit mapping (`phone=手机号,city=城市`) wins. Columns
 * named like a declared custom attribute fill it; anything else is reported as ignored, and so
 * is a column the importer was told to leave out (`ignore`), whatever its name.
 */
import { HeraldError } from '../../core/errors.js';

/** Contact fields an import fills from a column, besides custom attributes. */
export const IMPORT_FIELDS = [
  'phone',
  'country',
  'external_id',
  'birth_year',
  'age_band',
  'city',
  'region',
  'gender',
  'locale',
  'tags',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Column indexes: the built-in fields found, and custom attribute name -> column. */
export interface ColumnMap {
  readonly fields: Partial<Record<ImportField, number>>;
  readonly custom: Readonly<Record<string, number>>;
}

export interface ResolvedMapping {
  readonly columns: ColumnMap;
  /** Field or custom attribute -> the header it is read from (for the report). */
  readonly mapping: Readonly<Record<string, string>>;
  /** Headers nothing reads. */
  readonly ignored: readonly string[];
}

// Normalised (see `normaliseHeader`) header names, each field's own name included.
const ALIASES: Record<ImportField, readonly string[]> = {
  phone: [
    'phone',
    'phonenumber',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'mobileno',
    'cell',
    'cellphone',
    'tel',
    'telephone',
    'msisdn',
    'number',
    'e164',
    '手机',
    '手机号',
    '手机号码',
    '电话',
    '电话号码',
    '联系电话',
    '联系方式',
    '移动电话',
    '手機',
    '手機號碼',
    '電話',
    '電話號碼',
  ],
  country: ['country', 'countrycode', 'defaultcountry', 'iso', '国家', '国家代码', '國家', '国别'],
  external_id: [
    'externalid',
    'customerid',
    'customerno',
    'memberid',
    'clientid',
    '客户编号',
    '客户id',
    '会员号',
    '会员编号',
    '會員編號',
  ],
  birth_year: ['birthyear', 'yearofbirth', '出生年份', '出生年'],
  age_band: ['ageband', 'agegroup', 'agerange', '年龄段', '年齡段'],
  city: ['city', 'town', '城市', '市'],
  region: ['region', 'state', 'province', 'county', '省', '省份', '地区', '地區'],
  gender: ['gender', 'sex', '性别', '性別'],
  locale: ['locale', 'language', 'lang', '语言', '語言'],
  tags: ['tags', 'tag', 'labels', 'label', 'segments', '标签', '標籤'],
};

// Common columns that are custom attributes when (and only when) the schema declares them.
const CUSTOM_ALIASES: Record<string, readonly string[]> = {
  first_name: ['firstname', 'givenname', 'forename', '名', '名字'],
  last_name: ['lastname', 'surname', 'familyname', '姓'],
  name: ['name', 'fullname', '姓名'],
  email: ['email', 'emailaddress', 'mail', '邮箱', '电子邮件'],
};

/** Case, width, spaces and punctuation do not matter: `Mobile No.` = `mobileno`. */
export function normaliseHeader(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:()（）/#*]+/g, '');
}

/**
 * Parses `phone=手机号,city=城市` (field=header pairs, comma-separated) into a map.
 *
 * @example
 *   parseMappingOption('phone=手机号, city = 城市'); // { phone: '手机号', city: '城市' }
 */
export function parseMappingOption(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const field = eq < 0 ? '' : pair.slice(0, eq).trim();
    const header = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (field === '' || header === '') {
      throw new HeraldError(
        'VALIDATION_FAILED',
        'A mapping is field=header pairs, comma-separated',
      );
    }
    out[field] = header;
  }
  return out;
}

/**
 * Resolves columns from the header: explicit pairs first, then aliases, then declared custom
 * attribute names; the `ignore`d headers are read by nothing (a spreadsheet's 城市 column left
 * out on purpose is not taken for the city by its name). Throws VALIDATION_FAILED for a mapping
 * that names an unknown field or a missing header, or a header both mapped and ignored, and
 * IMPORT_FILE_INVALID when no column holds the phone number.
 */
export function resolveMapping(
  header: readonly string[],
  explicit: Readonly<Record<string, string>>,
  customAttributes: readonly string[],
  ignore: readonly string[] = [],
): ResolvedMapping {
  const normalised = header.map(normaliseHeader);
  const fields: Partial<Record<ImportField, number>> = {};
  const custom: Record<string, number> = {};
  const used = new Set<number>();
  const isField = (name: string): name is ImportField =>
    (IMPORT_FIELDS as readonly string[]).includes(name);
  const columnOf = (name: string): number => {
    const index = header.indexOf(name);
    return index >= 0 ? index : normalised.indexOf(normaliseHeader(name));
  };

  const skipped = new Set<number>();
  for (const column of ignore) {
    const index = columnOf(column);
    if (index < 0) {
      throw new HeraldError(
        'VALIDATION_FAILED',
        `The file has no column ${JSON.stringify(column)} (to ignore)`,
      );
    }
    skipped.add(index);
  }

  for (const [target, column] of Object.entries(explicit)) {
    if (!isField(target) && !customAttributes.includes(target)) {
      throw new HeraldError(
        'VALIDATION_FAILED',
        `Cannot map ${JSON.stringify(target)}: it is neither a contact field (${IMPORT_FIELDS.join(', ')}) nor a declared custom attribute`,
      );
    }
    const index = columnOf(column);
    if (index < 0) {
      throw new HeraldError(
        'VALIDATION_FAILED',
        `The file has no column ${JSON.stringify(column)} (for ${target})`,
      );
    }
    if (skipped.has(index)) {
      throw new HeraldError(
        'VALIDATION_FAILED',
        `Column ${JSON.stringify(column)} is both mapped (to ${target}) and ignored`,
      );
    }
    if (isField(target)) fields[target] = index;
    else custom[target] = index;
    used.add(index);
  }
  for (const index of skipped) used.add(index);
  const claim = (aliases: readonly string[]): number | undefined => {
    const index = normalised.findIndex((name, i) => !used.has(i) && aliases.includes(name));
    if (index < 0) return undefined;
    used.add(index);
    return index;
  };
  for (const field of IMPORT_FIELDS) {
    if (fields[field] !== undefined) continue;
    const index = claim([normaliseHeader(field), ...ALIASES[field]]);
    if (index !== undefined) fields[field] = index;
  }
  for (const name of customAttributes) {
    if (custom[name] !== undefined) continue;
    const index = claim([normaliseHeader(name), ...(CUSTOM_ALIASES[name] ?? [])]);
    if (index !== undefined) custom[name] = index;
  }
  if (fields.phone === undefined) {
    throw new HeraldError(
      'IMPORT_FILE_INVALID',
      'No column holds the phone number: name it phone, mobile, 手机号 ... or map it (phone=<header>)',
      { header },
    );
  }
  const mapping: Record<string, string> = {};
  for (const [field, index] of Object.entries(fields)) mapping[field] = header[index]!;
  for (const [name, index] of Object.entries(custom)) mapping[name] = header[index]!;
  return {
    columns: { fields, custom },
    mapping,
    ignored: header.filter((_, i) => !used.has(i) || skipped.has(i)),
  };
}
