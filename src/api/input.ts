/**
 * Text no store can keep. PostgreSQL refuses U+0000 in text and JSON values, so a request that
 * carries one is refused up front, the same on both dialects, with the path that holds it, instead
 * of failing half-way in the database as a 500.
 */
import type { FastifyInstance } from 'fastify';
import { HeraldError } from '../core/errors.js';

const NUL = '\u0000';

/** The JSON-pointer path of the first string or key that holds U+0000, or null. */
export function pathOfNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path || '/' : null;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfNul(value[i], `${path}/${i}`);
      if (found) return found;
    }
    return null;
  }
  // Uploads (buffers, streams) are read by their own parsers; only JSON-shaped values are walked.
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') {
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    const here = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key.includes(NUL)) return here;
    const found = pathOfNul(inner, here);
    if (found) return found;
  }
  return null;
}

export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['querystring', request.query],
      ['params', request.params],
    ] as const) {
      const path = pathOfNul(value);
      if (path) {
        throw new HeraldError(
          'VALIDATION_FAILED',
          `Invalid ${part}: text may not contain the character U+0000`,
          [{ path, message: 'must not contain U+0000' }],
        );
      }
    }
  });
}
