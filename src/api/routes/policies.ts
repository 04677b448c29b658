/**
 * /v1/policies (the packs in force and their overrides), /v1/content/lint and
 * /v1/decisions/explain: why a message may or may not go to a contact now.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import {
  EXPLAIN_LOCALES,
  POLICY_PACK_IDS,
  decide,
  explainDecision,
  lintContent,
  type PolicyOverrides,
} from '../../core/policy/index.js';
import { findContactByPhone, getContact } from '../../contacts/contacts.js';
import { effectivePacks, policyForCountry, setPolicyOverrides } from '../../compliance/policies.js';
import { loadRecipient } from '../../compliance/recipient.js';
import { actorOf } from '../../security/principal.js';
import { ErrorBody } from '../errors.js';
import { CountrySchema, PurposeSchema } from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const PackId = Type.Union(POLICY_PACK_IDS.map((id) => Type.Literal(id)));
const Locale = Type.Union(EXPLAIN_LOCALES.map((l) => Type.Literal(l)));
const LintIssue = Type.Object({
  code: Type.String(),
  severity: Type.String(),
  message: Type.String(),
});
const LintView = Type.Object({
  ok: Type.Boolean(),
  issues: Type.Array(LintIssue),
  fixedText: Type.Optional(Type.String()),
});
const Draft = Type.Object(
  {
    purpose: PurposeSchema,
    body: Type.String({ minLength: 1, maxLength: 5000 }),
    sender: Type.Optional(Type.String({ maxLength: 32 })),
    brand: Type.Optional(Type.String({ maxLength: 32 })),
    locale: Type.Optional(Type.String({ maxLength: 16 })),
    isOneTimeCode: Type.Optional(Type.Boolean()),
    goodWindows: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function policyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/policies',
    {
      config: { permission: 'decisions:explain' },
      schema: {
        tags: ['policies'],
        summary:
          'Every policy pack as in force (with this organisation’s overrides) and its legal sources',
        response: {
          200: Type.Object({ items: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
          ...errors,
        },
      },
    },
    async () => ({
      items: (await effectivePacks(ctx)).map(({ pack, overrides }) => ({ ...pack, overrides })),
    }),
  );

  r.put(
    '/policies/:id/overrides',
    {
      config: { permission: 'policies:manage' },
      schema: {
        tags: ['policies'],
        summary:
          'Override fields of a pack (objects merge, arrays replace); legal limits cannot be widened',
        params: Type.Object({ id: PackId }),
        body: Type.Object({
          overrides: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
        }),
        response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errors },
      },
    },
    async (request) =>
      ({
        ...(await setPolicyOverrides(
          ctx,
          request.params.id,
          request.body.overrides as PolicyOverrides | null,
          actorOf(request.principal!),
        )),
      }) as Record<string, unknown>,
  );

  r.post(
    '/content/lint',
    {
      config: { permission: 'content:inspect' },
      schema: {
        tags: ['content'],
        summary:
          'Check a text against the policy of a country: signature, opt-out wording, forbidden words, links',
        body: Type.Object(
          {
            text: Type.String({ maxLength: 5000 }),
            purpose: PurposeSchema,
            country: CountrySchema,
            locale: Type.Optional(Type.String({ maxLength: 16 })),
            brand: Type.Optional(Type.String({ maxLength: 32 })),
            autoAppendOptOut: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ policy: Type.String(), lint: LintView }), ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const policy = await policyForCountry(ctx, b.country);
      const lint = lintContent(b.text, {
        purpose: b.purpose,
        policy,
        locale: b.locale,
        brand: b.brand,
        autoAppendOptOut: b.autoAppendOptOut,
        allowedLinkDomains: ctx.config.linkDomains.length > 0 ? ctx.config.linkDomains : undefined,
      });
      return { policy: policy.id, lint };
    },
  );

  r.post(
    '/decisions/explain',
    {
      config: { permission: 'decisions:explain' },
      schema: {
        tags: ['policies'],
        summary:
          'May this draft go to this contact now (or at `at`)? send, defer until when, or block, and why',
        body: Type.Object(
          {
            contactId: Type.Optional(RowId()),
            phone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            country: Type.Optional(CountrySchema),
            message: Draft,
            at: Type.Optional(Type.String({ format: 'date-time' })),
            locale: Type.Optional(Locale),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            action: Type.String(),
            reason: Type.Optional(Type.String()),
            until: Type.Optional(Type.String()),
            policy: Type.String(),
            checks: Type.Array(
              Type.Object({
                reason: Type.String(),
                passed: Type.Boolean(),
                detail: Type.Optional(Type.String()),
              }),
            ),
            explanation: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const b = request.body;
      if ((b.contactId === undefined) === (b.phone === undefined)) {
        throw new HeraldError('VALIDATION_FAILED', 'Give exactly one of contactId or phone');
      }
      const row = b.contactId
        ? await getContact(ctx, b.contactId)
        : await findContactByPhone(ctx, b.phone!, b.country ?? ctx.config.defaultCountry);
      if (!row) throw new HeraldError('NOT_FOUND', 'No contact has this number');
      const now = b.at ? new Date(b.at) : new Date();
      const recipient = await loadRecipient(ctx, row, now);
      if (recipient.zones.length === 0) {
        throw new HeraldError(
          'VALIDATION_FAILED',
          'The contact has no known time zone; set its timeZone',
          { field: 'timeZone' },
        );
      }
      const policy = await policyForCountry(ctx, recipient.country);
      const decision = decide(
        { ...b.message, locale: b.message.locale ?? row.locale ?? undefined },
        recipient,
        policy,
        now,
      );
      return {
        action: decision.action,
        ...(decision.action !== 'send' ? { reason: decision.reason } : {}),
        ...(decision.action === 'defer' ? { until: decision.until.toISOString() } : {}),
        policy: policy.id,
        checks: decision.checks.map((c) => ({ ...c })),
        explanation: explainDecision(
          decision,
          b.locale ?? (row.locale?.startsWith('zh') ? 'zh' : 'en'),
        ),
      };
    },
  );
}
