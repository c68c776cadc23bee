import 'reflect-metadata';
import { loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { sessionSettings } from './modules/identity/identity.resolver.js';
import { configureBilling } from './modules/billing/billing.service.js';
import { createStripeClient } from './modules/billing/stripe-client.js';
import { configureSearchEngine } from './modules/kb/index.js';
import { TimerWorker } from './modules/sla/timer.worker.js';
import { startApiServer, type ApiServer } from './server/http.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';

export interface Api {
  config: Config;
  database: Database;
  server: ApiServer;
  timers: TimerWorker;
  log: Logger;
  stop(): Promise<void>;
}

/** Boot: config -> database -> schema -> HTTP server (and the timer worker unless RUN_TIMERS=false). */
export async function boot(options: { config?: Config; clock?: Clock; database?: Database; port?: number } = {}): Promise<Api> {
  const config = options.config ?? loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  sessionSettings.ttlHours = config.SESSION_TTL_HOURS;
  configureSearchEngine(config);
  configureBilling({ ...createStripeClient(config), graceDays: config.BILLING_GRACE_DAYS });
  const database = options.database ?? (await openDatabase(config, log));
  const clock = options.clock ?? systemClock;
  const timers = new TimerWorker(database.orm, clock, log.child({ component: 'timers' }), {
    intervalMs: config.TIMER_INTERVAL_MS,
    batchSize: 50,
    upgradeCheckIntervalMs: config.UPGRADE_CHECK_INTERVAL_MS,
  });
  const server = await startApiServer({
    orm: database.orm,
    clock,
    log,
    port: options.port ?? config.API_PORT,
    maxQueryDepth: config.MAX_QUERY_DEPTH,
  });
  if (config.RUN_TIMERS) timers.start();
  return {
    config,
    database,
    server,
    timers,
    log,
    async stop() {
      await timers.stop();
      await server.close();
      if (!options.database) await database.close();
    },
  };
}
