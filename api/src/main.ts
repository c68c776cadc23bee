import { createRuntime, type Runtime } from './app/runtime.js';
import { Scheduler } from './app/scheduler.js';
import { introspectionMode, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { startApiServer, type ApiServer } from './server/http.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';

export interface Api {
  config: Config;
  database: Database;
  runtime: Runtime;
  server: ApiServer;
  /** The job runner of this process (started unless RUN_TIMERS=false); tests drive `jobs.run(name)` themselves. */
  jobs: Scheduler;
  log: Logger;
  stop(): Promise<void>;
}

/** Job cadences from the configuration; jobs not named keep their module's default. */
export function jobIntervals(config: Config): Record<string, number> {
  return {
    'sla.timers': config.TIMER_INTERVAL_MS,
    'escalations.advance': config.TIMER_INTERVAL_MS,
    'billing.upgrade-check': config.UPGRADE_CHECK_INTERVAL_MS,
    'billing.grace-expiry': config.UPGRADE_CHECK_INTERVAL_MS,
  };
}

/** Boot: config -> database -> runtime -> schema -> HTTP server (and the job runner unless RUN_TIMERS=false). */
export async function boot(options: { config?: Config; clock?: Clock; database?: Database; port?: number } = {}): Promise<Api> {
  const config = options.config ?? loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const database = options.database ?? (await openDatabase(config, log));
  const runtime = createRuntime({ config, orm: database.orm, clock: options.clock ?? systemClock, log });
  const jobs = new Scheduler(runtime, jobIntervals(config));
  const server = await startApiServer({
    runtime,
    port: options.port ?? config.API_PORT,
    limits: {
      maxDepth: config.MAX_QUERY_DEPTH,
      maxAliases: config.MAX_QUERY_ALIASES,
      maxDirectives: config.MAX_QUERY_DIRECTIVES,
      maxTokens: config.MAX_QUERY_TOKENS,
      maxCost: config.MAX_QUERY_COST,
    },
    introspection: introspectionMode(config),
    responseMaxBytes: config.RESPONSE_MAX_BYTES,
    requestBudgets: {
      anonymousPerMinute: config.ANONYMOUS_REQUESTS_PER_MINUTE,
      customerPerMinute: config.CUSTOMER_REQUESTS_PER_MINUTE,
      trustProxy: config.TRUST_PROXY,
    },
  });
  if (config.RUN_TIMERS) jobs.start();
  return {
    config,
    database,
    runtime,
    server,
    jobs,
    log,
    async stop() {
      await jobs.stop();
      await server.close();
      if (!options.database) await database.close();
    },
  };
}
