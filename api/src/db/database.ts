import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import { startEmbeddedPostgres } from './embedded.js';
import { initOrm } from './orm.js';

export interface Database {
  orm: MikroORM;
  url: string;
  /** Where the embedded PostgreSQL keeps its data; null with DATABASE_URL. */
  embeddedDataDir: string | null;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or to the embedded PostgreSQL when it is unset: the one already running on
 * EMBEDDED_PG_DIR (a `pnpm start` in another terminal), else one this process starts and stops.
 */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  let url = config.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let embeddedDataDir: string | null = null;
  if (!url) {
    const started = Date.now();
    const embedded = await startEmbeddedPostgres({
      dataDir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
      database: 'tierdesk',
      onLog: (line) => log.debug({ postgres: line.trim() }, 'embedded postgres'),
    });
    url = embedded.url;
    stopEmbedded = embedded.stop;
    embeddedDataDir = embedded.dataDir;
    log.info(
      { dataDir: embedded.dataDir, ms: Date.now() - started },
      embedded.owned ? 'embedded PostgreSQL started' : 'using the embedded PostgreSQL already running',
    );
  }
  const orm = await initOrm(url);
  return {
    orm,
    url,
    embeddedDataDir,
    async close() {
      await orm.close(true);
      if (stopEmbedded) await stopEmbedded();
    },
  };
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((migration) => migration.name);
}
