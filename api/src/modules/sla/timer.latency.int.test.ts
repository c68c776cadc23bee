import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { startWorker, stopped, until } from '../../../../test/support/processes.js';
import { openUrgentNorthwindTickets } from '../../../../test/support/tickets.js';

const MINUTE = 60_000;
/** README: 9 in 10 crossings within TIMER_INTERVAL_MS (default 250) of the due time, all within twice that. */
const TIMER_INTERVAL_MS = 250;

let db: TestDatabase;
let sql: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

/** One urgent Northwind ticket opened as if at `at`. */
const openUrgentTicket = async (at: Date, subject: string) => (await openUrgentNorthwindTickets(db, 1, at, subject))[0]!;

/**
 * The database's own clock at the commit of each alert's transaction: a deferred constraint trigger runs as the
 * transaction commits, so `clock_timestamp()` there is when the alert, its event and its escalation became real.
 */
async function recordCommitTimes(): Promise<void> {
  await sql.query(`
    create table test_alert_commit (alert_id uuid primary key, committed_at timestamptz not null);
    create function test_alert_committed() returns trigger language plpgsql as $$
      begin insert into test_alert_commit values (new.id, clock_timestamp()); return null; end $$;
    create constraint trigger test_alert_commit after insert on sla_alert
      deferrable initially deferred for each row execute function test_alert_committed();`);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

describe('timer latency', () => {
  it(`acts on 9 in 10 warnings and breaches within TIMER_INTERVAL_MS (${TIMER_INTERVAL_MS} ms) of the due time, and on all within twice that`, async () => {
    await recordCommitTimes();
    const worker = startWorker(db.url, { TIMER_INTERVAL_MS: String(TIMER_INTERVAL_MS) });
    try {
      // Steady state first: a ticket already past its warning, acted on once the runner is up; then a few passes.
      const warmUp = await openUrgentTicket(new Date(Date.now() - 13 * MINUTE), 'Warm-up');
      await until(
        async () => (await sql.query('select 1 from sla_alert where ticket_id = $1', [warmUp])).rowCount === 1,
        20_000,
        'the worker to start',
      );
      await new Promise((done) => setTimeout(done, 4 * TIMER_INTERVAL_MS));

      // 24 tickets, each falling due 2 s after it is opened plus an odd offset (so due times land anywhere in a
      // polling interval), at least 300 ms apart, then 8 due at one instant. The bound is the lateness of a runner
      // that keeps up: a burst faster than one runner's passes queues behind them (run more workers for that).
      // Warnings: URGENT first response 15 min, warned at 80 % = 12 min; breaches: opened 15 min before (the
      // overdue warning is caught up at once). Each ticket is opened at least 500 ms before it falls due, so it is
      // on record before the runner's next look, as any ticket with a target longer than a poll is.
      const start = Date.now();
      const due: { at: number; threshold: 'WARNING' | 'BREACH' }[] = [];
      const ids: string[] = [];
      let slowestOpen = 0;
      const open = async (at: number, threshold: 'WARNING' | 'BREACH') => {
        const opening = Date.now();
        due.push({ at, threshold });
        ids.push(await openUrgentTicket(new Date(at - (threshold === 'WARNING' ? 12 : 15) * MINUTE), `Latency ${ids.length}`));
        slowestOpen = Math.max(slowestOpen, Date.now() - opening);
        expect(Date.now(), 'the ticket is open before its due time').toBeLessThan(at - 500);
      };
      for (let index = 0; index < 24; index += 1) {
        await open(Date.now() + 2000 + ((index * 131) % 250), index % 2 ? 'WARNING' : 'BREACH');
        await new Promise((done) => setTimeout(done, 300));
      }
      // Far enough ahead for eight openings at the slowest pace seen, however loaded the machine is.
      const together = Date.now() + 1000 + 8 * 2 * slowestOpen;
      for (let index = 0; index < 8; index += 1) await open(together, index % 2 ? 'WARNING' : 'BREACH');
      const last = Math.max(...due.map((timer) => timer.at));
      await until(() => Date.now() > last + 3 * TIMER_INTERVAL_MS, 30_000, 'the last due time');

      const { rows } = await sql.query<{ threshold: string; lateness: number }>(
        `select a.threshold, extract(epoch from (c.committed_at - a.crossed_at)) * 1000 as lateness
           from sla_alert a join test_alert_commit c on c.alert_id = a.id
          where a.ticket_id = any($1) and a.crossed_at >= $2`,
        [ids, new Date(start)],
      );
      const lateness = rows.map((row) => Number(row.lateness)).sort((a, b) => a - b);
      console.log(
        `lateness ms over ${lateness.length}: p50 ${quantile(lateness, 0.5).toFixed(0)}, p99 ${quantile(lateness, 0.99).toFixed(0)}, max ${lateness.at(-1)?.toFixed(0)}; all ${lateness.map((value) => value.toFixed(0)).join(' ')}`,
      );
      expect(rows.map((row) => row.threshold).sort()).toEqual(due.map((timer) => timer.threshold).sort());
      // The runner wakes at the deadline; what remains is its pass (about 40 statements in one transaction), which on a
      // shared two-core machine now and then takes longer than a poll. Polling alone fails the first bound (p90 ≈ 300 ms).
      expect(quantile(lateness, 0.9), 'p90').toBeLessThanOrEqual(TIMER_INTERVAL_MS);
      expect(lateness.at(-1), 'max').toBeLessThanOrEqual(2 * TIMER_INTERVAL_MS);
      expect(worker.output(), 'no pass of any job failed').not.toContain('job failed');
    } finally {
      worker.child.kill('SIGTERM');
      await stopped(worker.child);
    }
  }, 90_000);
});
