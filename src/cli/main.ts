/** The `herald` command. */
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerImportCommand } from './commands/import.js';
import { registerPrivacyCommands } from './commands/privacy.js';
import { registerServerCommands } from './commands/server.js';
import { EXIT, reportAndExit } from './runtime.js';

export function buildProgram(): Command {
  const program = new Command('herald')
    .description('Herald: consent-first phone-number database and SMS delivery')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerServerCommands(program);
  registerAdminCommands(program);
  registerImportCommand(program);
  registerPrivacyCommands(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage mistakes exit 2.
      process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    }
    reportAndExit(err);
  }
}
