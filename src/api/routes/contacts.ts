/** /v1/contacts: the phone-number database. Numbers leave masked unless revealed (audited). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DateTime } from 'luxon';
import type { AppContext } from '../../app-context.js';
import { HeraldError } from '../../core/errors.js';
import { PHONE_TYPES } from '../../core/phone.js';
import {
  changeConsent,
  changeContact,
  createContact,
  findContactByPhone,
  getContact,
  loadContactView,
  revealPhone,
  contactView,
} from '../../contacts/contacts.js';
import { isConsentMethod } from '../../contacts/consent.js';
import { consentHistory, currentConsentsOf } from '../../store/consents.js';
import { listContacts } from '../../store/contacts.js';
import { actorOf } from '../../security/principal.js';
import { requirePermission } from '../auth-plugin.js';
import { ErrorBody } from '../errors.js';
import {
  AttributesInput,
  ConsentInputSchema,
  ContactView,
  CountrySchema,
  PurposeSchema,
} from './contact-schemas.js';
import { RowId } from '../../core/row-id.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const IdParams = Type.Object({ id: RowId() });

function checkZone(zone: string | null | undefined): void {
  if (zone && !DateTime.local().setZone(zone).isValid) {
    throw new HeraldError('VALIDATION_FAILED', `Unknown time zone ${zone}`, { field: 'timeZone' });
  }
}

export async function contactRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/contacts',
    {
      config: { permission: 'contacts:write' },
      schema: {
        tags: ['contacts'],
        summary: 'Create a contact from a number in any common writing, with optional consents',
        body: Type.Object(
          {
            phone: Type.String({ minLength: 1, maxLength: 64 }),
            country: Type.Optional(CountrySchema),
            externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            timeZone: Type.Optional(Type.String({ maxLength: 64 })),
            attributes: Type.Optional(AttributesInput),
            consents: Type.Optional(Type.Array(ConsentInputSchema, { maxItems: 4 })),
            source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ContactView, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      checkZone(b.timeZone);
      const actor = actorOf(request.principal!);
      const view = await createContact(
        ctx,
        {
          phone: b.phone,
          defaultCountry: b.country ?? ctx.config.defaultCountry,
          externalId: b.externalId,
          timeZone: b.timeZone,
          attributes: b.attributes,
          source: b.source ?? `api:${actor}`,
          consents: (b.consents ?? []).map((c) => ({
            ...c,
            at: c.at ? new Date(c.at) : undefined,
            ip: c.ip ?? request.ip,
          })),
        },
        actor,
      );
      return reply.status(201).send(view);
    },
  );

  r.get(
    '/contacts',
    {
      // Looking up one number is enough for support; listing needs contacts:read (checked below).
      config: { permission: 'contacts:lookup' },
      schema: {
        tags: ['contacts'],
        summary: 'List contacts (keyset paging with `after`), or look one up with `phone`',
        querystring: Type.Object({
          phone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          phoneCountry: Type.Optional(CountrySchema),
          country: Type.Optional(CountrySchema),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('invalid')])),
          type: Type.Optional(Type.Union(PHONE_TYPES.map((t) => Type.Literal(t)))),
          tag: Type.Optional(Type.String({ maxLength: 64 })),
          city: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          region: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          consent: Type.Optional(PurposeSchema),
          after: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(ContactView),
            nextAfter: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      if (q.phone) {
        const row = await findContactByPhone(
          ctx,
          q.phone,
          q.phoneCountry ?? ctx.config.defaultCountry,
        );
        return { items: row ? [await loadContactView(ctx, row)] : [], nextAfter: null };
      }
      await requirePermission(ctx, request, 'contacts:read');
      const rows = await listContacts(ctx.store.db, {
        country: q.country,
        status: q.status,
        numberType: q.type,
        tag: q.tag,
        city: q.city,
        region: q.region,
        consentPurpose: q.consent,
        afterId: q.after,
        limit: q.limit,
      });
      const ids = rows.map((r) => r.id);
      const [marketing, transactional] = await Promise.all([
        currentConsentsOf(ctx.store.db, ids, 'marketing'),
        currentConsentsOf(ctx.store.db, ids, 'transactional'),
      ]);
      const items = rows.map((row) =>
        contactView(
          ctx,
          row,
          [marketing.get(row.id), transactional.get(row.id)].filter((c) => c !== undefined),
        ),
      );
      return { items, nextAfter: rows.length === q.limit ? rows[rows.length - 1]!.id : null };
    },
  );

  r.get(
    '/contacts/:id',
    {
      config: { permission: 'contacts:read' },
      schema: {
        tags: ['contacts'],
        summary: 'One contact',
        params: IdParams,
        response: { 200: ContactView, ...errors },
      },
    },
    async (request) => loadContactView(ctx, await getContact(ctx, request.params.id)),
  );

  r.patch(
    '/contacts/:id',
    {
      config: { permission: 'contacts:write' },
      schema: {
        tags: ['contacts'],
        summary: 'Change attributes, external id or own time zone (null clears)',
        params: IdParams,
        body: Type.Object(
          {
            externalId: Type.Optional(
              Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()]),
            ),
            timeZone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
            attributes: Type.Optional(AttributesInput),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ContactView, ...errors },
      },
    },
    async (request) => {
      checkZone(request.body.timeZone);
      return changeContact(ctx, request.params.id, request.body, actorOf(request.principal!));
    },
  );

  r.post(
    '/contacts/:id/reveal',
    {
      config: { permission: 'contacts:reveal' },
      schema: {
        tags: ['contacts'],
        summary: 'The clear number; the reveal is audited with your reason',
        params: IdParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 3, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ id: Type.Integer(), phone: Type.String() }), ...errors },
      },
    },
    async (request) =>
      revealPhone(
        ctx,
        request.params.id,
        request.body.reason,
        actorOf(request.principal!),
        request.ip,
      ),
  );

  r.get(
    '/contacts/:id/consents',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['consent'],
        summary: 'Current consent per purpose and the full ledger',
        params: IdParams,
        response: {
          200: Type.Object({
            current: ContactView.properties.consents,
            history: Type.Array(Type.Record(Type.String(), Type.Unknown())),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const row = await getContact(ctx, request.params.id);
      const view = await loadContactView(ctx, row);
      const history = await consentHistory(ctx.store.db, row.id);
      return {
        current: view.consents,
        history: history.map((e) => ({
          id: e.id,
          purpose: e.purpose,
          action: e.action,
          method: e.method,
          source: e.source,
          ip: e.ip,
          userAgent: e.user_agent,
          formUrl: e.form_url,
          consentTextId: e.consent_text_id,
          consentTextHash: e.consent_text_hash,
          evidence: JSON.parse(e.evidence) as unknown,
          recordedBy: e.recorded_by,
          at: e.at,
        })),
      };
    },
  );

  r.post(
    '/contacts/:id/consents',
    {
      config: { permission: 'consent:write' },
      schema: {
        tags: ['consent'],
        summary: 'Record a grant or a revoke in the consent ledger',
        params: IdParams,
        body: ConsentInputSchema,
        response: { 200: ContactView, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      if (!isConsentMethod(b.method))
        throw new HeraldError('VALIDATION_FAILED', 'Unknown consent method');
      return changeConsent(
        ctx,
        request.params.id,
        { ...b, at: b.at ? new Date(b.at) : undefined, ip: b.ip ?? request.ip },
        actorOf(request.principal!),
      );
    },
  );

  r.post(
    '/contacts/:id/opt-out',
    {
      config: { permission: 'optout:record' },
      schema: {
        tags: ['consent'],
        summary:
          'Record that the person asked to stop marketing (support desk, phone call, e-mail)',
        params: IdParams,
        body: Type.Object(
          { note: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: { 200: ContactView, ...errors },
      },
    },
    async (request) =>
      changeConsent(
        ctx,
        request.params.id,
        {
          purpose: 'marketing',
          action: 'revoke',
          method: 'support',
          source: 'support',
          evidence: request.body.note ? { note: request.body.note } : {},
        },
        actorOf(request.principal!),
      ),
  );
}
