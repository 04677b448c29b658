/** Schemas shared by the contact routes. */
import { Type } from 'typebox';
import { CONSENT_METHODS } from '../../core/policy/consent.js';
import { PURPOSES } from '../../core/policy/purposes.js';
import { RowId } from '../../core/row-id.js';

export const PurposeSchema = Type.Union(PURPOSES.map((p) => Type.Literal(p)));
export const ConsentMethodSchema = Type.Union(CONSENT_METHODS.map((m) => Type.Literal(m)));
export const CountrySchema = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2',
});

export const AttributesInput = Type.Object(
  {
    birth_year: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    age_band: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    city: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    region: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    gender: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    locale: Type.Optional(Type.Union([Type.String({ maxLength: 35 }), Type.Null()])),
    tags: Type.Optional(
      Type.Union([
        Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 }),
        Type.Null(),
      ]),
    ),
    custom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const ConsentInputSchema = Type.Object(
  {
    purpose: PurposeSchema,
    action: Type.Union([Type.Literal('grant'), Type.Literal('revoke')]),
    method: ConsentMethodSchema,
    source: Type.String({ minLength: 1, maxLength: 200 }),
    ip: Type.Optional(Type.String({ maxLength: 64 })),
    userAgent: Type.Optional(Type.String({ maxLength: 512 })),
    formUrl: Type.Optional(Type.String({ maxLength: 2048 })),
    consentTextId: Type.Optional(RowId()),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    evidence: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const ContactView = Type.Object({
  id: Type.Integer(),
  phone: Type.String({ description: 'masked, e.g. +86 138****8000' }),
  country: Type.Union([Type.String(), Type.Null()]),
  numberType: Type.String(),
  zones: Type.Array(Type.String()),
  timeZone: Type.Union([Type.String(), Type.Null()]),
  carrier: Type.Union([Type.String(), Type.Null()]),
  place: Type.Union([Type.String(), Type.Null()]),
  externalId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  invalidReason: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  consents: Type.Record(
    Type.String(),
    Type.Object({
      granted: Type.Boolean(),
      method: Type.String(),
      source: Type.String(),
      at: Type.String(),
    }),
  ),
  suppressions: Type.Array(
    Type.Object({ scope: Type.String(), reason: Type.String(), since: Type.String() }),
  ),
  source: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
