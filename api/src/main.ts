import 'reflect-metadata';
import { loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { sessionSettings } from './modules/identity/identity.resolver.js';
import { startApiServer, type ApiServer } from './server/http.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';

export interface Api {
  config: Config;
  database: Database;
  server: ApiServer;
  log: Logger;
  stop(): Promise<void>;
}

/** Boot: config -> database -> schema -> HTTP server. */
export async function boot(options: { config?: Config; clock?: Clock; database?: Database; port?: number } = {}): Promise<Api> {
  const config = options.config ?? loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  sessionSettings.ttlHours = config.SESSION_TTL_HOURS;
  const database = options.database ?? (await openDatabase(config, log));
  const server = await startApiServer({
    orm: database.orm,
    clock: options.clock ?? systemClock,
    log,
    port: options.port ?? config.API_PORT,
    maxQueryDepth: config.MAX_QUERY_DEPTH,
  });
  return {
    config,
    database,
    server,
    log,
    async stop() {
      await server.close();
      if (!options.database) await database.close();
    },
  };
}
