/**
 * The process logger (pino). Every line passes through the phone redaction of src/core/redact.ts:
 * the message, every string field and error messages; fields named like a phone number are
 * removed outright.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactDeep, redactPhones } from './core/redact.js';

export type { Logger };

const PHONE_FIELDS = ['phone', 'msisdn', 'e164', 'number', 'to', 'from', 'destination'];

export function createLogger(opts: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: undefined,
      redact: {
        paths: [
          ...PHONE_FIELDS,
          ...PHONE_FIELDS.map((f) => `*.${f}`),
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
        ],
        censor: '[redacted]',
      },
      formatters: {
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => (typeof a === 'string' ? redactPhones(a) : a));
          return method.apply(this, redacted as Parameters<typeof method>);
        },
      },
      serializers: {
        req: (req: {
          method?: string;
          url?: string;
          ip?: string;
          socket?: { remoteAddress?: string };
        }) => ({
          method: req.method,
          url: req.url === undefined ? undefined : redactPhones(decodeSafely(req.url)),
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error) => redactDeep(pino.stdSerializers.err(err)),
        error: (err: Error) => redactDeep(pino.stdSerializers.err(err)),
      },
    },
    opts.destination,
  );
}

function decodeSafely(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}
