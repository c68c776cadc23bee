import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchDatabase } from './lib/database.mjs';
import { graphql, signIn } from './lib/graphql.mjs';
import { runLoad } from './lib/load.mjs';
import { addNorthwindTickets, demoRuntime } from './lib/seeding.mjs';
import { median, ms, perSecond, quantile, since } from './lib/stats.mjs';
import { cpuMillisOf, freePort, REPO_ROOT, sleep, startServerProcess } from './lib/system.mjs';

/**
 * The staff console's view of 500 open tickets (issue: "renders in under 300 ms server time and updates its
 * timers without refetching every ticket"). Measured beside the bare Apollo hello in the same run:
 * - the API's part: the console's own view query (50 rows with organization, tier, assignee and SLA timers, the
 *   counts of every view, and the filter choices), and all 500 tickets through keyset pages of 100;
 * - the counts alone, which is what an open view polls every 10 s instead of re-reading its tickets;
 * - the whole server time of the page: GET /console?view=ALL_OPEN from the portal (server-side render, session
 *   cookie, its call to the API), first byte to last, one client at a time and four at once.
 */
const OPEN_TICKETS = Number(process.env.BENCH_VIEW_TICKETS ?? 500);
const SAMPLES = Number(process.env.BENCH_VIEW_SAMPLES ?? 60);

const progress = (message) => process.stderr.write(`  [console-view] ${message}\n`);

/** The document portal/app/routes/console._index.tsx sends (schema/operations/console.graphql, ConsoleView). */
const CONSOLE_VIEW = `query ConsoleView($view: TicketView!, $first: Int, $after: String) {
  ticketView(view: $view, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id number subject status priority requesterName createdAt updatedAt
      organization { id name tier { key name } } assignee { id name }
      slaTimers { kind status dueAt warningAt breachedAt } }
  }
  ticketViewCounts { view count description defaultSort }
  tiers { key name rank }
  queues { id name }
  agents(first: 100) { nodes { user { id name } } }
  organizations(first: 100) { nodes { id name } }
}`;
const COUNTS = '{ ticketViewCounts { view count } }';
const ALL_PAGES = `query($after: String) { ticketView(view: ALL_OPEN, first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id number subject organization { name tier { name } } assignee { name } slaTimers { kind dueAt warningAt } } } }`;

/** Times `send` one request at a time, `count` times after a few discarded warm-ups: p50, p90, p99, max (ms). */
async function sequential(send, count) {
  for (let i = 0; i < 5; i += 1) await send();
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const started = process.hrtime.bigint();
    await send();
    times.push(since(started));
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: median(times), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] };
}

/** `clients` loops of `sequential` at once (each measuring its own requests), pooled. */
async function concurrent(send, clients, count) {
  const runs = await Promise.all(Array.from({ length: clients }, () => sequential(send, Math.ceil(count / clients))));
  return {
    p50: median(runs.map((run) => run.p50)),
    p90: Math.max(...runs.map((run) => run.p90)),
    p99: Math.max(...runs.map((run) => run.p99)),
    max: Math.max(...runs.map((run) => run.max)),
  };
}

async function startPortal(apiUrl) {
  const portalDir = resolve(REPO_ROOT, 'portal');
  const build = resolve(portalDir, 'build/server/index.js');
  if (!existsSync(build)) throw new Error('portal/build is missing: run `npx -y pnpm@10 build` first');
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(portalDir, 'node_modules/@react-router/serve/bin.js'), build], {
    cwd: portalDir,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), API_URL: apiUrl, PORTAL_SESSION_SECRET: 'bench' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      await fetch(`${url}/signin`);
      return { url, pid: child.pid, stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) };
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new Error('the portal did not answer within 20 s');
}

/** Signs in through the portal's own form, as a browser would, and returns the session cookie. */
async function portalSession(portalUrl, email) {
  const response = await fetch(`${portalUrl}/signin`, {
    method: 'POST',
    body: new URLSearchParams({ email, password: 'tierdesk-demo', redirectTo: '/console' }),
    redirect: 'manual',
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`portal sign-in of ${email} gave no session (HTTP ${response.status})`);
  return cookie;
}

export async function consoleView({ durationMs = 10_000, warmupMs = 2_000 } = {}) {
  const started = process.hrtime.bigint();
  const database = await benchDatabase();
  progress(`database: ${database.description} (${ms(since(started))})`);
  try {
    const runtime = await demoRuntime(database.url);
    const seeding = process.hrtime.bigint();
    await addNorthwindTickets(runtime, { tickets: OPEN_TICKETS, comments: 0 });
    await runtime.orm.close(true);
    progress(`seeded demo data + ${OPEN_TICKETS} open Northwind tickets, each assigned (${ms(since(seeding))})`);

    const hello = await startServerProcess('hello-server.mjs');
    let helloResult;
    try {
      progress(`load: bare Apollo hello, 1 client, ${durationMs / 1000} s`);
      helloResult = await runLoad({ url: hello.url, body: { query: '{ hello }' }, concurrency: 1, durationMs, warmupMs });
    } finally {
      await hello.stop();
    }

    const api = await startServerProcess('api-server.mjs', [database.url], { CUSTOMER_REQUESTS_PER_MINUTE: '100000' });
    const portal = await startPortal(api.url);
    try {
      const token = await signIn(api.url, 'admin@tierdesk.example');
      const first = await graphql(api.url, CONSOLE_VIEW, { view: 'ALL_OPEN', first: 50 }, token);
      const total = first.data?.ticketView.totalCount;
      if (!(total >= OPEN_TICKETS) || first.data.ticketView.nodes.length !== 50) {
        throw new Error(
          `expected a view of at least ${OPEN_TICKETS} open tickets with 50 rows: ${JSON.stringify(first.errors ?? first.data?.ticketView.totalCount)}`,
        );
      }
      const cpuOf = async (send, count) => {
        const before = cpuMillisOf(api.pid);
        for (let i = 0; i < count; i += 1) await send();
        return (cpuMillisOf(api.pid) - before) / count;
      };
      const viewQuery = () => graphql(api.url, CONSOLE_VIEW, { view: 'ALL_OPEN', first: 50 }, token);
      const countsQuery = () => graphql(api.url, COUNTS, {}, token);
      const allPages = async () => {
        let after = null;
        let read = 0;
        do {
          const { data } = await graphql(api.url, ALL_PAGES, { after }, token);
          read += data.ticketView.nodes.length;
          after = data.ticketView.pageInfo.hasNextPage ? data.ticketView.pageInfo.endCursor : null;
        } while (after);
        if (read !== total) throw new Error(`paged through ${read} of ${total} tickets`);
      };

      progress(`API: the console's view query, ${SAMPLES} requests one at a time`);
      const view = { ...(await sequential(viewQuery, SAMPLES)), cpu: await cpuOf(viewQuery, 20) };
      progress('API: the counts poll');
      const counts = { ...(await sequential(countsQuery, SAMPLES)), cpu: await cpuOf(countsQuery, 20) };
      progress(`API: all ${total} tickets in keyset pages of 100`);
      const whole = await sequential(allPages, Math.max(10, Math.round(SAMPLES / 4)));

      const cookie = await portalSession(portal.url, 'admin@tierdesk.example');
      const page = async () => {
        const response = await fetch(`${portal.url}/console?view=ALL_OPEN`, { headers: { cookie } });
        const html = await response.text();
        if (response.status !== 200 || !html.includes('data-testid="view-table"'))
          throw new Error(`the view page answered ${response.status}`);
      };
      progress(`portal: GET /console?view=ALL_OPEN, ${SAMPLES} requests one at a time, then 4 clients`);
      const rendered = await sequential(page, SAMPLES);
      const renderedFour = await concurrent(page, 4, SAMPLES);

      const row = (name, result) => [
        name,
        ms(result.p50),
        ms(result.p90),
        ms(result.p99),
        ms(result.max),
        result.cpu === undefined ? '–' : ms(result.cpu),
        `${(result.p50 / helloResult.p50).toFixed(0)}×`,
      ];
      return {
        sections: [
          {
            heading: `The staff console's view of ${total} open tickets, one request at a time (${SAMPLES} samples after 5 warm-ups)`,
            rows: [
              ['request', 'p50', 'p90', 'p99', 'max', 'API CPU/req', 'p50 ÷ hello'],
              [
                'bare Apollo Server 5 `{ hello }` (load loop, 1 client)',
                ms(helloResult.p50),
                ms(helloResult.p90),
                ms(helloResult.p99),
                '–',
                '–',
                '1×',
              ],
              row('API: the console view query (50 rows + counts + filter choices)', view),
              row('API: the counts of every view (the 10 s poll)', counts),
              row(`API: all ${total} tickets, ${Math.ceil(total / 100)} keyset pages of 100`, whole),
              row('portal: GET /console?view=ALL_OPEN, server-side render (1 client)', rendered),
              row('portal: the same, 4 clients at once', renderedFour),
            ],
            notes: [
              `Budget: the view renders in under 300 ms server time. The portal's page (its render and its API call) took p50 ${ms(rendered.p50)}, p99 ${ms(rendered.p99)} one at a time; ${ms(renderedFour.p99)} p99 with 4 at once.`,
              `Timers tick in the browser from each clock's deadline and warning instant; an open view polls the counts (${ms(counts.p50)}, ${(view.p50 / counts.p50).toFixed(1)}× cheaper than the view) and re-reads its page only when they change, or each minute.`,
              `The hello ran ${perSecond(helloResult.rps)} in the same run.`,
            ],
          },
        ],
      };
    } finally {
      await portal.stop();
      await api.stop();
    }
  } finally {
    await database.drop();
  }
}
