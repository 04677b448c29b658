/** Conversions: `POST /v1/conversions` (an order, attributed to the campaign link last clicked). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { ConversionInput, recordConversion } from '../../campaigns/conversions.js';
import { ErrorBody } from '../errors.js';

const ConversionView = Type.Object({
  id: Type.Integer(),
  orderId: Type.String(),
  contactId: Type.Union([Type.Integer(), Type.Null()]),
  value: Type.Number(),
  currency: Type.String(),
  occurredAt: Type.String(),
  attribution: Type.Union([
    Type.Object({
      campaignId: Type.Integer(),
      messageId: Type.Union([Type.Integer(), Type.Null()]),
      variant: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
});

export async function conversionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/conversions',
    {
      config: { permission: 'events:write' },
      schema: {
        tags: ['campaigns'],
        summary: 'Report an order; it is attributed to the campaign link the contact last clicked',
        description:
          'Credited to the campaign message whose tracked link the contact clicked last within ' +
          'HERALD_ATTRIBUTION_WINDOW_HOURS before `occurredAt` (default 168); `attribution` is ' +
          'null when there was none. Idempotent by `orderId`: 201 the first time, 200 with the ' +
          'stored conversion when the same report comes again, 409 CONVERSION_CONFLICT when the ' +
          'order id comes back with other details. Also recorded as a `purchase` event.',
        body: ConversionInput,
        response: {
          200: ConversionView,
          201: ConversionView,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { created, conversion } = await recordConversion(ctx, request.body);
      return reply.code(created ? 201 : 200).send(conversion);
    },
  );
}
