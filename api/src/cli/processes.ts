import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createRuntime } from '../app/runtime.js';
import { Scheduler } from '../app/scheduler.js';
import { loadConfig, type Config } from '../config.js';
import { migrate, openDatabase } from '../db/database.js';
import { DEMO_PASSWORD, DEMO_USERS, seed } from '../db/seed.js';
import { boot, jobIntervals } from '../main.js';
import { createStripeClient, startLocalStripe, syncPlans, type LocalStripe } from '../modules/billing/index.js';
import { formatReport, KnowledgeBaseDirectoryError } from '../modules/kb/index.js';
import { systemClock } from '../shared/clock.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { indexArticles } from './commands.js';
import { CommandFailure, UsageError } from './failures.js';
import { REPO_ROOT } from './paths.js';
import { processAlive } from '../shared/os.js';

/** The commands that keep running until Ctrl-C: `start`, `serve`, `worker`. */

interface RuntimeFile {
  pid: number;
  api: string;
  portal: string;
  startedAt: string;
}

/**
 * What `start` writes while it runs, beside the embedded database's folder (`.tierdesk/` by default): how to reach
 * it, and that a second `start` on the same installation must not begin.
 */
function runtimeFile(config: Config): string {
  return resolve(config.EMBEDDED_PG_DIR, '..', 'runtime.json');
}

/** The `start` already running, from the file it keeps while it runs (a file left by a crash is ignored). */
function runningStart(file: string): RuntimeFile | null {
  if (!existsSync(file)) return null;
  try {
    const running = JSON.parse(readFileSync(file, 'utf8')) as RuntimeFile;
    return processAlive(running.pid) ? running : null;
  } catch {
    return null;
  }
}

/** The portal's cookie secret: configured, or generated once and kept beside the embedded database. */
async function portalSessionSecret(configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const file = resolve(REPO_ROOT, '.tierdesk/portal-session-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function startPortal(apiUrl: string, port: number, sessionSecret: string): ChildProcess {
  const portalDir = resolve(REPO_ROOT, 'portal');
  const serverEntry = resolve(portalDir, 'build/server/index.js');
  if (!existsSync(serverEntry)) throw new UsageError('The portal is not built; `pnpm start` builds it (or run `pnpm build`).', 'start');
  return spawn(resolve(portalDir, 'node_modules/.bin/react-router-serve'), [serverEntry], {
    cwd: portalDir,
    env: { ...process.env, PORT: String(port), API_URL: apiUrl, NODE_ENV: 'production', PORTAL_SESSION_SECRET: sessionSecret },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/**
 * Without STRIPE_SECRET_KEY, `start` runs the bundled local Stripe-compatible server (test mode) on
 * STRIPE_LOCAL_PORT, delivering webhooks to this API, and puts the plans into it.
 */
async function startLocalBilling(config: Config): Promise<LocalStripe | null> {
  if (config.STRIPE_SECRET_KEY) return null;
  const settings = createStripeClient(config);
  const local = await startLocalStripe({
    port: config.STRIPE_LOCAL_PORT,
    webhookSecret: settings.webhookSecret,
    webhookUrl: `http://127.0.0.1:${config.API_PORT}/webhooks/stripe`,
  });
  await syncPlans(settings.stripe);
  return local;
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { redirect: 'manual' });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function onSignals(shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void shutdown().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export async function start(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const marker = runtimeFile(config);
  const running = runningStart(marker);
  if (running) {
    throw new CommandFailure(
      `Tierdesk is already running (pid ${running.pid}, API ${running.api}, portal ${running.portal}). ` +
        `Stop it first (Ctrl-C in its terminal, or \`kill ${running.pid}\`).`,
    );
  }
  // Claimed before anything starts, so a second `start` is refused while this one is still booting.
  const portalUrl = `http://localhost:${config.PORTAL_PORT}`;
  await mkdir(dirname(marker), { recursive: true });
  await writeFile(
    marker,
    JSON.stringify({
      pid: process.pid,
      api: `http://localhost:${config.API_PORT}/graphql`,
      portal: portalUrl,
      startedAt: new Date().toISOString(),
    }),
  );
  process.once('exit', () => rmSync(marker, { force: true }));
  const log = createLogger(config.LOG_LEVEL);
  const localStripe = await startLocalBilling(config);
  const database = await openDatabase(config, log);
  await migrate(database.orm);
  const runtime = createRuntime({ config, orm: database.orm, clock: systemClock, log });
  await seed(runtime, { demo: config.SEED_DEMO });
  // The knowledge base is indexed before the API answers; a missing directory leaves search with what it had.
  const kb = await indexArticles(runtime, config).catch((error: unknown) => {
    if (!(error instanceof KnowledgeBaseDirectoryError)) throw error;
    log.warn(error.message);
    return null;
  });
  const kbErrors = kb?.problems.filter((problem) => problem.severity === 'error') ?? [];
  if (kb?.problems.length) process.stderr.write(formatReport(kb));
  const api = await boot({ config, database });
  const apiUrl = config.API_URL ?? api.server.url;
  const portal = startPortal(apiUrl, config.PORTAL_PORT, await portalSessionSecret(config.PORTAL_SESSION_SECRET));
  await waitForHttp(portalUrl, 30_000);
  const customers = DEMO_USERS.filter((user) => 'organization' in user).map((user) => `    ${user.email.padEnd(30)} ${user.organization}`);
  const staff = DEMO_USERS.filter((user) => 'staffRole' in user).map(
    (user) => `    ${user.email.padEnd(30)} staff ${'staffRole' in user ? user.staffRole.toLowerCase().replaceAll('_', ' ') : ''}`,
  );
  process.stdout.write(
    [
      '',
      `Tierdesk is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  API       ${api.server.url}   (health: http://localhost:${api.server.port}/healthz)`,
      `  Portal    ${portalUrl}`,
      `  Billing   ${localStripe ? `local Stripe-compatible server, test mode (${localStripe.url})` : 'Stripe (STRIPE_SECRET_KEY)'}`,
      `  Database  ${database.embeddedDataDir ? `embedded PostgreSQL, data in ${database.embeddedDataDir}` : 'DATABASE_URL'}`,
      kb
        ? `  Knowledge base  ${kb.files} articles in ${kb.dir}, search on ${kb.engine.kind}${kbErrors.length ? ` (${kbErrors.length} file problems above)` : ''}`
        : '  Knowledge base  not indexed (no articles directory)',
      '',
      `Demo sign-ins (password: ${DEMO_PASSWORD})`,
      ...customers,
      ...staff,
      '',
      'An API key for the demo (in another terminal, while this runs):',
      '  pnpm tierdesk apikey create --org initech --scopes tickets:read,tickets:write,organization:read',
      'Stop with Ctrl-C. Reset the demo data: stop, then delete the .tierdesk folder.',
      '',
    ].join('\n'),
  );
  let portalStopped = false;
  const shutdown = async () => {
    portalStopped = true;
    portal.kill('SIGTERM');
    await api.stop();
    await localStripe?.close();
    await database.close();
  };
  onSignals(shutdown);
  portal.once('exit', (code) => {
    if (portalStopped) return;
    log.error({ code }, 'the portal stopped');
    void shutdown().then(() => process.exit(1));
  });
}

export async function serve(): Promise<void> {
  const api = await boot();
  process.stdout.write(`Tierdesk API at ${api.server.url}${api.config.RUN_TIMERS ? ' (with the job runner)' : ''}\n`);
  onSignals(() => api.stop());
}

export async function worker(): Promise<void> {
  const config = loadConfig();
  const log: Logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, log);
  const jobs = new Scheduler(createRuntime({ config, orm: database.orm, clock: systemClock, log }), jobIntervals(config));
  jobs.start();
  process.stdout.write(`Tierdesk job runner running (timers every ${config.TIMER_INTERVAL_MS} ms)\n`);
  onSignals(async () => {
    await jobs.stop();
    await database.close();
  });
}
