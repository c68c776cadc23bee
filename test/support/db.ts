import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createRuntime, type Runtime } from '../../api/src/app/runtime.js';
import { loadConfig } from '../../api/src/config.js';
import { initOrm } from '../../api/src/db/orm.js';
import { systemClock, type Clock } from '../../api/src/shared/clock.js';
import { createLogger } from '../../api/src/shared/logger.js';
import type { MikroORM } from '../../api/src/db/orm.js';
import { databaseUrl } from './global-setup.js';

export interface TestDatabase {
  url: string;
  orm: MikroORM;
  drop(): Promise<void>;
}

/** A private database for one test file, cloned from the migrated and seeded template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseServerUrl');
  const name = `td_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${inject('templateDatabase')}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(serverUrl, name);
  const orm = await initOrm(url);
  return {
    url,
    orm,
    async drop() {
      await orm.close(true);
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    },
  };
}

/** The product's wiring on a test database, without the HTTP server: for tests of services and jobs. */
export function testRuntime(database: TestDatabase, options: { clock?: Clock; env?: Record<string, string> } = {}): Runtime {
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', ...options.env });
  return createRuntime({ config, orm: database.orm, clock: options.clock ?? systemClock, log: createLogger('silent') });
}
