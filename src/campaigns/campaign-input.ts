/**
 * What a person writes to create or change a campaign, as one schema: the API validates with
 * it and the service's types come from it. Checks a schema cannot express (a saved segment
 * that exists, a filter over declared attributes, real dates, variant keys) are in
 * campaigns.ts.
 */
import { Type, type Static } from 'typebox';
import { ScheduleSchema } from '../core/campaigns/schedule.js';
import { GuardrailSchema } from '../core/campaigns/guardrails.js';
import { ExperimentSchema, VariantSchema } from '../core/campaigns/variants.js';
import { PURPOSES } from '../core/policy/purposes.js';
import { RowId } from '../core/row-id.js';

export const AudienceSchema = Type.Union([
  Type.Object({ segmentId: RowId() }, { additionalProperties: false }),
  Type.Object(
    { filter: Type.Unknown({ description: 'a segment filter tree (see /v1/segments)' }) },
    { additionalProperties: false },
  ),
]);
export type Audience = Static<typeof AudienceSchema>;

export const CampaignInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    purpose: Type.Enum(PURPOSES),
    audience: AudienceSchema,
    variants: Type.Array(VariantSchema, { minItems: 1, maxItems: 10 }),
    experiment: Type.Optional(Type.Union([ExperimentSchema, Type.Null()])),
    schedule: ScheduleSchema,
    guardrails: Type.Optional(GuardrailSchema),
    sender: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Null()])),
    brand: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type CampaignInput = Static<typeof CampaignInputSchema>;

export const CampaignPatchSchema = Type.Partial(CampaignInputSchema, {
  additionalProperties: false,
});
export type CampaignPatchInput = Static<typeof CampaignPatchSchema>;
