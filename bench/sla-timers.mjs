// Breach-to-escalation latency: 10,000 tickets whose first-response deadlines fall within the same minute, among a
// backlog of 100,000 more open tickets due next month,
// fired by the real job runner (the Scheduler `tierdesk worker` runs, with the timer jobs), measured from each deadline to the
// moment its breach was acted on (sla_alert.latency_millis, written in the transaction that escalates).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import pg from 'pg';
import { Scheduler } from '@tierdesk/api/app/scheduler';
import { openTicket } from '@tierdesk/api/workflows';
import { benchDatabase } from './lib/database.mjs';
import { benchRuntime } from './lib/runtime.mjs';
import { median, ms, quantile, seconds, since } from './lib/stats.mjs';
import { REPO_ROOT, sleep } from './lib/system.mjs';

const MINUTE = 60_000;

/**
 * `open` more open tickets whose clocks fall due a month from now, the backlog a large deployment carries: copies of
 * one ticket opened through the service layer (its clock rows copied with it), written by SQL because opening 100,000
 * tickets through the API would take hours. The timer worker has to find the few due clocks among them.
 */
async function addOpenBacklog(runtime, em, open, organizationId, userId) {
  if (open <= 0) return 0;
  const principal = { kind: 'customer', userId, organizationId, role: 'ADMIN', sessionId: 'bench' };
  const template = await openTicket(runtime.context(principal), {
    subject: 'Backlog template',
    description: 'open, due next month',
    priority: 'LOW',
  });
  const connection = em.getConnection();
  const columnsOf = async (table, generated) =>
    (
      await connection.execute(
        'select column_name from information_schema.columns where table_schema = current_schema() and table_name = ?',
        [table],
      )
    )
      .map((row) => `"${row.column_name}"`)
      .filter((name) => !generated.includes(name));
  const started = process.hrtime.bigint();
  const ticketColumns = await columnsOf('ticket', ['"id"', '"number"', '"subject"']);
  await connection.execute(
    `insert into ticket (id, number, subject, ${ticketColumns.join(', ')})
     select gen_random_uuid(), 1000000 + g, 'Backlog ' || g, ${ticketColumns.map((name) => `t.${name}`).join(', ')}
     from ticket t, generate_series(1, ?) g where t.id = ?`,
    [open, template.id],
  );
  const moved = ['"due_at"', '"warning_at"', '"next_fire_at"'];
  const clockColumns = await columnsOf('ticket_clock', ['"id"', '"ticket_id"', ...moved]);
  await connection.execute(
    `insert into ticket_clock (id, ticket_id, ${moved.join(', ')}, ${clockColumns.join(', ')})
     select gen_random_uuid(), t.id, ${moved.map((name) => `c.${name} + interval '30 days'`).join(', ')}, ${clockColumns.map((name) => `c.${name}`).join(', ')}
     from ticket t join ticket_clock c on c.ticket_id = ?
     where t.subject like 'Backlog %' and t.number > 1000000`,
    [template.id],
  );
  await connection.execute('analyze ticket');
  await connection.execute('analyze ticket_clock');
  return since(started);
}

export async function slaTimers({
  tickets = Number(process.env.BENCH_SLA_TICKETS ?? 10_000),
  open = Number(process.env.BENCH_SLA_OPEN ?? 100_000),
  concurrency = 16,
} = {}) {
  const database = await benchDatabase();
  let orm;
  try {
    execFileSync(process.execPath, [resolve(REPO_ROOT, 'api/dist/cli.js'), 'seed'], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const runtime = await benchRuntime(database.url, { env: { TIMER_BATCH_SIZE: '200' } });
    orm = runtime.orm;
    const em = runtime.system('bench').em;
    const [{ id: organizationId }] = await em.getConnection().execute(`select id from organization where slug = 'northwind'`);
    const [{ id: userId }] = await em.getConnection().execute(`select id from app_user where email = 'nancy@northwind.example'`);
    const backlogMs = await addOpenBacklog(runtime, em, open, organizationId, userId);

    // Enterprise URGENT: 15 minutes of first response, 24×7. Open every ticket 15 minutes before a deadline spread
    // over one minute that starts once they are all in (estimated from a first timed batch).
    const principal = { kind: 'customer', userId, organizationId, role: 'ADMIN', sessionId: 'bench' };
    const probeStarted = process.hrtime.bigint();
    const create = async (index, deadline) => {
      const ctx = runtime.context(principal).at(new Date(deadline + (index % 600) * 100 - 15 * MINUTE));
      await openTicket(ctx, { subject: `Bench ${index}`, description: 'due in the same minute', priority: 'URGENT' });
    };
    const probe = 200;
    const provisional = Date.now() + 10 * 60 * MINUTE;
    await runPool(probe, concurrency, (index) => create(index, provisional));
    const perTicketMs = since(probeStarted) / probe;
    // Warnings fall due 3 minutes before each deadline: keep them after the last ticket is in, so the worker meets
    // a steady stream (as in production) rather than a backlog that only a benchmark would create.
    const deadline = Date.now() + Math.ceil((tickets * perTicketMs * 1.3) / 1000) * 1000 + 4 * MINUTE;
    const createStarted = process.hrtime.bigint();
    await em.getConnection().execute(`delete from ticket where subject like 'Bench %'`);
    await runPool(tickets, concurrency, (index) => create(index, deadline));
    const createMs = since(createStarted);

    // The job runner `tierdesk worker` runs, with only the timer jobs (routing and billing passes would add noise).
    const worker = new Scheduler(runtime, {
      'sla.timers': 250,
      'escalations.advance': 250,
      'routing.assign-waiting': 0,
      'billing.upgrade-check': 0,
      'billing.grace-expiry': 0,
    });
    worker.start();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    let fired = 0;
    const limit = deadline + 3 * MINUTE;
    while (fired < tickets && Date.now() < limit) {
      await sleep(1000);
      fired = Number(
        (await client.query(`select count(*) from sla_alert where threshold = 'BREACH' and kind = 'FIRST_RESPONSE'`)).rows[0].count,
      );
    }
    await worker.stop();
    const latencies = (
      await client.query(
        `select latency_millis from sla_alert where threshold = 'BREACH' and kind = 'FIRST_RESPONSE' order by latency_millis`,
      )
    ).rows.map((row) => row.latency_millis);
    const escalations = Number((await client.query(`select count(*) from escalation`)).rows[0].count);
    await client.end();
    return {
      sections: [
        {
          heading: `Breach to escalation, ${tickets.toLocaleString('en-US')} tickets due within one minute among ${(open + tickets).toLocaleString('en-US')} open (${database.description})`,
          rows: [
            ['figure', 'value'],
            ['open backlog due next month (copied by SQL, clocks included)', `${open} in ${seconds(backlogMs)}`],
            [
              'tickets opened (service layer, clocks included)',
              `${tickets} in ${seconds(createMs)} (${(tickets / (createMs / 1000)).toFixed(0)}/s)`,
            ],
            ['breaches acted on', `${latencies.length} of ${tickets}`],
            ['escalations started', String(escalations)],
            ['latency median', ms(median(latencies))],
            ['latency p99', ms(quantile(latencies, 0.99))],
            ['latency max', ms(latencies[latencies.length - 1])],
          ],
          notes: [
            'Latency is from each deadline to the commit of the transaction that recorded the breach and paged level 1 (worker polling every 250 ms, batches of 200).',
          ],
        },
      ],
    };
  } finally {
    await orm?.close(true);
    await database.drop();
  }
}

async function runPool(count, concurrency, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
