import type { JobDefinition } from '../shared/module.js';
import type { Runtime } from './runtime.js';
import { JOBS } from './modules.js';

/**
 * The one job runner: each module's jobs (app/modules.ts), each in a loop of its own at its cadence, so a slow pass
 * of one job (a routing pass over every waiting ticket) never holds up another (the SLA timers). A loop starts its
 * passes at a fixed rate (every `everyMs` from the start of the last one, not from its end), runs again at once after
 * a pass that acted on something (a backlog drains at full speed, batch after batch), and wakes early at the
 * instant a job's `nextRunAt` names. Every pass runs with a system context of its own. Jobs are written to be safe in
 * several processes at once (`FOR UPDATE SKIP LOCKED`, unique keys, advisory locks), so run as many runners as you like.
 */
export class Scheduler {
  private readonly intervals: ReadonlyMap<string, number>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly passes = new Set<Promise<unknown>>();
  /** Set by `stop()`: a pass under way finishes, and no loop starts another. */
  private halting = true;

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

  /** Starts every job with a cadence, each at once. */
  start(): void {
    if (!this.halting) return;
    this.halting = false;
    for (const job of this.jobs) {
      const every = this.intervals.get(job.name) ?? 0;
      if (every > 0) void this.loop(job, every);
    }
  }

  async stop(): Promise<void> {
    this.halting = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.passes]);
  }

  /** One pass of one job, now; returns how many things it acted on. */
  async run(name: string): Promise<number> {
    const job = this.jobs.find((candidate) => candidate.name === name);
    if (!job) throw new Error(`No job "${name}"; jobs: ${this.jobs.map((candidate) => candidate.name).join(', ')}`);
    return job.run(this.runtime.system(job.name));
  }

  private async loop(job: JobDefinition, every: number): Promise<void> {
    if (this.halting) return;
    const started = this.now();
    const pass = this.pass(job);
    this.passes.add(pass);
    const sooner = await pass.finally(() => this.passes.delete(pass));
    if (this.halting) return;
    const cadence = Math.max(0, started + every - this.now());
    this.timers.set(
      job.name,
      setTimeout(() => void this.loop(job, every), Math.min(cadence, sooner ?? cadence)),
    );
  }

  /** Runs the job; returns how soon to run it again when sooner than its cadence (null: at its cadence). */
  private async pass(job: JobDefinition): Promise<number | null> {
    try {
      if ((await this.run(job.name)) > 0) return 0;
      if (!job.nextRunAt || this.halting) return null;
      const next = await job.nextRunAt(this.runtime.system(job.name));
      return next ? Math.max(0, next.getTime() - this.now()) : null;
    } catch (error: unknown) {
      this.runtime.log.error({ err: error, job: job.name }, 'job failed');
      return null;
    }
  }

  private now(): number {
    return this.runtime.clock.now().getTime();
  }
}
