// The product's wiring (api/dist/app/runtime.js) on a benchmark database: contexts come from the one factory.
import { createRuntime } from '@tierdesk/api/app/runtime';
import { loadConfig } from '@tierdesk/api/config';
import { initOrm } from '@tierdesk/api/db/orm';
import { systemClock } from '@tierdesk/api/shared/clock';
import { createLogger } from '@tierdesk/api/shared/logger';

/** A runtime on `url`; pass an ORM to share it with a booted API. */
export async function benchRuntime(url, { orm, clock = systemClock, env = {} } = {}) {
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', ...env });
  return createRuntime({ config, orm: orm ?? (await initOrm(url)), clock, log: createLogger('silent') });
}
