/** `herald start`, `herald serve`, `herald worker`: the long-running processes. */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { buildApi } from '../../api/app.js';
import { JOBS } from '../../jobs/index.js';
import { startScheduler, type Scheduler } from '../../jobs/scheduler.js';
import { createUser } from '../../security/auth.js';
import { countUsers } from '../../store/users.js';
import { CliError, cliLogger, openForCli, readConfig } from '../runtime.js';

/** On a database without users, creates `admin` with a random password and prints it once. */
export async function ensureFirstAdmin(ctx: AppContext): Promise<string | null> {
  if ((await countUsers(ctx.store.db)) > 0) return null;
  const { password } = await createUser(ctx.auth, {
    username: 'admin',
    role: 'admin',
    displayName: 'Administrator',
    actor: 'system:bootstrap',
  });
  return password;
}

async function listen(ctx: AppContext): Promise<FastifyInstance> {
  const app = await buildApi(ctx);
  try {
    await app.listen({ port: ctx.config.port, host: ctx.config.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'EADDRINUSE'
        ? `port ${ctx.config.port} on ${ctx.config.host} is already in use (set PORT)`
        : `cannot listen on ${ctx.config.host}:${ctx.config.port}: ${(err as Error).message}`,
    );
  }
  return app;
}

async function run(mode: { api: boolean; worker: boolean; migrate: boolean; bootstrap: boolean }) {
  const config = readConfig();
  const logger = cliLogger(config);
  const ctx = await openForCli(config, logger, { migrate: mode.migrate });
  const password = mode.bootstrap ? await ensureFirstAdmin(ctx) : null;
  const app = mode.api ? await listen(ctx) : null;
  const scheduler: Scheduler | null = mode.worker ? startScheduler(ctx, JOBS) : null;
  if (scheduler) void scheduler.runAll();
  if (app) {
    process.stdout.write(
      `Herald is listening on http://${config.host}:${config.port} (store: ${ctx.store.label})\n`,
    );
    process.stdout.write(`  API docs: http://${config.host}:${config.port}/docs\n`);
  }
  if (password) {
    process.stdout.write(
      [
        '',
        '  First start: an administrator was created. This password is shown only once.',
        `    user:     admin`,
        `    password: ${password}`,
        '',
      ].join('\n') + '\n',
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app?.close();
    await scheduler?.stop();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description(
      'migrate, then run API, worker and scheduler in one process (the embedded default)',
    )
    .action(() => run({ api: true, worker: true, migrate: true, bootstrap: true }));
  program
    .command('serve')
    .description('run the HTTP API')
    .option('--migrate', 'apply pending migrations first', false)
    .action((o: { migrate: boolean }) =>
      run({ api: true, worker: false, migrate: o.migrate, bootstrap: false }),
    );
  program
    .command('worker')
    .description('run the worker: scheduled jobs and, later, message delivery')
    .option('--migrate', 'apply pending migrations first', false)
    .action((o: { migrate: boolean }) =>
      run({ api: false, worker: true, migrate: o.migrate, bootstrap: false }),
    );
}
