/** `herald migrate`, `user create`, `apikey create`, `keys rotate`, `audit verify`. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ROLES } from '../../core/roles.js';
import { PERMISSIONS } from '../../core/roles.js';
import { verifyAuditChain } from '../../security/audit.js';
import { createApiKey, createUser } from '../../security/auth.js';
import { rotateDataKey } from '../../security/keyring.js';
import { createStore } from '../../store/database.js';
import { migrateToLatest } from '../../store/migrate.js';
import { CliError, EXIT, cliActor, readConfig, withContext } from '../runtime.js';

export function registerAdminCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const config = readConfig();
      const store = createStore(config.database);
      try {
        const { applied } = await migrateToLatest(store);
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n',
        );
      } catch (err) {
        throw new CliError(`migration failed: ${(err as Error).message}`);
      } finally {
        await store.destroy();
      }
    });

  const user = program.command('user').description('manage users');
  user
    .command('create <username>')
    .description('create a user; prints a generated password once unless --password-stdin is given')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <displayName>', 'display name')
    .option('--password-stdin', 'read the password from standard input')
    .action(
      async (username: string, o: { role: string; name?: string; passwordStdin?: boolean }) => {
        const given = o.passwordStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : undefined;
        await withContext({}, async (ctx) => {
          const { user: created, password } = await createUser(ctx.auth, {
            username,
            role: o.role,
            displayName: o.name,
            password: given,
            actor: cliActor(),
          });
          process.stdout.write(`created user ${created.username} (${created.role})\n`);
          if (!given) process.stdout.write(`password: ${password}\n`);
        });
      },
    );

  const apikey = program.command('apikey').description('manage API keys');
  apikey
    .command('create')
    .description('create an API key; the key is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--role <role>', `grant a role's permissions (${ROLES.join(', ')})`)
    .option(
      '--scopes <list>',
      `comma-separated permissions (${PERMISSIONS.length} exist; see docs)`,
    )
    .option('--expires-in-days <days>', 'the key stops working after this many days (1-3650)')
    .action(async (o: { name: string; role?: string; scopes?: string; expiresInDays?: string }) => {
      if ((o.role === undefined) === (o.scopes === undefined)) {
        throw new CliError('give exactly one of --role or --scopes', EXIT.usage);
      }
      const days = o.expiresInDays === undefined ? undefined : Number(o.expiresInDays);
      if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650)) {
        throw new CliError('--expires-in-days takes a whole number from 1 to 3650', EXIT.usage);
      }
      await withContext({}, async (ctx) => {
        const { key, apiKey } = await createApiKey(ctx.auth, {
          name: o.name,
          role: o.role,
          scopes: o.scopes?.split(',').map((s) => s.trim()),
          createdBy: null,
          granterPermissions: PERMISSIONS,
          actor: cliActor(),
          expiresAt:
            days === undefined ? null : new Date(Date.now() + days * 86_400_000).toISOString(),
        });
        process.stdout.write(`${key}\n`);
        const until = apiKey.expiresAt ? `, until ${apiKey.expiresAt}` : ', until revoked';
        process.stderr.write(
          `created API key ${apiKey.id} with ${apiKey.scopes.length} scopes${until}; it is not shown again\n`,
        );
      });
    });

  program
    .command('keys')
    .description('encryption keys')
    .command('rotate')
    .description('create a new data key and re-encrypt every encrypted field with it')
    .action(async () => {
      await withContext({}, async (ctx) => {
        const outcome = await rotateDataKey(ctx.store.db, ctx.masterKey);
        await ctx.auditor.record({
          actor: cliActor(),
          action: 'keys.rotate',
          target: `key:${outcome.newKeyId}`,
          details: { ...outcome },
        });
        const counts = Object.entries(outcome.rewritten)
          .map(([col, n]) => `${col}=${n}`)
          .join(' ');
        process.stdout.write(
          `rotated ${outcome.previousKeyId} -> ${outcome.newKeyId}; re-encrypted ${counts || 'nothing'}\n`,
        );
      });
    });

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description(
      'verify the hash chain; exit 3 and name the first broken row if it was tampered with',
    )
    .action(async () => {
      await withContext({}, async (ctx) => {
        const result = await verifyAuditChain(ctx.store.db, ctx.auditKey);
        if (result.ok) {
          process.stdout.write(`audit chain ok: ${result.rows} rows\n`);
          return;
        }
        const bad = result.firstBad!;
        throw new CliError(
          `audit chain broken at row ${bad.seq} (${bad.problem}): ${bad.detail}`,
          EXIT.verificationFailed,
        );
      });
    });
}
