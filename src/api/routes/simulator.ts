/**
 * /v1/simulator: play the network in demos and tests. Inject an SMS "from" a number (it goes
 * through the same inbound handling as a real carrier's), and see what the simulator was handed,
 * with numbers masked and confirmation tokens cut short (whoever reads this list must not be
 * able to confirm a subscription on someone's behalf).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { isSimulator, SIMULATOR_NAME, type SimulatorCarrier } from '../../carriers/simulator.js';
import { parseOrThrow } from '../../contacts/contacts.js';
import { INBOUND_ACTIONS, receiveInbound } from '../../contacts/inbound.js';
import { HeraldError } from '../../core/errors.js';
import { INBOUND_INTENTS } from '../../core/keywords.js';
import { maskPhone } from '../../core/phone.js';
import { redactConfirmLinks } from '../../delivery/replies.js';
import { ErrorBody } from '../errors.js';
import { CountrySchema } from './contact-schemas.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const SimulatedMessageView = Type.Object({
  messageId: Type.Integer(),
  carrierMessageId: Type.Union([Type.String(), Type.Null()]),
  to: Type.String({ description: 'masked' }),
  body: Type.String(),
  purpose: Type.String(),
  segments: Type.Integer(),
  status: Type.String(),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  at: Type.String(),
});

function simulatorOf(ctx: AppContext): SimulatorCarrier {
  const carrier = ctx.carriers.get(SIMULATOR_NAME);
  if (!isSimulator(carrier)) throw new HeraldError('NOT_FOUND', 'The simulator is not enabled');
  return carrier;
}

export async function simulatorRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/simulator/inbound',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['simulator'],
        summary:
          'Inject an inbound SMS from a number, handled like a real reply (STOP, YES, HELP...)',
        body: Type.Object(
          {
            from: Type.String({ minLength: 1, maxLength: 64 }),
            text: Type.String({ maxLength: 1600 }),
            country: Type.Optional(CountrySchema),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            inboundId: Type.Union([Type.Integer(), Type.Null()]),
            from: Type.String({ description: 'masked' }),
            intent: Type.Enum(INBOUND_INTENTS),
            matched: Type.Union([Type.String(), Type.Null()]),
            action: Type.Enum(INBOUND_ACTIONS),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const simulator = simulatorOf(ctx);
      const { e164 } = parseOrThrow(
        request.body.from,
        request.body.country ?? ctx.config.defaultCountry,
      );
      const outcome = await receiveInbound(ctx, simulator.injectInbound(e164, request.body.text));
      return { ...outcome, from: maskPhone(e164) };
    },
  );

  r.get(
    '/simulator/messages',
    {
      config: { permission: 'carriers:manage' },
      schema: {
        tags: ['simulator'],
        summary: 'What the simulator was handed, newest first (numbers masked)',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(SimulatedMessageView) }), ...errors },
      },
    },
    async (request) => {
      const sent = simulatorOf(ctx).sent();
      return {
        items: sent
          .slice(-request.query.limit)
          .reverse()
          .map((m) => ({
            messageId: m.messageId,
            carrierMessageId: m.carrierMessageId,
            to: maskPhone(m.to),
            body: redactConfirmLinks(m.body),
            purpose: m.purpose,
            segments: m.segments,
            status: m.status,
            errorCode: m.errorCode,
            at: m.at.toISOString(),
          })),
      };
    },
  );
}
