/**
 * The conditions a segment filter is made of, one typebox schema each: the schema checks the
 * shape of a condition (and the API documents it), the static type is derived from it, and the
 * meaning is given by the compiler in src/store/segments.ts. Trees of conditions (and / or /
 * not) are in src/core/segments.ts.
 */
import { Type, type Static } from 'typebox';
import { AGE_BANDS } from './attributes.js';
import { CONSENT_METHODS } from './policy/consent.js';
import { PURPOSES } from './policy/purposes.js';
import { RowId } from './row-id.js';

/** The longest window a condition may look back over (ten years). */
export const MAX_WINDOW_DAYS = 3650;
/** Values in one list (`in`, `categories`...). */
export const MAX_LIST_VALUES = 500;
/** Characters of one string value. */
export const MAX_VALUE_LENGTH = 200;

const Days = Type.Integer({ minimum: 1, maximum: MAX_WINDOW_DAYS });
// Values are compared trimmed: one of spaces alone would become the empty value, so it is refused.
const Text = Type.String({ minLength: 1, maxLength: MAX_VALUE_LENGTH, pattern: '\\S' });
const TextList = Type.Array(Text, { minItems: 1, maxItems: MAX_LIST_VALUES });
const Closed = { additionalProperties: false } as const;

/** What a contact did, as the engagement condition counts it. */
export const ENGAGEMENT_ACTIONS = ['delivered', 'clicked', 'replied', 'converted'] as const;
export type EngagementAction = (typeof ENGAGEMENT_ACTIONS)[number];

/** Comparisons of an attribute condition. `contains` is for lists (tags, string_list). */
export const ATTRIBUTE_OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'exists',
] as const;
export type AttributeOp = (typeof ATTRIBUTE_OPS)[number];

const Scalar = Type.Union([Text, Type.Number(), Type.Boolean()]);

export const CountryCondition = Type.Object(
  {
    kind: Type.Literal('country'),
    in: Type.Array(Type.String({ pattern: '^[A-Za-z]{2}$' }), {
      minItems: 1,
      maxItems: MAX_LIST_VALUES,
    }),
  },
  Closed,
);

export const RegionCondition = Type.Object({ kind: Type.Literal('region'), in: TextList }, Closed);

export const AgeBandCondition = Type.Object(
  {
    kind: Type.Literal('age_band'),
    in: Type.Array(Type.Enum(AGE_BANDS), { minItems: 1, maxItems: AGE_BANDS.length }),
  },
  Closed,
);

export const TagCondition = Type.Object({ kind: Type.Literal('tag'), in: TextList }, Closed);

export const AttributeCondition = Type.Object(
  {
    kind: Type.Literal('attribute'),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    op: Type.Enum(ATTRIBUTE_OPS),
    value: Type.Optional(
      Type.Union([Scalar, Type.Array(Scalar, { minItems: 1, maxItems: MAX_LIST_VALUES })]),
    ),
  },
  Closed,
);

export const ConsentCondition = Type.Object(
  {
    kind: Type.Literal('consent'),
    purpose: Type.Enum(PURPOSES),
    granted: Type.Optional(Type.Boolean()),
    methods: Type.Optional(
      Type.Array(Type.Enum(CONSENT_METHODS), { minItems: 1, maxItems: CONSENT_METHODS.length }),
    ),
    withinDays: Type.Optional(Days),
    olderThanDays: Type.Optional(Days),
  },
  Closed,
);

export const EngagementCondition = Type.Object(
  {
    kind: Type.Literal('engagement'),
    action: Type.Enum(ENGAGEMENT_ACTIONS),
    withinDays: Days,
    minCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  Closed,
);

const Range = Type.Object(
  {
    min: Type.Optional(Type.Number({ minimum: 0 })),
    max: Type.Optional(Type.Number({ minimum: 0 })),
  },
  Closed,
);

export const PurchaseCondition = Type.Object(
  {
    kind: Type.Literal('purchase'),
    withinDays: Type.Optional(Days),
    categories: Type.Optional(TextList),
    skus: Type.Optional(TextList),
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    count: Type.Optional(Range),
    sum: Type.Optional(Range),
  },
  Closed,
);

export const LastPurchaseCondition = Type.Object(
  {
    kind: Type.Literal('last_purchase'),
    withinDays: Type.Optional(Days),
    olderThanDays: Type.Optional(Days),
  },
  Closed,
);

export const SegmentRefCondition = Type.Object(
  { kind: Type.Literal('segment'), id: RowId() },
  Closed,
);

/** Every condition by its `kind`. */
export const CONDITION_SCHEMAS = {
  country: CountryCondition,
  region: RegionCondition,
  age_band: AgeBandCondition,
  tag: TagCondition,
  attribute: AttributeCondition,
  consent: ConsentCondition,
  engagement: EngagementCondition,
  purchase: PurchaseCondition,
  last_purchase: LastPurchaseCondition,
  segment: SegmentRefCondition,
} as const;

export type ConditionKind = keyof typeof CONDITION_SCHEMAS;
export const CONDITION_KINDS = Object.keys(CONDITION_SCHEMAS) as ConditionKind[];

export type CountryCondition = Static<typeof CountryCondition>;
export type RegionCondition = Static<typeof RegionCondition>;
export type AgeBandCondition = Static<typeof AgeBandCondition>;
export type TagCondition = Static<typeof TagCondition>;
export type AttributeCondition = Static<typeof AttributeCondition>;
export type ConsentCondition = Static<typeof ConsentCondition>;
export type EngagementCondition = Static<typeof EngagementCondition>;
export type PurchaseCondition = Static<typeof PurchaseCondition>;
export type LastPurchaseCondition = Static<typeof LastPurchaseCondition>;
export type SegmentRefCondition = Static<typeof SegmentRefCondition>;

export type SegmentCondition =
  | CountryCondition
  | RegionCondition
  | AgeBandCondition
  | TagCondition
  | AttributeCondition
  | ConsentCondition
  | EngagementCondition
  | PurchaseCondition
  | LastPurchaseCondition
  | SegmentRefCondition;

export type AttributeScalar = string | number | boolean;
