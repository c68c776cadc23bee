// Tierdesk benchmarks: `pnpm bench` (builds first) or `node bench/run.mjs [name…]` against the current build.
// Figures go to stdout; progress lines go to stderr. Nothing is asserted: see bench/README.md for what to read.
import 'reflect-metadata';
import { availableParallelism, cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './lib/system.mjs';
import { printSections } from './lib/stats.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);

const BENCHMARKS = {
  'ticket-page': {
    about: 'the nested 100-ticket page over HTTP next to a bare Apollo hello; SQL statements per request at page sizes 10 and 100',
    run: async () =>
      (await import('./ticket-page.mjs')).ticketPage({
        durationMs: seconds * 1000,
        concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
      }),
  },
  'console-view': {
    about:
      "the staff console's view of 500 open tickets (BENCH_VIEW_TICKETS): the API's view query, the counts poll, all pages, and the portal's server-side render (budget < 300 ms), beside a bare Apollo hello",
    run: async () => (await import('./console-view.mjs')).consoleView({ durationMs: seconds * 1000 }),
  },
  'create-ticket': {
    about:
      'the createTicket mutation over HTTP with partner keys (one organization, several, one client) next to a bare Apollo hello; numbering, clocks and counts checked afterwards (goal ≥ 200/s one organization, ≥ 500/s across, p99 ≤ 100 ms)',
    run: async () =>
      (await import('./create-ticket.mjs')).createTicket({
        durationMs: seconds * 1000,
        concurrency: Number(process.env.BENCH_CONCURRENCY ?? 10),
      }),
  },
  'scale-out': {
    about:
      'two API processes and two job runners on one PostgreSQL: both hot paths with 1 and 2 APIs, SLA crossings with 1 and 2 workers (each exactly once), budgets across processes',
    run: async () =>
      (await import('./scale-out.mjs')).scaleOut({
        durationMs: seconds * 1000,
        concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
      }),
  },
  'load-client': {
    about: "why the load loop uses node:http: the bare hello through node:http and through fetch, with the client's CPU per request",
    run: async () =>
      (await import('./load-client.mjs')).loadClient({
        durationMs: seconds * 1000,
        concurrency: Number(process.env.BENCH_CONCURRENCY ?? 8),
      }),
  },
  calendar: {
    about: 'business-calendar arithmetic: due-date computations per second (goal ≥ 1,000,000/s), and cost versus span',
    run: async () => (await import('./calendar.mjs')).run({ print: false }),
  },
  'sla-timers': {
    about:
      'breach-to-escalation latency: 10,000 tickets due within the same minute (BENCH_SLA_TICKETS) among a backlog of 100,000 open tickets (BENCH_SLA_OPEN)',
    run: async () => (await import('./sla-timers.mjs')).slaTimers(),
  },
  'kb-search': {
    about:
      'knowledge-base search on the PostgreSQL engine over 10,000 generated articles (BENCH_KB_ARTICLES): p50/p95 (goal p95 ≤ 20 ms), indexing articles/s',
    run: async () => (await import('./kb-search.mjs')).kbSearch(),
  },
  'billing-webhooks': {
    about:
      'Stripe webhooks with billing on: events/s and p50/p99 with ~20% duplicates (each applied once), checkout completion to entitlements in force',
    run: async () => (await import('./billing-webhooks.mjs')).billingWebhooks(),
  },
  routing: {
    about: 'one routing decision (rules + assignment, then with triage) over 500 agents: p50/p95/p99 (goal p99 ≤ 2 ms)',
    run: async () => (await import('./routing.mjs')).routingBench(),
  },
  simulate: {
    about: 'what-if simulator: 30 days, ~100,000 tickets, 200 agents in shifts (goal ≤ 10 s), events/s, attainment',
    run: async () => (await import('./simulate.mjs')).simulateBench({ print: false }),
  },
  'cold-start': {
    about: '`node api/dist/cli.js start` with the embedded PostgreSQL: cold (fresh data dir) and warm (second run) to ready',
    run: async () => (await import('./cold-start.mjs')).coldStart(),
  },
};

function usage() {
  return [
    'Usage: node bench/run.mjs [name…]   (no name: all, in this order)',
    '',
    ...Object.entries(BENCHMARKS).map(([name, { about }]) => `  ${name.padEnd(12)} ${about}`),
    '',
    'Environment: DATABASE_URL      ticket-page uses a scratch database on that server instead of an embedded one',
    '             BENCH_SECONDS     measured load per row of the ticket-page table (default 10)',
    '             BENCH_CONCURRENCY concurrent clients of the load loop (default 8; create-ticket 10)',
    '             BENCH_START_RUNS  cold/warm pairs of cold-start (default 3)',
    '             BENCH_KB_ARTICLES articles in the kb-search corpus (default 10000)',
    '             BENCH_BILLING_EVENTS distinct webhook events of billing-webhooks (default 2000; BENCH_BILLING_ORGS 200)',
    '             BENCH_SCALE_TIMERS tickets per job-runner round of scale-out (default 300)',
    '             BENCH_CPU_PROF    a directory: the API process of ticket-page writes a V8 CPU profile there',
    '             BENCH_VIEW_TICKETS / BENCH_VIEW_SAMPLES open tickets and timed requests of console-view (default 500 / 60)',
    '             BENCH_ROUTING_DECISIONS timed decisions of routing (default 200000)',
    '             BENCH_SIM_DAYS / BENCH_SIM_RUNS horizon and repetitions of simulate (default 30 / 3)',
  ].join('\n');
}

const names = process.argv.slice(2);
if (names.some((name) => name === '-h' || name === '--help')) {
  process.stdout.write(`${usage()}\n`);
  process.exit(0);
}
const unknown = names.filter((name) => !(name in BENCHMARKS));
if (unknown.length) {
  process.stderr.write(`Unknown benchmark: ${unknown.join(', ')}\n\n${usage()}\n`);
  process.exit(2);
}
if (!existsSync(resolve(REPO_ROOT, 'api/dist/main.js'))) {
  process.stderr.write('api/dist is missing: run `npx -y pnpm@10 build` (or `pnpm bench`, which builds first).\n');
  process.exit(2);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `Tierdesk benchmarks: Node ${process.versions.node}, ${availableParallelism()} cores (${cpu}), ${new Date().toISOString()}\n`,
);

let failed = false;
for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
  const started = Date.now();
  process.stderr.write(`\n▶ ${name}\n`);
  try {
    const { sections } = await BENCHMARKS[name].run();
    process.stdout.write(`\n== ${name} (${((Date.now() - started) / 1000).toFixed(0)} s) ==\n`);
    printSections(sections);
  } catch (error) {
    failed = true;
    process.stdout.write(`\n== ${name}: FAILED ==\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
process.stdout.write('\n');
// The embedded PostgreSQL's exit hook and pg pools would keep the loop alive a little; everything is stopped by now.
process.exit(failed ? 1 : 0);
