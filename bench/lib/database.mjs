import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@tierdesk/api/db/embedded';
import { freePort, scratchDir } from './system.mjs';

/**
 * A private, empty database for one benchmark, dropped afterwards.
 *
 * Default: the embedded PostgreSQL a user gets from `pnpm start` (same package, same server settings, none of
 * the test suite's fsync-off tuning), in a fresh data directory under the OS temp dir on a free port.
 * With DATABASE_URL set: a scratch database `tierdesk_bench_<random>` on that server, so the benchmark's
 * tickets never land in the database the URL names.
 */
export async function benchDatabase() {
  const given = process.env.DATABASE_URL;
  if (given) {
    const name = `tierdesk_bench_${randomBytes(4).toString('hex')}`;
    await adminQuery(given, `create database "${name}"`);
    const url = new URL(given);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      description: `DATABASE_URL server (${url.host}), scratch database ${name}`,
      async drop() {
        await adminQuery(given, `drop database if exists "${name}" with (force)`);
      },
    };
  }
  const dir = await scratchDir('pg');
  const port = await freePort();
  const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'pgdata'), port, database: 'tierdesk', persistent: false });
  return {
    url: embedded.url,
    description: `embedded PostgreSQL (fresh data dir in ${dir}, port ${port})`,
    async drop() {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
