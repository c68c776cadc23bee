import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createRuntime, type Runtime } from '../app/runtime.js';
import { loadConfig, type Config } from '../config.js';
import { migrate, openDatabase } from '../db/database.js';
import { seed } from '../db/seed.js';
import { billingSettings, evaluateUpgradeEligibility, expireGracePeriods, syncPlans } from '../modules/billing/index.js';
import { createApiKey } from '../modules/identity/index.js';
import { formatReport, indexKnowledgeBase, KnowledgeBaseDirectoryError, type IndexReport } from '../modules/kb/index.js';
import { Organization } from '../modules/organizations/index.js';
import { formatSimulation, runSimulation } from '../modules/routing/index.js';
import { accessSnapshot } from '../server/access.js';
import { printSortedSchema } from '../server/print-schema.js';
import { tierdeskSchema } from '../server/schema.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { API_SCOPES, STAFF_ROLES, type StaffRole } from '../shared/principal.js';
import { REPO_ROOT } from './paths.js';
import { CommandFailure, UsageError } from './failures.js';

/**
 * The commands that do one thing and end. Each opens the database (or the running embedded one), brings its schema
 * up to date (a fresh or reset database works like one `pnpm start` has seen) and closes it.
 */

async function withRuntime<T>(run: (runtime: Runtime, config: Config) => Promise<T>, options = { migrate: true }): Promise<T> {
  const config = loadConfig();
  // A command's output is its result; its logs go to stderr, and only warnings unless LOG_LEVEL asks for more.
  const log = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', { stderr: true });
  const database = await openDatabase(config, log);
  try {
    if (options.migrate) await migrate(database.orm);
    return await run(createRuntime({ config, orm: database.orm, clock: systemClock, log }), config);
  } finally {
    await database.close();
  }
}

export function migrateCommand(): Promise<void> {
  return withRuntime(
    async ({ orm }) => {
      const applied = await migrate(orm);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    },
    { migrate: false },
  );
}

export function seedCommand(options: { demo: boolean }): Promise<void> {
  return withRuntime(async (runtime) => {
    await seed(runtime, { demo: options.demo });
    process.stdout.write(options.demo ? 'tier catalogue and demo data are up to date\n' : 'tier catalogue is up to date\n');
  });
}

export async function apikeyCreate(options: {
  org?: string;
  scopes?: string;
  staff?: boolean;
  role?: string;
  name?: string;
}): Promise<void> {
  if (Boolean(options.staff) === Boolean(options.org)) throw new UsageError('Give either --org <slug> or --staff.', 'apikey create');
  if (options.staff && !options.role)
    throw new UsageError(`A staff key needs --role (${STAFF_ROLES.join(', ').toLowerCase()}).`, 'apikey create');
  if (options.org && !options.scopes)
    throw new UsageError(`An organization key needs --scopes (${API_SCOPES.join(', ')}).`, 'apikey create');
  await withRuntime(async (runtime) => {
    const ctx = runtime.system('cli');
    if (options.staff) {
      const role = options.role!.toUpperCase() as StaffRole;
      const { secret } = await createApiKey(ctx, { name: options.name ?? `staff ${role.toLowerCase()} key`, staffRole: role });
      process.stdout.write(`${secret}\n`);
      return;
    }
    const organization = await ctx.em.findOne(Organization, { slug: options.org! });
    if (!organization) throw new UsageError(`No organization with slug "${options.org}".`, 'apikey create');
    const scopes = options
      .scopes!.split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    const { secret } = await createApiKey(ctx, {
      name: options.name ?? `${organization.slug} integration`,
      organizationId: organization.id,
      scopes,
    });
    process.stdout.write(`${secret}\n`);
  });
}

/** `kb index`: files -> kb_article -> search engine (Meilisearch when MEILI_HOST is set). File problems are reported, not fatal. */
export async function indexArticles(runtime: Runtime, config: Config, dir?: string): Promise<IndexReport> {
  const chosen = dir ?? config.KB_DIR;
  return indexKnowledgeBase(runtime.system('kb-index'), {
    dir: chosen ? resolve(chosen) : resolve(REPO_ROOT, 'kb/articles'),
    displayDir: chosen ?? 'kb/articles',
  });
}

export async function kbIndexCommand(options: { dir?: string }): Promise<void> {
  const failed = await withRuntime(async (runtime, config) => {
    try {
      const report = await indexArticles(runtime, config, options.dir);
      process.stdout.write(formatReport(report));
      return report.problems.some((problem) => problem.severity === 'error');
    } catch (error) {
      if (error instanceof KnowledgeBaseDirectoryError) throw new UsageError(error.message, 'kb index');
      throw error;
    }
  });
  if (failed) process.exitCode = 2;
}

export async function syncPlansCommand(): Promise<void> {
  const config = loadConfig();
  await withRuntime(async (runtime) => {
    const settings = billingSettings(runtime.system('cli'));
    const report = await syncPlans(settings.stripe).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CommandFailure(
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
  });
}

export function checkUpgradesCommand(): Promise<void> {
  return withRuntime(async (runtime) => {
    const report = await evaluateUpgradeEligibility(runtime.system('cli'));
    process.stdout.write(
      [
        `Checked ${report.checked} organizations; ${report.created.length} new upgrade reminder(s).`,
        ...report.created.map((line) => `  ${line.organizationId} -> ${line.tierKey}: ${line.reasons.join('; ')}`),
        '',
      ].join('\n'),
    );
  });
}

export function expireGraceCommand(): Promise<void> {
  return withRuntime(async (runtime) => {
    const report = await expireGracePeriods(runtime.system('billing-grace'));
    process.stdout.write(
      [
        `Checked ${report.checked} account(s) whose grace period ended; ${report.downgraded.length} moved to the free tier.`,
        ...report.downgraded.map((line) => `  ${line.organizationId}: ${line.fromTier} -> community`),
        '',
      ].join('\n'),
    );
  });
}

export async function simulateCommand(file: string, options: { json?: boolean; replayFrom?: string; replayTo?: string }): Promise<void> {
  let input: unknown;
  try {
    const text = await readFile(resolve(process.cwd(), file), 'utf8');
    input = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`, 'simulate');
  }
  const { replayFrom: from, replayTo: to } = options;
  if (Boolean(from) !== Boolean(to)) throw new UsageError('Give both --replay-from and --replay-to, or neither.', 'simulate');
  const replay = from && to ? { from: new Date(from), to: new Date(to) } : null;
  if (replay && (Number.isNaN(replay.from.getTime()) || Number.isNaN(replay.to.getTime()))) {
    throw new UsageError('--replay-from and --replay-to are ISO instants.', 'simulate');
  }
  // Without a replay window no database is touched.
  const result = replay
    ? await withRuntime((runtime) => runSimulation(runtime.system('simulate').em, input, { replay }))
    : await runSimulation(null, input, { replay: null });
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatSimulation(result));
}

export async function schemaCommand(): Promise<void> {
  const schema = await tierdeskSchema();
  await mkdir(resolve(REPO_ROOT, 'schema'), { recursive: true });
  await writeFile(resolve(REPO_ROOT, 'schema/schema.graphql'), printSortedSchema(schema));
  await writeFile(resolve(REPO_ROOT, 'schema/access.snapshot.txt'), accessSnapshot(schema));
  process.stdout.write('wrote schema/schema.graphql and schema/access.snapshot.txt\n');
}

export function createMigrationCommand(name: string): Promise<void> {
  return withRuntime(async ({ orm }) => {
    const result = await orm.migrator.createMigration(resolve(REPO_ROOT, 'api/src/db/migrations'), false, false, name);
    process.stdout.write(result.fileName ? `created ${result.fileName}; add it to migrations/index.ts\n` : 'no changes\n');
  });
}
