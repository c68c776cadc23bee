#!/usr/bin/env node
import { CommanderError } from 'commander';
import { program } from './cli/program.js';

/**
 * `tierdesk <command>`. This file only declares the commands (so `--help` answers at once); each command's code is
 * loaded when it runs. Exit codes: 0 done, 1 failed, 2 a usage error (unknown command or option, bad arguments).
 */

async function main(argv: string[]): Promise<void> {
  const root = program();
  if (argv.length === 0) {
    process.stderr.write(`${root.helpInformation()}\nName a command.\n`);
    process.exit(2);
  }
  await root.parseAsync(argv, { from: 'user' });
}

main(process.argv.slice(2)).then(
  // Commands that start servers keep the process alive; the others are done.
  () => undefined,
  async (error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has printed the help or the error and the usage already.
      process.exit(error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2);
    }
    const { reportFailure } = await import('./cli/failures.js');
    process.exit(reportFailure(error));
  },
);
