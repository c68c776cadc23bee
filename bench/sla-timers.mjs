// Breach-to-escalation latency: 10,000 open tickets whose first-response deadlines fall within the same minute,
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

export async function slaTimers({ tickets = Number(process.env.BENCH_SLA_TICKETS ?? 10_000), concurrency = 16 } = {}) {
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
          heading: `Breach to escalation, ${tickets.toLocaleString('en-US')} tickets due within one minute (${database.description})`,
          rows: [
            ['figure', 'value'],
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
