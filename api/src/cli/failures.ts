import { ConfigError } from '../config.js';
import { EmbeddedPostgresError } from '../db/embedded.js';
import { AppError } from '../shared/errors.js';

/** A mistake in how a command was called: answered with the message and where to read the usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

/** A failure the command expected and can explain in a sentence (another `start` running, Stripe unreachable): exit code 1. */
export class CommandFailure extends Error {}

/** Prints why a command failed, in one or a few lines (a stack trace only with LOG_LEVEL=debug), and gives its exit code. */
export function reportFailure(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\nRun \`pnpm tierdesk ${error.command} --help\` for its usage.\n`);
    return 2;
  }
  if (error instanceof CommandFailure || error instanceof ConfigError || error instanceof EmbeddedPostgresError) {
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  if (error instanceof AppError) {
    const problems = Array.isArray(error.details.problems) ? (error.details.problems as { path: string; message: string }[]) : [];
    process.stderr.write(
      problems.length
        ? `${problems.length} problem(s):\n${problems.map((problem) => `  ${problem.path || '(root)'}: ${problem.message}`).join('\n')}\n`
        : `${error.message}\n`,
    );
    return 1;
  }
  const verbose = /^(debug|trace)$/.test(process.env.LOG_LEVEL ?? '');
  const message = error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
  process.stderr.write(`${message}\n${verbose ? '' : '(LOG_LEVEL=debug shows the details)\n'}`);
  return 1;
}
