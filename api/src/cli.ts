#!/usr/bin/env node
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { printSortedSchema } from './server/print-schema.js';
import { ConfigError, loadConfig } from './config.js';
import { migrate, openDatabase } from './db/database.js';
import { TENANT_FILTER } from './db/tenant-filter.js';
import { DEMO_PASSWORD, DEMO_USERS, seed } from './db/seed.js';
import { boot } from './main.js';
import { configureBilling, expireGracePeriods, syncPlans } from './modules/billing/billing.service.js';
import { evaluateUpgradeEligibility } from './modules/billing/eligibility.service.js';
import { startLocalStripe, type LocalStripe } from './modules/billing/local-stripe/index.js';
import { createStripeClient } from './modules/billing/stripe-client.js';
import { createApiKey } from './modules/identity/identity.service.js';
import {
  configureSearchEngine,
  formatReport,
  indexKnowledgeBase,
  KnowledgeBaseDirectoryError,
  searchEngineFor,
} from './modules/kb/index.js';
import { Organization } from './modules/organizations/organization.entity.js';
import { runSimulation } from './modules/routing/simulation.service.js';
import { formatSimulation } from './modules/routing/simulator/report.js';
import { TimerWorker } from './modules/sla/timer.worker.js';
import { accessSnapshot } from './server/access.js';
import { createContext } from './server/context.js';
import { tierdeskSchema } from './server/schema.js';
import { systemClock } from './shared/clock.js';
import { AppError } from './shared/errors.js';
import { createLogger } from './shared/logger.js';
import { API_SCOPES, STAFF_ROLES, systemPrincipal, type StaffRole } from './shared/principal.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const USAGE = `Usage: pnpm tierdesk <command>

  start                    database, migrations, demo seed, API and portal (what \`pnpm start\` runs)
  serve                    the API only (with the timer worker unless RUN_TIMERS=false)
  worker                   the SLA timer worker only (warnings, breaches, escalation steps)
  migrate                  apply pending migrations
  seed [--no-demo]         bring the tier catalogue up to date and add the demo data (idempotent)
  apikey create --org <slug> --scopes <a,b> [--name <name>]
  apikey create --staff --role <agent|specialist|on_call_engineer|admin> [--name <name>]
  kb index [--dir <dir>]   sync the knowledge base (default kb/articles, or KB_DIR) into the database and the search engine
  billing sync-plans       create or update the Stripe products and prices of the paid tiers (idempotent)
  billing check-upgrades   check every organization for a better-fitting tier now (what the worker does hourly)
  billing expire-grace     move organizations whose grace period after a failed payment ended to the free tier now
                           (what the worker does hourly; reads the subscriptions from Stripe)
  simulate <file> [--json] [--replay-from <instant> --replay-to <instant>]
                           a what-if run of a scenario file (docs/simulator.md); with a replay window the real
                           tickets of that period are the arrivals (needs the database)
  schema                   write schema/schema.graphql and schema/access.snapshot.txt
  migration:create <name>  (developers) generate a migration from the entity changes

Scopes: ${API_SCOPES.join(', ')}`;

class UsageError extends Error {}

async function simulateCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, 'replay-from': { type: 'string' }, 'replay-to': { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('Name a scenario file: `tierdesk simulate docs/scenarios/example.json`.');
  let input: unknown;
  try {
    const text = await readFile(resolve(process.cwd(), file), 'utf8');
    input = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const from = values['replay-from'];
  const to = values['replay-to'];
  if (Boolean(from) !== Boolean(to)) throw new UsageError('Give both --replay-from and --replay-to, or neither.');
  const replay = from && to ? { from: new Date(from), to: new Date(to) } : null;
  if (replay && (Number.isNaN(replay.from.getTime()) || Number.isNaN(replay.to.getTime())))
    throw new UsageError('--replay-from and --replay-to are ISO instants.');
  const run = (em: Parameters<typeof runSimulation>[0]) => runSimulation(em, input, { replay });
  const result = replay
    ? await withDatabase(async ({ orm }) => {
        const em = orm.em.fork();
        em.setFilterParams(TENANT_FILTER, { allTenants: true });
        return run(em);
      })
    : await run(null);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatSimulation(result));
}

async function withDatabase<T>(
  run: (database: Awaited<ReturnType<typeof openDatabase>>, log: ReturnType<typeof createLogger>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, log);
  try {
    return await run(database, log);
  } finally {
    await database.close();
  }
}

async function apikeyCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      scopes: { type: 'string' },
      staff: { type: 'boolean' },
      role: { type: 'string' },
      name: { type: 'string' },
    },
  });
  if (values.staff === Boolean(values.org)) throw new UsageError('Give either --org <slug> or --staff.');
  await withDatabase(async ({ orm }, log) => {
    const ctx = createContext(orm, { principal: systemPrincipal('cli'), clock: systemClock, log });
    if (values.staff) {
      const role = (values.role ?? '').toUpperCase() as StaffRole;
      if (!STAFF_ROLES.includes(role)) throw new UsageError(`--role must be one of ${STAFF_ROLES.join(', ').toLowerCase()}.`);
      const { secret } = await createApiKey(ctx, { name: values.name ?? `staff ${role.toLowerCase()} key`, staffRole: role });
      process.stdout.write(`${secret}\n`);
      return;
    }
    const organization = await ctx.em.findOne(Organization, { slug: values.org! });
    if (!organization) throw new UsageError(`No organization with slug "${values.org}".`);
    const scopes = (values.scopes ?? '')
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    const { secret } = await createApiKey(ctx, {
      name: values.name ?? `${organization.slug} integration`,
      organizationId: organization.id,
      scopes,
    });
    process.stdout.write(`${secret}\n`);
  });
}

/** `kb index`: files -> kb_article -> search engine (Meilisearch when MEILI_HOST is set). Problems are printed, not fatal. */
async function kbIndex(
  orm: Awaited<ReturnType<typeof openDatabase>>['orm'],
  config: ReturnType<typeof loadConfig>,
  log: ReturnType<typeof createLogger>,
  dir?: string,
) {
  configureSearchEngine(config);
  const chosen = dir ?? config.KB_DIR;
  const absolute = chosen ? resolve(chosen) : resolve(REPO_ROOT, 'kb/articles');
  const report = await indexKnowledgeBase(orm, {
    dir: absolute,
    displayDir: chosen ?? 'kb/articles',
    engine: (em) => searchEngineFor(em),
    clock: systemClock,
    log,
  });
  return report;
}

async function writeSchema(): Promise<void> {
  const schema = await tierdeskSchema();
  await mkdir(resolve(REPO_ROOT, 'schema'), { recursive: true });
  await writeFile(resolve(REPO_ROOT, 'schema/schema.graphql'), printSortedSchema(schema));
  await writeFile(resolve(REPO_ROOT, 'schema/access.snapshot.txt'), accessSnapshot(schema));
  process.stdout.write('wrote schema/schema.graphql and schema/access.snapshot.txt\n');
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
  if (!existsSync(serverEntry)) throw new UsageError('The portal is not built; `pnpm start` builds it (or run `pnpm build`).');
  const child = spawn(resolve(portalDir, 'node_modules/.bin/react-router-serve'), [serverEntry], {
    cwd: portalDir,
    env: { ...process.env, PORT: String(port), API_URL: apiUrl, NODE_ENV: 'production', PORTAL_SESSION_SECRET: sessionSecret },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

/**
 * Without STRIPE_SECRET_KEY, `start` runs the bundled local Stripe-compatible server (test mode) on
 * STRIPE_LOCAL_PORT, delivering webhooks to this API, and puts the plans into it.
 */
async function startLocalBilling(config: ReturnType<typeof loadConfig>): Promise<LocalStripe | null> {
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

async function start(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const localStripe = await startLocalBilling(config);
  const database = await openDatabase(config, log);
  await migrate(database.orm);
  await seed(database.orm, systemClock, log, { demo: config.SEED_DEMO });
  // The knowledge base is indexed before the API answers; a missing directory leaves search with what it had.
  const kb = await kbIndex(database.orm, config, log).catch((error: unknown) => {
    if (!(error instanceof KnowledgeBaseDirectoryError)) throw error;
    log.warn(error.message);
    return null;
  });
  const kbErrors = kb?.problems.filter((problem) => problem.severity === 'error') ?? [];
  if (kb?.problems.length) process.stderr.write(formatReport(kb));
  const api = await boot({ config, database });
  const apiUrl = config.API_URL ?? api.server.url;
  const portal = startPortal(apiUrl, config.PORTAL_PORT, await portalSessionSecret(config.PORTAL_SESSION_SECRET));
  const portalUrl = `http://localhost:${config.PORTAL_PORT}`;
  await waitForHttp(portalUrl, 30_000);
  const customers = DEMO_USERS.filter((user) => 'organization' in user).map((user) => `    ${user.email.padEnd(30)} ${user.organization}`);
  process.stdout.write(
    [
      '',
      `Tierdesk is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  API     ${api.server.url}   (health: http://localhost:${api.server.port}/healthz)`,
      `  Portal  ${portalUrl}`,
      `  Billing ${localStripe ? `local Stripe-compatible server, test mode (${localStripe.url})` : 'Stripe (STRIPE_SECRET_KEY)'}`,
      `  Database ${database.embedded ? `embedded PostgreSQL (${config.EMBEDDED_PG_DIR})` : 'DATABASE_URL'}`,
      kb
        ? `  Knowledge base  ${kb.files} articles in ${kb.dir}, search on ${kb.engine.kind}${kbErrors.length ? ` (${kbErrors.length} file problems above)` : ''}`
        : '  Knowledge base  not indexed (no articles directory)',
      '',
      `Demo sign-ins (password: ${DEMO_PASSWORD})`,
      ...customers,
      `    ${'admin@tierdesk.example'.padEnd(30)} staff admin`,
      '',
      'An API key for the demo:  pnpm tierdesk apikey create --org initech --scopes tickets:read,tickets:write,organization:read',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    portal.kill('SIGTERM');
    await api.stop();
    await localStripe?.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  portal.once('exit', (code) => {
    if (stopping) return;
    log.error({ code }, 'the portal stopped');
    void shutdown();
  });
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

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'serve': {
      const api = await boot();
      process.stdout.write(`Tierdesk API at ${api.server.url}\n`);
      const stop = () => void api.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    case 'worker': {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL);
      const database = await openDatabase(config, log);
      // The worker ends grace periods too (expireGracePeriods), which re-reads subscriptions from Stripe.
      configureBilling({ ...createStripeClient(config), graceDays: config.BILLING_GRACE_DAYS });
      const worker = new TimerWorker(database.orm, systemClock, log.child({ component: 'timers' }), {
        intervalMs: config.TIMER_INTERVAL_MS,
        batchSize: 50,
        upgradeCheckIntervalMs: config.UPGRADE_CHECK_INTERVAL_MS,
      });
      worker.start();
      process.stdout.write(`Tierdesk timer worker running (every ${config.TIMER_INTERVAL_MS} ms)\n`);
      const stop = () =>
        void worker
          .stop()
          .then(() => database.close())
          .then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    case 'migrate':
      return withDatabase(async ({ orm }) => {
        const applied = await migrate(orm);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      });
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { 'no-demo': { type: 'boolean' } } });
      return withDatabase(async ({ orm }, log) => {
        await migrate(orm);
        await seed(orm, systemClock, log, { demo: !values['no-demo'] });
      });
    }
    case 'apikey':
      if (rest[0] !== 'create') throw new UsageError('Only `apikey create` exists.');
      return apikeyCreate(rest.slice(1));
    case 'kb': {
      if (rest[0] !== 'index') throw new UsageError('Only `kb index [--dir <dir>]` exists.');
      const { values } = parseArgs({ args: rest.slice(1), options: { dir: { type: 'string' } } });
      const config = loadConfig();
      const failed = await withDatabase(async ({ orm }, log) => {
        await migrate(orm);
        try {
          const report = await kbIndex(orm, config, log, values.dir);
          process.stdout.write(formatReport(report));
          return report.problems.some((problem) => problem.severity === 'error');
        } catch (error) {
          if (error instanceof KnowledgeBaseDirectoryError) throw new UsageError(error.message);
          throw error;
        }
      });
      // Exit explicitly: the embedded PostgreSQL's exit hook would otherwise turn a set exitCode back into 0.
      if (failed) process.exit(2);
      return;
    }
    case 'billing': {
      if (rest[0] === 'check-upgrades') {
        return withDatabase(async ({ orm }) => {
          await migrate(orm);
          const em = orm.em.fork();
          em.setFilterParams(TENANT_FILTER, { allTenants: true });
          const report = await evaluateUpgradeEligibility(em, systemClock);
          process.stdout.write(
            [
              `Checked ${report.checked} organizations; ${report.created.length} new upgrade reminder(s).`,
              ...report.created.map((line) => `  ${line.organizationId} -> ${line.tierKey}: ${line.reasons.join('; ')}`),
              '',
            ].join('\n'),
          );
        });
      }
      if (rest[0] === 'expire-grace') {
        const config = loadConfig();
        configureBilling({ ...createStripeClient(config), graceDays: config.BILLING_GRACE_DAYS });
        return withDatabase(async ({ orm }, log) => {
          await migrate(orm);
          const em = orm.em.fork();
          em.setFilterParams(TENANT_FILTER, { allTenants: true });
          const report = await expireGracePeriods(em, systemClock, log);
          process.stdout.write(
            [
              `Checked ${report.checked} account(s) whose grace period ended; ${report.downgraded.length} moved to the free tier.`,
              ...report.downgraded.map((line) => `  ${line.organizationId}: ${line.fromTier} -> community`),
              '',
            ].join('\n'),
          );
        });
      }
      if (rest[0] !== 'sync-plans')
        throw new UsageError('Only `billing sync-plans`, `billing check-upgrades` and `billing expire-grace` exist.');
      const config = loadConfig();
      const settings = createStripeClient(config);
      configureBilling({ ...settings, graceDays: config.BILLING_GRACE_DAYS });
      const report = await syncPlans(settings.stripe).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new UsageError(
          settings.local
            ? `The local Stripe server on port ${config.STRIPE_LOCAL_PORT} did not answer (is \`pnpm start\` running?): ${reason}`
            : `Stripe refused: ${reason}`,
        );
      });
      process.stdout.write(
        [
          `Plans in ${settings.local ? 'the local Stripe server (test mode)' : settings.testMode ? 'Stripe (test mode)' : 'Stripe (live mode)'}:`,
          ...report.created.map((line) => `  created   ${line}`),
          ...report.updated.map((line) => `  updated   ${line}`),
          ...report.unchanged.map((line) => `  unchanged ${line}`),
          '',
        ].join('\n'),
      );
      return;
    }
    case 'simulate':
      return simulateCommand(rest);
    case 'schema':
      return writeSchema();
    case 'migration:create':
      return withDatabase(async ({ orm }) => {
        await migrate(orm);
        const result = await orm.migrator.createMigration(resolve(REPO_ROOT, 'api/src/db/migrations'), false, false, rest[0] ?? 'change');
        process.stdout.write(result.fileName ? `created ${result.fileName}; add it to migrations/index.ts\n` : 'no changes\n');
      });
    default:
      throw new UsageError(command ? `Unknown command "${command}".` : 'Name a command.');
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  else if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else if (error instanceof AppError) {
    const problems = Array.isArray(error.details.problems) ? (error.details.problems as { path: string; message: string }[]) : [];
    process.stderr.write(
      problems.length
        ? `${problems.length} problem(s):\n${problems.map((problem) => `  ${problem.path || '(root)'}: ${problem.message}`).join('\n')}\n`
        : `${error.message}\n`,
    );
  } else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
