/**
 * Serves the console (web/, built into web/dist by `npm start`) at /: its hashed assets under
 * /assets with a long cache, and index.html for every other page path, so that a reload of
 * /campaigns/7 opens the same page. Paths of the API and of the other public endpoints never
 * fall through to the console: an unknown /v1 path stays a JSON 404.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendError } from './errors.js';

/** web/dist beside src/ and dist/ (this file is src/api/console.ts or dist/api/console.js). */
export const CONSOLE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'web',
  'dist',
);

const NOT_CONSOLE = /^\/(v1|webhooks|docs|s|c|metrics|health|ready)(\/|$)/;

export async function consoleRoutes(app: FastifyInstance, dir = CONSOLE_DIR): Promise<void> {
  const built = existsSync(path.join(dir, 'index.html'));
  await app.register(fastifyStatic, { root: dir, serve: false });

  const page = (reply: FastifyReply) => {
    if (!built) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm start` (or `npm run build:web`).\n');
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };

  app.get('/', { schema: { hide: true } }, (_request, reply) => page(reply));
  app.get('/assets/*', { schema: { hide: true } }, (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    return reply.sendFile(path.posix.join('assets', file), {
      maxAge: 365 * 24 * 3600 * 1000,
      immutable: true,
    });
  });
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const url = request.url.split('?')[0]!;
    if (NOT_CONSOLE.test(url)) return sendError(reply, 'NOT_FOUND', `No route GET ${url}`);
    return page(reply);
  });
}
