import { destination, pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; commands whose stdout is their result (an API key, a report) log to stderr instead. */
export function createLogger(level: string, options: { stderr?: boolean } = {}): Logger {
  const settings = { level, base: { service: 'tierdesk-api' }, redact: ['req.headers.authorization', '*.password', '*.token'] };
  return options.stderr ? pino(settings, destination({ dest: 2, sync: true })) : pino(settings);
}
