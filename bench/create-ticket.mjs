import pg from 'pg';
import { loadConfig } from '@tierdesk/api/config';
import { queryCounter } from '@tierdesk/api/db/query-counter';
import { boot } from '@tierdesk/api/main';
import { createOrganization } from '@tierdesk/api/modules/organizations';
import { demoRuntime } from './lib/seeding.mjs';
import { benchDatabase } from './lib/database.mjs';
import { runLoad } from './lib/load.mjs';
import { bytes, ms, perSecond, since } from './lib/stats.mjs';
import { graphql, signIn } from './lib/graphql.mjs';
import { cpuMillisOf, rssOf, startServerProcess } from './lib/system.mjs';

/**
 * The mutation of the ticket-creation issue, as a partner's integration sends it: the whole intake path (tier checks,
 * the allowance lock, triage, routing, assignment, SLA clocks) in one request. The same body every time.
 */
export const CREATE_TICKET = `mutation CreateTicket($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id number } userErrors { field message code } }
}`;
export const INPUT = {
  subject: 'Checkout fails with a 502 on card payments',
  description: 'Since this morning the checkout returns 502 for card payments; PayPal still works.',
  priority: 'HIGH',
};
const HELLO = '{ hello }';
/** Organizations the "across organizations" row spreads its clients over, round-robin (one key each). */
const SPREAD = 5;
/** Scopes of the partner keys: write to create, read to get the ticket back in the payload. */
const SCOPES = ['tickets:read', 'tickets:write'];
/** Clock kinds every new ticket must have, each with a due time (enterprise targets both). */
const REQUIRED_CLOCKS = ['FIRST_RESPONSE', 'RESOLUTION'];
/** The goals of the issue, at 10 concurrent clients. */
const GOAL = { oneOrganization: 200, acrossOrganizations: 500, p99: 100 };

const mebibytes = (value) => `${(value / 1024 / 1024).toFixed(1)} MiB`;
const progress = (message) => process.stderr.write(`  [create-ticket] ${message}\n`);

/**
 * Enterprise organizations (unlimited monthly allowance) besides Northwind, created through the service layer as
 * the admin mutation `createOrganization` does: `bench-spread-1…SPREAD` for the across-organizations row and
 * `bench-solo` for the one-client row, so that no row spends another row's API budget.
 */
export async function addOrganizations(runtime) {
  const system = runtime.system('bench');
  const slugs = [...Array.from({ length: SPREAD }, (_, i) => `bench-spread-${i + 1}`), 'bench-solo'];
  for (const slug of slugs) {
    await createOrganization(system, {
      slug,
      name: `Benchmark ${slug.slice('bench-'.length)}`,
      region: 'us-east',
      timeZone: 'America/New_York',
      tierKey: 'enterprise',
      contractValue: 400_000,
      monthlyUsage: 25_000,
      businessCritical: true,
      strategic: false,
    });
  }
  return slugs;
}

/** An organization API key, issued by a staff admin as test/support/graphql.ts `createOrgApiKey` does. */
export async function organizationKey(url, adminToken, slug) {
  const { data: found } = await graphql(url, 'query($slug: String) { organization(slug: $slug) { id } }', { slug }, adminToken);
  if (!found.organization) throw new Error(`no organization ${slug}`);
  const { data } = await graphql(
    url,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret userErrors { code message } } }',
    { input: { name: `bench key ${slug}`, organizationId: found.organization.id, scopes: SCOPES } },
    adminToken,
  );
  if (!data.createApiKey.secret) throw new Error(`createApiKey for ${slug} failed: ${JSON.stringify(data.createApiKey.userErrors)}`);
  return data.createApiKey.secret;
}

/**
 * One createTicket that must succeed: a 200 with a ticket and `userErrors: []`. runLoad counts only status codes,
 * and a refusal (allowance, entitlement) comes back as a 200 too, so this check is what makes the 2xx count mean
 * "tickets created"; the verification afterwards counts the rows to be sure.
 */
export async function createOne(url, key) {
  const { data, requestId } = await graphql(url, CREATE_TICKET, { input: INPUT }, key);
  const payload = data.createTicket;
  if (!payload.ticket || payload.userErrors.length !== 0) {
    throw new Error(`createTicket did not create a ticket: ${JSON.stringify(payload)}`);
  }
  return requestId;
}

/** A load row with the server's CPU over the whole row (warm-up included) per response it sent. */
async function measured(pid, load) {
  const before = cpuMillisOf(pid);
  const result = await runLoad(load);
  const cpuMs = cpuMillisOf(pid) - before;
  const responses = result.requests + result.errors + result.warmup.requests + result.warmup.errors;
  return { ...result, serverCpuMsPerRequest: cpuMs / Math.max(1, responses) };
}

/**
 * The rows every load left behind, straight from the scratch database: per organization, the ticket numbers must
 * be exactly 1…N (no gap, no duplicate) and every ticket the benchmark created (numbered after the seed's) must
 * have its first-response and resolution clocks with a due time. (The seed's tickets were replied to or solved:
 * a stopped clock may have no due time.)
 */
export async function verify(url, slugs, seeded) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = [];
    for (const slug of slugs) {
      const numbers = (
        await client.query(
          'select t.number from ticket t join organization o on o.id = t.organization_id where o.slug = $1 order by t.number',
          [slug],
        )
      ).rows.map((row) => Number(row.number));
      const {
        rows: [clocks],
      } = await client.query(
        `select count(*)::int as without_clocks from ticket t join organization o on o.id = t.organization_id
          where o.slug = $1 and t.number > $4 and (select count(distinct c.kind) from ticket_clock c
                                  where c.ticket_id = t.id and c.kind = any($2) and c.due_at is not null) < $3`,
        [slug, REQUIRED_CLOCKS, REQUIRED_CLOCKS.length, seeded.get(slug) ?? 0],
      );
      const duplicates = numbers.length - new Set(numbers).size;
      const exact = numbers.every((number, index) => number === index + 1);
      const withoutClocks = clocks.without_clocks;
      rows.push({
        slug,
        tickets: numbers.length,
        range: numbers.length ? `${numbers[0]}…${numbers.at(-1)}` : '–',
        duplicates,
        exact,
        withoutClocks,
        ok: exact && duplicates === 0 && withoutClocks === 0,
      });
    }
    return rows;
  } finally {
    await client.end();
  }
}

async function ticketCounts(url, slugs) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select o.slug, count(t.id)::int as tickets from organization o left join ticket t on t.organization_id = o.id where o.slug = any($1) group by o.slug',
      [slugs],
    );
    return new Map(rows.map((row) => [row.slug, row.tickets]));
  } finally {
    await client.end();
  }
}

/** The table of `verify`'s findings, one row per organization. */
export function numberingRows(perOrganization) {
  return [
    ['organization', 'tickets', 'numbers', 'duplicates', 'exactly 1…N', 'created without clocks', 'ok?'],
    ...perOrganization.map((row) => [
      row.slug,
      String(row.tickets),
      row.range,
      String(row.duplicates),
      row.exact ? 'yes' : 'NO',
      String(row.withoutClocks),
      row.ok ? 'yes' : 'NO',
    ]),
  ];
}

export async function createTicket({ durationMs = 10_000, warmupMs = 2_000, concurrency = 10 } = {}) {
  const started = process.hrtime.bigint();
  const database = await benchDatabase();
  progress(`database: ${database.description} (${ms(since(started))})`);
  let orm;
  try {
    const runtime = await demoRuntime(database.url);
    orm = runtime.orm;
    const extra = await addOrganizations(runtime);
    const slugs = ['northwind', ...extra];
    const seeded = await ticketCounts(database.url, slugs);
    /** Per organization: tickets the seed made, and every creation answered with a ticket since. */
    const expected = new Map(slugs.map((slug) => [slug, { seeded: seeded.get(slug) ?? 0, succeeded: 0 }]));
    progress(`seeded demo data + ${extra.length} enterprise organizations (${ms(since(started))})`);

    // 1. Keys, a checked sample, and the statements of one createTicket, with the API in this process.
    const stopRecording = queryCounter.recordStatements();
    const api = await boot({
      config: loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }),
      database: { orm, url: database.url, embeddedDataDir: null, close: async () => undefined },
      port: 0,
    });
    const keys = new Map();
    let statements;
    try {
      const admin = await signIn(api.server.url, 'admin@tierdesk.example');
      for (const slug of slugs) keys.set(slug, await organizationKey(api.server.url, admin, slug));
      await createOne(api.server.url, keys.get('northwind')); // warms the path
      const requestId = await createOne(api.server.url, keys.get('northwind'));
      expected.get('northwind').succeeded += 2;
      statements = queryCounter.statementsOf(requestId);
    } finally {
      stopRecording();
      await api.stop();
    }
    await orm.close(true);
    orm = undefined;
    progress(`issued ${keys.size} organization keys; one createTicket sent ${statements.length} statements`);

    // 2. Throughput and latency over HTTP: each server in its own process, the same load loop for both.
    const load = { concurrency, durationMs, warmupMs };
    const hello = await startServerProcess('hello-server.mjs');
    let helloResult;
    try {
      progress(`load: bare Apollo hello, ${concurrency} concurrent, ${durationMs / 1000} s (+${warmupMs / 1000} s warm-up)`);
      helloResult = await measured(hello.pid, { ...load, url: hello.url, body: { query: HELLO } });
    } finally {
      await hello.stop();
    }

    // BENCH_CPU_PROF=<dir>: the API process writes a V8 CPU profile there (open it in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const server = await startServerProcess('api-server.mjs', [database.url], {}, profile);
    const body = { query: CREATE_TICKET, variables: { input: INPUT } };
    const bearer = (slug) => ({ authorization: `Bearer ${keys.get(slug)}` });
    const spread = extra.filter((slug) => slug.startsWith('bench-spread-'));
    const rows = [
      { name: `createTicket, one organization key (northwind), ${concurrency} concurrent`, slugs: ['northwind'], concurrency },
      {
        name: `createTicket, ${spread.length} organizations (one key each, round-robin), ${concurrency} concurrent`,
        slugs: spread,
        concurrency,
      },
      { name: 'createTicket, one client (bench-solo)', slugs: ['bench-solo'], concurrency: 1 },
    ];
    const results = [];
    let rss;
    try {
      // The server process must answer the same way before it is loaded: one checked creation per key.
      for (const slug of slugs) {
        await createOne(server.url, keys.get(slug));
        expected.get(slug).succeeded += 1;
      }
      rss = { before: rssOf(server.pid) };
      for (const row of rows) {
        progress(`load: ${row.name}, ${durationMs / 1000} s (+${warmupMs / 1000} s warm-up)`);
        const result = await measured(server.pid, {
          ...load,
          concurrency: row.concurrency,
          url: server.url,
          body,
          headers: row.slugs.map(bearer),
        });
        // Worker i sends as row.slugs[i % length]: the round-robin spread of the clients over the organizations.
        results.push({ ...row, result });
      }
      rss.after = rssOf(server.pid);
    } finally {
      await server.stop();
    }

    // 3. Verification: every 2xx of every row (warm-up included) must be one ticket, numbered and timed.
    const perOrganization = await verify(database.url, slugs, seeded);
    const ticketsOf = new Map(perOrganization.map((row) => [row.slug, row.tickets]));
    const rowChecks = results.map(({ name, slugs: rowSlugs, result }) => {
      const responses = result.requests + result.warmup.requests;
      // Before the load: the seed's tickets and the checked creations; the rest is this row's.
      const before = rowSlugs.reduce((sum, slug) => sum + expected.get(slug).seeded + expected.get(slug).succeeded, 0);
      const tickets = rowSlugs.reduce((sum, slug) => sum + ticketsOf.get(slug), 0) - before;
      return { name, responses, tickets, ok: responses === tickets };
    });
    const allOk = perOrganization.every((row) => row.ok) && rowChecks.every((row) => row.ok);

    const loadRow = (name, result) => [
      name,
      perSecond(result.rps),
      ms(result.p50),
      ms(result.p90),
      ms(result.p99),
      String(result.requests),
      String(result.errors),
      `${result.serverCpuMsPerRequest.toFixed(2)} ms`,
      bytes(result.responseBytes),
    ];
    const [one, across, solo] = results.map((row) => row.result);
    const verdict = (value, goal, better) => (better(value, goal) ? 'met' : 'not met');
    return {
      sections: [
        {
          heading: `Throughput and latency over HTTP (${concurrency} concurrent clients unless stated, ${durationMs / 1000} s each after a ${warmupMs / 1000} s warm-up; each server in its own process)`,
          rows: [
            ['server', 'requests/s', 'p50', 'p90', 'p99', 'requests', 'errors', 'server CPU/req', 'response'],
            loadRow(`bare Apollo hello, ${concurrency} concurrent`, helloResult),
            ...results.map(({ name, result }) => loadRow(name, result)),
          ],
          notes: [
            `createTicket, one organization: ${(helloResult.rps / one.rps).toFixed(1)}× fewer requests/s than the hello; ` +
              `across ${spread.length} organizations: ${(helloResult.rps / across.rps).toFixed(1)}× fewer; ` +
              `one client: ${ms(solo.p50)} p50 per ticket.`,
            `Goal (ticket-creation issue, ${concurrency === 10 ? '' : 'stated for 10 clients, here '}${concurrency} concurrent): ` +
              `≥ ${GOAL.oneOrganization}/s for one organization (${perSecond(one.rps)}: ${verdict(one.rps, GOAL.oneOrganization, (a, b) => a >= b)}), ` +
              `≥ ${GOAL.acrossOrganizations}/s across organizations (${perSecond(across.rps)}: ${verdict(across.rps, GOAL.acrossOrganizations, (a, b) => a >= b)}), ` +
              `p99 ≤ ${GOAL.p99} ms (${ms(one.p99)} / ${ms(across.p99)}: ${verdict(Math.max(one.p99, across.p99), GOAL.p99, (a, b) => a <= b)}).`,
            'server CPU/req: utime + stime of the server process over the row (warm-up included) ÷ its responses, from /proc/<pid>/stat.',
            'errors: non-2xx responses; for a partner key a 429 means its API budget (enterprise: 6,000/min, burst of a minute) is spent.',
          ],
        },
        {
          heading: 'API process memory (VmRSS from /proc/<pid>/status)',
          rows: [
            ['moment', 'RSS'],
            ['before the createTicket loads (after one creation per key)', mebibytes(rss.before)],
            ['after the last load', mebibytes(rss.after)],
          ],
        },
        {
          heading: 'Correctness after the load (read from the scratch database)',
          rows: numberingRows(perOrganization),
          notes: [
            `created without clocks: tickets numbered after the seed's that lack a ${REQUIRED_CLOCKS.join(' or a ')} row in ticket_clock with due_at set.`,
          ],
        },
        {
          heading: 'Every 2xx is one ticket (each row against the tickets its organizations gained during it)',
          rows: [
            ['row', '2xx (warm-up included)', 'new tickets', 'equal?'],
            ...rowChecks.map((row) => [row.name, String(row.responses), String(row.tickets), row.ok ? 'yes' : 'NO']),
          ],
          notes: [
            'A refusal (allowance, entitlement) or a masked error would answer 200 without a ticket: the counts would differ.',
            allOk ? 'All checks hold.' : 'A CHECK FAILED: see the rows marked NO.',
          ],
        },
        {
          heading: 'SQL statements of one createTicket (API in-process, partner key, counted by request id after a warm-up request)',
          rows: [
            ['request', 'statements'],
            ['createTicket (northwind key)', String(statements.length)],
          ],
          notes: ['Includes the key lookup that authenticates the request, the transaction statements and the SLA clock writes.'],
        },
      ],
    };
  } finally {
    if (orm) await orm.close(true).catch(() => undefined);
    await database.drop();
  }
}
