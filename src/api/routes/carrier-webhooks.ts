/**
 * Where carriers call Herald back: `POST /webhooks/<carrier>/receipts` (delivery reports) and
 * `POST /webhooks/<carrier>/inbound` (messages people send), `<carrier>` being the account's name
 * (`twilio`, `tencent`, `aliyun-marketing`, ...). Outside /v1 and its users: each route declares
 * `carrierWebhook` authentication, i.e. the carrier's signature (Twilio: X-Twilio-Signature over
 * the public URL and the POST parameters) or the callback token in the URL (Tencent, Alibaba),
 * checked by the carrier before anything in the body is believed. Forged or altered: 403, and
 * nothing changes.
 *
 * Bodies are taken raw (form or JSON, at most CALLBACK_BODY_LIMIT) because signatures cover the
 * exact bytes and parameters; the URL checked is HERALD_PUBLIC_URL plus the path and query the
 * request came with, as the carrier was told to call it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import { CARRIER_NAME_PATTERN } from '../../carriers/account-spec.js';
import { loadCarrierAccount } from '../../carriers/accounts.js';
import { buildCarrier } from '../../carriers/build-carrier.js';
import type { Carrier, CarrierRequest } from '../../carriers/carrier.js';
import { HeraldError, isHeraldError } from '../../core/errors.js';
import {
  CALLBACK_KINDS,
  handleCarrierCallback,
  type CallbackKind,
} from '../../delivery/carrier-callbacks.js';

/** Twilio posts a few KB; Tencent and Alibaba push batches of reports. */
export const CALLBACK_BODY_LIMIT = 256 * 1024;

const WEBHOOK_TYPES: readonly string[] = ['twilio', 'tencent', 'aliyun'];

/**
 * The carrier a callback names: a stored account is read afresh (a rotated token counts at
 * once, in every process), else the carrier this process was configured with.
 */
async function carrierNamed(ctx: AppContext, name: string): Promise<Carrier> {
  const account = await loadCarrierAccount(ctx.store.db, ctx.cipher, name);
  const configured = ctx.config.carriers.some((spec) => spec.name === name);
  if (account && !configured) {
    if (account.enabled && WEBHOOK_TYPES.includes(account.type)) {
      return buildCarrier(account, { publicUrl: ctx.config.publicUrl });
    }
  } else {
    const carrier = ctx.carriers.get(name);
    if (carrier) return carrier;
  }
  throw new HeraldError('NOT_FOUND', `No carrier ${name} takes callbacks here`);
}

function carrierRequest(ctx: AppContext, request: FastifyRequest): CarrierRequest {
  return {
    method: request.method,
    url: `${ctx.config.publicUrl}${request.url}`,
    headers: request.headers,
    body: request.body,
    rawBody: typeof request.body === 'string' ? request.body : '',
  };
}

export async function carrierWebhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (hooks) => {
    // Signatures cover the bytes as sent: every body is kept as text, whatever its type.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    for (const kind of CALLBACK_KINDS) route(hooks, ctx, kind);
  });
}

function route(app: FastifyInstance, ctx: AppContext, kind: CallbackKind): void {
  app.post(
    `/webhooks/:carrier/${kind}`,
    {
      bodyLimit: CALLBACK_BODY_LIMIT,
      config: {
        carrierWebhook: true,
        rateLimit: { max: 6000, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['carrier webhooks'],
        summary:
          kind === 'receipts'
            ? 'A carrier reports the outcome of messages (delivery receipts)'
            : 'A carrier delivers messages people sent (STOP, HELP, replies)',
        description:
          'Called by the carrier, not by programs: authenticated by the carrier’s signature ' +
          '(X-Twilio-Signature) or the callback token in the URL (Tencent, Alibaba). ' +
          'Answers what the carrier expects.',
        security: [],
        params: Type.Object({ carrier: Type.String({ pattern: CARRIER_NAME_PATTERN }) }),
      },
    },
    async (request, reply) => {
      const { carrier: name } = request.params as { carrier: string };
      const carrier = await carrierNamed(ctx, name);
      let outcome;
      try {
        outcome = await handleCarrierCallback(ctx, carrier, kind, carrierRequest(ctx, request));
      } catch (err) {
        if (isHeraldError(err) && err.code === 'FORBIDDEN') {
          request.log.warn({ carrier: name, kind, ip: request.ip }, 'carrier callback refused');
        }
        throw err;
      }
      request.log.debug({ carrier: name, kind, counts: outcome.counts }, 'carrier callback');
      return reply
        .status(outcome.reply.status)
        .type(outcome.reply.contentType)
        .send(outcome.reply.body);
    },
  );
}
