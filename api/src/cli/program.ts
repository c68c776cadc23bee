import { Command, Option } from 'commander';

const STAFF_ROLE_CHOICES = ['agent', 'specialist', 'on_call_engineer', 'admin'];
const SCOPES = 'tickets:read, tickets:write, organization:read, apikeys:manage';

const commands = () => import('./commands.js');
const processes = () => import('./processes.js');

/** Every command, with its options and help; each command's code is loaded when it runs. */
export function program(): Command {
  const root = new Command('tierdesk')
    .description('Tierdesk: tiered customer support. Every command reads its settings from the environment (see README).')
    .showHelpAfterError()
    .exitOverride();

  root
    .command('start')
    .description('database, migrations, demo seed, knowledge base, API and portal (what `pnpm start` runs)')
    .action(async () => (await processes()).start());
  root
    .command('serve')
    .description('the API only (with the job runner unless RUN_TIMERS=false)')
    .action(async () => (await processes()).serve());
  root
    .command('worker')
    .description('the job runner only: SLA timers, escalations, routing passes, billing checks; run several if you like')
    .action(async () => (await processes()).worker());
  root
    .command('migrate')
    .description('apply pending migrations')
    .action(async () => (await commands()).migrateCommand());
  root
    .command('seed')
    .description('bring the tier catalogue up to date and add the demo data when missing (safe to repeat)')
    .option('--no-demo', 'only the tier catalogue, no demo organizations')
    .action(async (options: { demo: boolean }) => (await commands()).seedCommand(options));

  const apikey = root.command('apikey').description('API keys').exitOverride();
  apikey
    .command('create')
    .description('print a new API key (shown once): an organization key with scopes, or a staff key with a role')
    .option('--org <slug>', 'the organization the key belongs to')
    .option('--scopes <list>', `comma-separated scopes: ${SCOPES}`)
    .option('--staff', 'a staff key instead of an organization key')
    .addOption(new Option('--role <role>', 'the staff role of a staff key').choices(STAFF_ROLE_CHOICES))
    .option('--name <name>', 'a name to recognise the key by')
    .action(async (options: { org?: string; scopes?: string; staff?: boolean; role?: string; name?: string }) =>
      (await commands()).apikeyCreate(options),
    );

  const kb = root.command('kb').description('the knowledge base').exitOverride();
  kb.command('index')
    .description('sync the articles (kb/articles, or KB_DIR) into the database and the search engine; exit code 2 when a file has errors')
    .option('--dir <dir>', 'the articles folder')
    .action(async (options: { dir?: string }) => (await commands()).kbIndexCommand(options));

  const billing = root.command('billing').description('billing and Stripe').exitOverride();
  billing
    .command('sync-plans')
    .description('create or update the Stripe products and prices of the paid tiers (idempotent)')
    .action(async () => (await commands()).syncPlansCommand());
  billing
    .command('check-upgrades')
    .description('check every organization for a better-fitting tier now (the billing.upgrade-check job)')
    .action(async () => (await commands()).checkUpgradesCommand());
  billing
    .command('expire-grace')
    .description('move organizations whose grace period after a failed payment ended to the free tier now (the billing.grace-expiry job)')
    .action(async () => (await commands()).expireGraceCommand());

  root
    .command('simulate')
    .description(
      'a what-if run of a scenario file (docs/simulator.md); with a replay window the real tickets of that period are the arrivals',
    )
    .argument('<file>', 'the scenario, JSON or YAML')
    .option('--json', 'print the full result as JSON')
    .option('--replay-from <instant>', 'replay the real tickets from this ISO instant (needs the database)')
    .option('--replay-to <instant>', 'until this ISO instant')
    .action(async (file: string, options: { json?: boolean; replayFrom?: string; replayTo?: string }) =>
      (await commands()).simulateCommand(file, options),
    );
  root
    .command('schema')
    .description('write schema/schema.graphql and schema/access.snapshot.txt')
    .action(async () => (await commands()).schemaCommand());
  root
    .command('migration:create')
    .description('(developers) generate a migration from the entity changes')
    .argument('[name]', 'a name for the migration', 'change')
    .action(async (name: string) => (await commands()).createMigrationCommand(name));

  for (const command of [root, ...root.commands]) command.exitOverride().showHelpAfterError();
  return root;
}
