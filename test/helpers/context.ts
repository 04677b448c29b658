/** A full application context on a fresh test database, with its log lines captured. */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { openContext, type AppContext } from '../../src/app-context.js';
import { buildApi } from '../../src/api/app.js';
import { createLogger } from '../../src/logger.js';
import type { Dialect } from '../../src/store/database.js';
import { createApiKey, createUser } from '../../src/security/auth.js';
import { PERMISSIONS } from '../../src/core/roles.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface TestApp {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  readonly database: TestDatabase;
  /** Every log line written so far. */
  logs(): string;
  /** An API key for a role, created directly in the store. */
  keyFor(role: string): Promise<string>;
  close(): Promise<void>;
}

export async function openTestContext(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<{ ctx: AppContext; database: TestDatabase; logs(): string }> {
  const database = await createTestDatabase(dialect, env);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink });
  const ctx = await openContext(database.config, logger, {
    migrate: true,
    storeOptions: database.schema ? { searchPath: database.schema } : {},
  });
  return { ctx, database, logs: () => lines.join('') };
}

export async function openTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const { ctx, database, logs } = await openTestContext(dialect, env);
  const app = await buildApi(ctx);
  await app.ready();
  return {
    ctx,
    app,
    database,
    logs,
    async keyFor(role) {
      const { key } = await createApiKey(ctx.auth, {
        name: `test ${role}`,
        role,
        createdBy: null,
        granterPermissions: PERMISSIONS,
        actor: 'test',
      });
      return key;
    },
    async close() {
      await app.close();
      await ctx.close();
      await database.drop();
    },
  };
}

export async function createTestUser(
  ctx: AppContext,
  username: string,
  role: string,
  password = 'correct horse battery',
) {
  return createUser(ctx.auth, { username, role, password, actor: 'test' });
}
