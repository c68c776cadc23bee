import { loadConfig } from '../../api/src/config.js';
import { boot, type Api } from '../../api/src/main.js';
import type { MikroORM } from '../../api/src/db/orm.js';
import { FixedClock, systemClock, type Clock } from '../../api/src/shared/clock.js';
import { createTestDatabase } from './db.js';

export interface TestApi {
  /** The GraphQL endpoint, e.g. http://localhost:41234/graphql */
  url: string;
  /** The server root, for /healthz and friends. */
  origin: string;
  orm: MikroORM;
  api: Api;
  stop(): Promise<void>;
}

/** The real API over HTTP on a free port, on a fresh copy of the seeded database. */
/** Timers stay off unless asked: tests that need them drive `api.timers.runOnce()` with a controlled clock. */
export async function startTestApi(options: { clock?: Clock | FixedClock; runTimers?: boolean } = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', RUN_TIMERS: options.runTimers ? 'true' : 'false' });
  const api = await boot({
    config,
    clock: options.clock ?? systemClock,
    port: 0,
    database: { orm: database.orm, url: database.url, embedded: false, close: () => database.drop() },
  });
  return {
    url: api.server.url,
    origin: api.server.url.replace(/\/graphql$/, ''),
    orm: database.orm,
    api,
    async stop() {
      await api.stop();
      await database.drop();
    },
  };
}
