import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import { startEmbeddedPostgres } from './embedded.js';
import { initOrm } from './orm.js';

export interface Database {
  orm: MikroORM;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL when it is unset. */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  let url = config.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
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
    log.info({ dataDir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, ms: Date.now() - started }, 'embedded PostgreSQL started');
  }
  const orm = await initOrm(url);
  return {
    orm,
    url,
    embedded: stopEmbedded !== null,
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
