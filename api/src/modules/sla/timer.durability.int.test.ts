import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { Escalation } from '../escalations/index.js';
import { User } from '../identity/index.js';
import { Organization } from '../organizations/index.js';
import { TicketPriority } from '../vocabulary/index.js';
import { openTicket } from '../../workflows/index.js';
import { SlaAlert } from './sla.entity.js';
import { createTestDatabase, testRuntime, type TestDatabase } from '../../../../test/support/db.js';

const CLI = resolve(import.meta.dirname, '../../../dist/cli.js');
const MINUTE = 60_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

function systemEm() {
  return testRuntime(db).system('test').em;
}

/** Opens `count` urgent Northwind tickets at `at`, through the same service as the API. */
async function openTickets(count: number, at: Date, subject: string): Promise<string[]> {
  const em = systemEm();
  const northwind = await em.findOneOrFail(Organization, { slug: 'northwind' });
  const nancy = await em.findOneOrFail(User, { email: 'nancy@northwind.example' });
  const ctx = testRuntime(db, { clock: new FixedClock(at) }).context({
    kind: 'customer',
    userId: nancy.id,
    organizationId: northwind.id,
    role: 'ADMIN',
    sessionId: 'test',
  });
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    ids.push((await openTicket(ctx, { subject: `${subject} ${index}`, description: 'd', priority: TicketPriority.URGENT })).id);
  }
  return ids;
}

/** `node api/dist/cli.js worker` against the test database: the real worker process. */
function startWorker(): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [CLI, 'worker'], {
    env: { ...process.env, DATABASE_URL: db.url, TIMER_INTERVAL_MS: '50', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done())));

describe('durable timers', () => {
  it('fires every breach exactly once when the worker is killed mid-run and restarted', async () => {
    const ids = await openTickets(120, new Date(Date.now() - 3 * 60 * MINUTE), 'Durability');
    const alertsOf = () => systemEm().count(SlaAlert, { ticket: { $in: ids } });

    const first = startWorker();
    // Kill -9 as soon as the first batch has committed: the next batch dies inside its transaction.
    await until(async () => (await alertsOf()) > 0, 30_000, 'the first alerts');
    first.child.kill('SIGKILL');
    await stopped(first.child);
    const afterCrash = await alertsOf();
    expect(afterCrash).toBeLessThan(240);

    const second = startWorker();
    try {
      await until(async () => (await alertsOf()) === 240, 60_000, 'all 240 breaches');
      await new Promise((done) => setTimeout(done, 300));
    } finally {
      second.child.kill('SIGTERM');
      await stopped(second.child);
    }
    const em = systemEm();
    const alerts = await em.find(SlaAlert, { ticket: { $in: ids } });
    expect(alerts).toHaveLength(240);
    expect(new Set(alerts.map((alert) => `${alert.ticket.id}:${alert.kind}:${alert.cycle}:${alert.threshold}`)).size).toBe(240);
    expect(await em.count(Escalation, { ticket: { $in: ids } })).toBe(120);
  });

  it('acts within 2 seconds of the due time while running', async () => {
    // Opened so that the 15-minute first response falls due 3 s from now: the worker is running by then even on a
    // loaded two-core machine, so the figure is the lateness of a running worker, not its start-up.
    const [id] = await openTickets(1, new Date(Date.now() - 15 * MINUTE + 3000), 'Latency');
    const worker = startWorker();
    try {
      await until(async () => (await systemEm().count(SlaAlert, { ticket: id!, threshold: 'BREACH' })) === 1, 10_000, 'the breach');
    } finally {
      worker.child.kill('SIGTERM');
      await stopped(worker.child);
    }
    const alert = await systemEm().findOneOrFail(SlaAlert, { ticket: id!, threshold: 'BREACH' });
    expect(alert.latencyMillis).toBeLessThan(2000);
  });
});
