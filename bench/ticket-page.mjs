import { loadConfig } from '@tierdesk/api/config';
import { queryCounter } from '@tierdesk/api/db/query-counter';
import { boot } from '@tierdesk/api/main';
import { benchDatabase } from './lib/database.mjs';
import { runLoad } from './lib/load.mjs';
import { addNorthwindTickets, demoRuntime } from './lib/seeding.mjs';
import { bytes, ms, perSecond, since } from './lib/stats.mjs';
import { graphql, signIn } from './lib/graphql.mjs';
import { cpuMillisOf, rssOf, startServerProcess } from './lib/system.mjs';

/** The nested ticket page of the foundation issue: what an agent's queue (or a customer's list) asks for. */
export const TICKET_PAGE = `query TicketPage($first: Int!) {
  tickets(first: $first) {
    nodes {
      number subject status
      organization { name tier { name } }
      requester { name }
      assignee { name }
      comments(first: 5) { nodes { body authorName } }
    }
  }
}`;

const HELLO = '{ hello }';
const EXTRA_TICKETS = 120;
const COMMENTS_PER_TICKET = 5;
const STATEMENT_SAMPLES = 20;

const progress = (message) => process.stderr.write(`  [ticket-page] ${message}\n`);

/** Fails loudly if the page is not the full nested page the benchmark claims to measure. */
export function checkPage(data, first) {
  const nodes = data.tickets.nodes;
  const complete = nodes.filter(
    (ticket) =>
      ticket.organization?.tier?.name &&
      ticket.requester?.name &&
      ticket.assignee?.name &&
      ticket.comments.nodes.length === COMMENTS_PER_TICKET,
  );
  if (nodes.length !== first || complete.length !== first) {
    throw new Error(
      `expected ${first} tickets with tier, requester, assignee and ${COMMENTS_PER_TICKET} comments; got ${nodes.length} (${complete.length} complete)`,
    );
  }
}

/**
 * SQL statements the in-process API sends per request, counted by request id (the job runner's polls in the same
 * process are not counted): the figure of each of STATEMENT_SAMPLES sequential requests, which must all agree.
 */
async function statementsPerRequest(url, token, first) {
  checkPage((await graphql(url, TICKET_PAGE, { first }, token)).data, first); // also warms the path
  const counts = new Set();
  for (let i = 0; i < STATEMENT_SAMPLES; i += 1) {
    const { requestId } = await graphql(url, TICKET_PAGE, { first }, token);
    counts.add(queryCounter.statementsOf(requestId).length);
  }
  if (counts.size !== 1) throw new Error(`the same request sent different numbers of statements: ${[...counts].join(', ')}`);
  return [...counts][0];
}

export async function ticketPage({ durationMs = 10_000, warmupMs = 2_000, concurrency = 8 } = {}) {
  const started = process.hrtime.bigint();
  const database = await benchDatabase();
  progress(`database: ${database.description} (${ms(since(started))})`);
  let orm;
  try {
    const runtime = await demoRuntime(database.url);
    orm = runtime.orm;
    const seeding = process.hrtime.bigint();
    await addNorthwindTickets(runtime, { tickets: EXTRA_TICKETS, comments: COMMENTS_PER_TICKET });
    progress(
      `seeded demo data + ${EXTRA_TICKETS} Northwind tickets × ${COMMENTS_PER_TICKET} comments via the service layer (${ms(since(seeding))})`,
    );

    // 1. SQL statements per request, with the API in this process so queryCounter sees its statements.
    const stopRecording = queryCounter.recordStatements();
    const api = await boot({
      // A load test is one customer at full speed: its per-minute budget would answer 429s, not measure pages.
      config: loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', CUSTOMER_REQUESTS_PER_MINUTE: '100000' }),
      database: { orm, url: database.url, embeddedDataDir: null, close: async () => undefined },
      port: 0,
    });
    let tokens;
    const statements = [];
    try {
      tokens = {
        admin: await signIn(api.server.url, 'admin@tierdesk.example'),
        nancy: await signIn(api.server.url, 'nancy@northwind.example'),
      };
      for (const [who, token] of [
        ['staff admin@tierdesk.example', tokens.admin],
        ['customer nancy@northwind.example', tokens.nancy],
      ]) {
        statements.push({
          who,
          small: await statementsPerRequest(api.server.url, token, 10),
          large: await statementsPerRequest(api.server.url, token, 100),
        });
      }
    } finally {
      stopRecording();
      await api.stop();
    }
    await orm.close(true);
    orm = undefined;
    progress('counted SQL statements per request (page sizes 10 and 100)');

    // 2. Throughput and latency over HTTP: each server in its own process, the same load loop for both.
    const load = { concurrency, durationMs, warmupMs };
    const hello = await startServerProcess('hello-server.mjs');
    let helloResult;
    try {
      progress(`load: bare Apollo hello, ${concurrency} concurrent, ${durationMs / 1000} s (+${warmupMs / 1000} s warm-up)`);
      const cpuBefore = cpuMillisOf(hello.pid);
      helloResult = await runLoad({ ...load, url: hello.url, body: { query: HELLO } });
      const responses = helloResult.requests + helloResult.errors + helloResult.warmup.requests + helloResult.warmup.errors;
      helloResult.serverCpuMs = (cpuMillisOf(hello.pid) - cpuBefore) / Math.max(1, responses);
    } finally {
      await hello.stop();
    }
    // BENCH_CPU_PROF=<dir>: the API process writes a V8 CPU profile there (open it in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const server = await startServerProcess('api-server.mjs', [database.url], {}, profile);
    const pages = {};
    const memory = [];
    try {
      // The 100-ticket page a second time, for memory only: RSS after it is what the working heap settled at, and
      // flat means it ends where the first run of the same load did.
      for (const [index, first] of [100, 10, 100].entries()) {
        checkPage((await graphql(server.url, TICKET_PAGE, { first }, tokens.admin)).data, first);
        progress(
          `load: Tierdesk ticket page (${first} tickets) as admin@tierdesk.example, ${concurrency} concurrent, ${durationMs / 1000} s (+${warmupMs / 1000} s warm-up)`,
        );
        const rssBefore = rssOf(server.pid);
        const cpuBefore = cpuMillisOf(server.pid);
        const result = await runLoad({
          ...load,
          url: server.url,
          body: { query: TICKET_PAGE, variables: { first } },
          headers: { authorization: `Bearer ${tokens.admin}` },
        });
        const responses = result.requests + result.errors + result.warmup.requests + result.warmup.errors;
        if (index < 2) pages[first] = { ...result, serverCpuMs: (cpuMillisOf(server.pid) - cpuBefore) / Math.max(1, responses) };
        memory.push([
          `${first}-ticket page${index === 2 ? ', again' : ''}`,
          mebibytes(rssBefore),
          mebibytes(rssOf(server.pid)),
          String(responses),
        ]);
      }
    } finally {
      await server.stop();
    }
    const pageResult = pages[100];

    const loadRow = (name, result) => [
      name,
      perSecond(result.rps),
      ms(result.p50),
      ms(result.p90),
      ms(result.p99),
      String(result.requests),
      String(result.errors),
      ms(result.serverCpuMs),
      bytes(result.responseBytes),
    ];
    return {
      sections: [
        {
          heading: `HTTP load: ${concurrency} concurrent clients, ${durationMs / 1000} s measured after ${warmupMs / 1000} s warm-up, same loop for both`,
          rows: [
            ['server', 'requests/s', 'p50', 'p90', 'p99', 'requests', 'errors', 'server CPU/req', 'response'],
            loadRow('bare Apollo Server 5 `{ hello }`', helloResult),
            loadRow('Tierdesk ticket page, 100 tickets (staff)', pageResult),
            loadRow('Tierdesk ticket page, 10 tickets (staff)', pages[10]),
          ],
          notes: [
            `Ticket page throughput is ${((pageResult.rps / helloResult.rps) * 100).toFixed(1)}% of the bare hello (${(helloResult.rps / pageResult.rps).toFixed(1)}× fewer requests/s); ` +
              `p50 ${(pageResult.p50 / helloResult.p50).toFixed(1)}× the hello's. ` +
              `10 tickets serve ${(pages[10].rps / pageResult.rps).toFixed(1)}× the requests/s of 100 with the same statements: the rest is work per row (fetch, hydrate, resolve, serialize).`,
            'Each page: 100 tickets × { organization { name tier { name } } requester { name } assignee { name } comments(first: 5) { nodes { body authorName } } }.',
          ],
        },
        {
          heading: 'API process memory under the page loads (VmRSS from /proc/<pid>/status)',
          rows: [['load', 'RSS before', 'RSS after', 'responses'], ...memory],
          notes: [
            'Flat means no growth per request: the second 100-ticket load ends near where the first did (the first grows the heap to its working size).',
          ],
        },
        {
          heading: `SQL statements per request (API in-process; counted by request id, the same in each of ${STATEMENT_SAMPLES} requests)`,
          rows: [
            ['signed in as', 'first: 10', 'first: 100', 'same?'],
            ...statements.map(({ who, small, large }) => [
              who,
              fmtCount(small),
              fmtCount(large),
              small === large ? 'yes' : 'NO: grows with page size',
            ]),
          ],
          notes: ['Includes the session lookup that authenticates the request; a count that grew with the page size would be an N+1.'],
        },
      ],
    };
  } finally {
    if (orm) await orm.close(true).catch(() => undefined);
    await database.drop();
  }
}

const mebibytes = (value) => `${(value / 1024 / 1024).toFixed(1)} MiB`;
const fmtCount = (value) => (Number.isInteger(value) ? String(value) : value.toFixed(2));
