import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Escalation } from '../escalations/index.js';
import { OutboundEvent } from '../outbox/index.js';
import { SlaAlert } from './sla.entity.js';
import { createTestDatabase, testRuntime, type TestDatabase } from '../../../../test/support/db.js';
import { startWorker, stopped, until } from '../../../../test/support/processes.js';
import { openUrgentNorthwindTickets } from '../../../../test/support/tickets.js';

const MINUTE = 60_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

function systemEm() {
  return testRuntime(db).system('test').em;
}

const openTickets = (count: number, at: Date, subject: string) => openUrgentNorthwindTickets(db, count, at, subject);

/** The real worker process, polling fast so the test does not wait on it. */
const startTimerWorker = (env: Record<string, string> = {}) => startWorker(db.url, { TIMER_INTERVAL_MS: '50', LOG_LEVEL: 'info', ...env });

describe('durable timers', () => {
  it('acts on every crossing exactly once when the worker is killed mid-run and restarted', async () => {
    const ids = await openTickets(60, new Date(Date.now() - 3 * 60 * MINUTE), 'Durability');
    const alertsOf = () => systemEm().count(SlaAlert, { ticket: { $in: ids } });

    const first = startTimerWorker();
    // Kill -9 as soon as the first batch has committed: the next batch dies inside its transaction.
    await until(async () => (await alertsOf()) > 0, 30_000, 'the first alerts');
    first.child.kill('SIGKILL');
    await stopped(first.child);
    const afterCrash = await alertsOf();
    expect(afterCrash).toBeLessThan(240);

    const second = startTimerWorker();
    try {
      await until(async () => (await alertsOf()) === 240, 60_000, 'all 240 crossings');
      await new Promise((done) => setTimeout(done, 300));
    } finally {
      second.child.kill('SIGTERM');
      await stopped(second.child);
    }
    const em = systemEm();
    const alerts = await em.find(SlaAlert, { ticket: { $in: ids } });
    expect(alerts).toHaveLength(240);
    expect(new Set(alerts.map((alert) => `${alert.ticket.id}:${alert.kind}:${alert.cycle}:${alert.threshold}`)).size).toBe(240);
    expect(await em.count(Escalation, { ticket: { $in: ids } })).toBe(60);
  }, 90_000);

  it('acts on every crossing exactly once with three worker processes, one of them killed mid-run', async () => {
    // 60 Enterprise urgent tickets opened 3 h ago: first response and resolution both warned and breached while no
    // runner ran, 240 crossings (the warnings recorded late, beside their breaches). Small batches (5 tickets a
    // pass) spread them over many passes in all three processes, so they contend for the same rows.
    const ids = await openTickets(60, new Date(Date.now() - 3 * 60 * MINUTE), 'Three workers');
    const alertsOf = () => systemEm().count(SlaAlert, { ticket: { $in: ids } });
    const workers = [0, 1, 2].map(() => startTimerWorker({ TIMER_BATCH_SIZE: '5' }));
    try {
      await until(async () => (await alertsOf()) >= 20, 30_000, 'the first alerts');
      workers[0]!.child.kill('SIGKILL');
      await stopped(workers[0]!.child);
      expect(await alertsOf(), 'the kill came mid-run').toBeLessThan(240);
      await until(async () => (await alertsOf()) === 240, 60_000, 'all 240 crossings');
      // Passes still under way after the last alert would show up as extra acts: give them time to commit.
      await new Promise((done) => setTimeout(done, 500));
    } finally {
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((worker) => stopped(worker.child)));
    }
    const em = systemEm();
    const alerts = await em.find(SlaAlert, { ticket: { $in: ids } });
    expect(alerts).toHaveLength(240);
    expect(new Set(alerts.map((alert) => `${alert.ticket.id}:${alert.kind}:${alert.threshold}`)).size).toBe(240);
    expect(alerts.filter((alert) => alert.threshold === 'BREACH')).toHaveLength(120);
    // One outbound event per crossing: a pass rolled back by the kill left none behind, and none was sent twice.
    const events = await em.find(OutboundEvent, { type: { $in: ['sla.warning', 'sla.breached'] } });
    const ours = events.filter((event) => ids.includes(event.payload.ticketId as string));
    expect(ours).toHaveLength(240);
    expect(ours.filter((event) => event.payload.late === true)).toHaveLength(120);
    expect(new Set(ours.map((event) => `${event.type}:${event.payload.ticketId as string}:${event.payload.clock as string}`)).size).toBe(
      240,
    );
    expect(await em.count(Escalation, { ticket: { $in: ids } })).toBe(60);
    // Each survivor exited cleanly on SIGTERM: neither died of a conflict the kill left behind.
    expect(workers.slice(1).map((worker) => worker.child.exitCode)).toEqual([0, 0]);
  }, 90_000);
});
