/**
 * What every CLI command shares: configuration from the environment (read here and nowhere
 * below), the logger, opening the application core, and exit codes scripts can trust.
 */
import { userInfo } from 'node:os';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openContext, type AppContext, type OpenOptions } from '../app-context.js';
import { createLogger, type Logger } from '../logger.js';
import { redactPhones } from '../core/redact.js';
import { isHeraldError } from '../core/errors.js';

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  verificationFailed: 3,
} as const;

/** A failure that the CLI reports as one line and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

export function readConfig(): Config {
  return loadConfig(process.env);
}

export function cliLogger(config: Config): Logger {
  // Logs go to stderr so that a command's output on stdout stays clean for pipes.
  return createLogger({ level: config.logLevel, destination: process.stderr as never });
}

export function cliActor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): keep 'unknown'
  }
  return `cli:${name}`;
}

function describeOpenError(err: unknown, config: Config): string {
  const e = err as NodeJS.ErrnoException & { code?: string };
  if (config.database.dialect === 'postgres') {
    if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
      return `cannot reach the database named by DATABASE_URL (${e.code})`;
    }
    if (e.code === '3D000') return 'the database named by DATABASE_URL does not exist';
    if (e.code === '28P01' || e.code === '28000')
      return 'the database refused the credentials in DATABASE_URL';
  }
  if (e.code === '42P01' || /no such table/.test(e.message ?? '')) {
    return 'the database has no Herald schema yet: run `herald migrate` first';
  }
  return redactPhones(e.message ?? String(err));
}

/** Opens the application core; a failure becomes a CliError with one clear line. */
export async function openForCli(
  config: Config,
  logger: Logger,
  opts: OpenOptions,
): Promise<AppContext> {
  try {
    return await openContext(config, logger, opts);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CliError) throw err;
    throw new CliError(describeOpenError(err, config));
  }
}

export async function withContext<T>(
  opts: OpenOptions & { config?: Config },
  fn: (ctx: AppContext) => Promise<T>,
): Promise<T> {
  const config = opts.config ?? readConfig();
  const ctx = await openForCli(config, cliLogger(config), opts);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Turns any error into one line on stderr and an exit code. */
export function reportAndExit(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`herald: ${err.message}\n`);
    process.exit(EXIT.usage);
  }
  if (err instanceof CliError) {
    process.stderr.write(`herald: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (isHeraldError(err)) {
    process.stderr.write(`herald: ${err.code}: ${redactPhones(err.message)}\n`);
    process.exit(err.status < 500 ? EXIT.usage : EXIT.failure);
  }
  process.stderr.write(
    `herald: ${redactPhones(err instanceof Error ? err.message : String(err))}\n`,
  );
  process.exit(EXIT.failure);
}
