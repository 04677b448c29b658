/**
 * The one place where errors become HTTP answers: `{ "error": { code, message, details } }`.
 * Domain errors keep their registry status; schema failures are VALIDATION_FAILED with the
 * offending paths; anything unexpected is a 500 INTERNAL with no internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_REGISTRY, HeraldError, isHeraldError, type ErrorCode } from '../core/errors.js';
import { Type } from 'typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'Error' },
);

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message?: string,
  details?: unknown,
): FastifyReply {
  return reply.status(ERROR_REGISTRY[code].status).send({
    error: {
      code,
      message: message ?? ERROR_REGISTRY[code].message,
      ...(details === undefined ? {} : { details }),
    },
  });
}

function fromFastify(err: FastifyError): HeraldError | null {
  if (err.validation) {
    return new HeraldError(
      'VALIDATION_FAILED',
      `Invalid ${err.validationContext ?? 'request'}: ${err.message}`,
      err.validation.map((v) => ({
        path: v.instancePath || '/',
        message: v.message,
        params: v.params,
      })),
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HeraldError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HeraldError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HeraldError('BAD_REQUEST', 'The body is not valid JSON');
  }
  if (err.statusCode === 429) return new HeraldError('RATE_LIMITED', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new HeraldError('BAD_REQUEST', err.message);
  }
  return null;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = isHeraldError(err) ? err : fromFastify(err);
    if (known && known.status < 500) {
      // A refusal that says when to come back (the pumping limits) says it the HTTP way too.
      const retryAfter = (known.details as { retryAfterSeconds?: unknown } | undefined)
        ?.retryAfterSeconds;
      if (known.status === 429 && typeof retryAfter === 'number') {
        reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
      }
      return sendError(reply, known.code, known.message, known.details);
    }
    request.log.error({ err }, 'request failed');
    const code: ErrorCode = known?.code ?? 'INTERNAL';
    return sendError(reply, code, ERROR_REGISTRY[code].message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
}
