import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../api/src/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
    templateDatabase: string;
    runId: string;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * One PostgreSQL for the run: DATABASE_URL's server when set, else an embedded one. The template database is
 * built once by the real CLI (migrations + seed); each test file clones it (see db.ts).
 */
export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex');
  let serverUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  const dataDir = resolve(ROOT, `.tierdesk/test-pg-${runId}`);
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      database: 'postgres',
      persistent: false,
      tuneForTests: true,
    });
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const template = `td_${runId}_template`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
    await admin.query(`create database "${template}"`);
    execFileSync(process.execPath, [resolve(ROOT, 'api/dist/cli.js'), 'seed'], {
      env: { ...process.env, DATABASE_URL: databaseUrl(serverUrl, template), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (error) {
    await admin.end().catch(() => undefined);
    if (stopEmbedded) await stopEmbedded();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  project.provide('databaseServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('runId', runId);

  return async () => {
    const leftovers = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`td_${runId}_%`]);
    for (const { datname } of leftovers.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    if (stopEmbedded) {
      await stopEmbedded();
      await rm(dataDir, { recursive: true, force: true });
    }
  };
}
