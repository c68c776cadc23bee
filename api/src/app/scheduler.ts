import type { JobDefinition } from '../shared/module.js';
import type { Runtime } from './runtime.js';
import { JOBS } from './modules.js';

/**
 * The one job runner: each module's jobs (app/modules.ts), each at its cadence, one after another in a single loop
 * per process. Every pass runs with a system context of its own. Jobs are written to be safe in several processes
 * at once (`FOR UPDATE SKIP LOCKED`, unique keys, advisory locks), so run as many runners as you like.
 */
export class Scheduler {
  private readonly intervals: ReadonlyMap<string, number>;
  private readonly lastRun = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;
  /** Set by `stop()`: a pass under way finishes its current job and skips the rest. */
  private halting = false;

  constructor(
    private readonly runtime: Runtime,
    /** Cadences by job name, overriding each job's default (0: never). */
    intervals: Readonly<Record<string, number>> = {},
    private readonly jobs: readonly JobDefinition[] = JOBS,
  ) {
    const unknown = Object.keys(intervals).filter((name) => !jobs.some((job) => job.name === name));
    if (unknown.length) throw new Error(`No such jobs: ${unknown.join(', ')}`);
    this.intervals = new Map(jobs.map((job) => [job.name, intervals[job.name] ?? job.everyMs]));
  }

  /** The loop ticks at the shortest cadence and runs each job that is due. */
  private get tickMs(): number {
    return Math.min(...[...this.intervals.values()].filter((ms) => ms > 0));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halting = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.runDue();
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.tickMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Every job whose cadence has elapsed (all of them on the first call), in module order; failures are logged. */
  async runDue(): Promise<void> {
    for (const job of this.jobs) {
      if (this.halting) return;
      const every = this.intervals.get(job.name) ?? 0;
      if (every <= 0) continue;
      const last = this.lastRun.get(job.name);
      if (last !== undefined && this.runtime.clock.now().getTime() - last < every) continue;
      await this.run(job.name).catch((error: unknown) => this.runtime.log.error({ err: error, job: job.name }, 'job failed'));
    }
  }

  /** One pass of one job, now; returns how many things it acted on. */
  async run(name: string): Promise<number> {
    const job = this.jobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`No job "${name}"; jobs: ${this.jobs.map((candidate) => candidate.name).join(', ')}`);
    this.lastRun.set(job.name, this.runtime.clock.now().getTime());
    return job.run(this.runtime.system(job.name));
  }
}
