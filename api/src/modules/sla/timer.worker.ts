import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TENANT_FILTER } from '../../db/tenant-filter.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { Escalation, type EscalationPolicy } from '../escalations/escalation.entity.js';
import { advanceEscalation, emitEvent, startEscalation } from '../escalations/escalation.service.js';
import { Organization } from '../organizations/organization.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import type { ClockState } from './clocks.js';
import { SlaAlert, SlaPolicy, type SlaThreshold } from './sla.entity.js';
import { refreshTicketClocks } from './sla.service.js';

/** The escalation policy of the SLA policy of the ticket's organization's tier, if any. */
export async function escalationPolicyFor(em: EntityManager, ticket: Ticket): Promise<EscalationPolicy | null> {
  const organization = await em.findOneOrFail(Organization, { id: ticket.organization.id });
  const policy = await em.findOne(SlaPolicy, { tier: organization.tier.id }, { populate: ['escalationPolicy'] });
  return policy?.escalationPolicy ?? null;
}

export interface TimerWorkerOptions {
  /** How often to look for due timers. Sets the worst-case lateness of a warning or breach. */
  intervalMs: number;
  batchSize: number;
}

/**
 * Fires SLA warnings and breaches, and advances unacknowledged escalations, from state in PostgreSQL.
 *
 * Each pass runs in one transaction: it locks due tickets (and escalations) with FOR UPDATE SKIP LOCKED, replays
 * their clocks, records each crossed threshold in `sla_alert` (unique per ticket, clock, cycle and threshold),
 * acts on it, and reschedules. A crash rolls the whole pass back and releases the locks, so a restarted worker
 * redoes it; two workers never take the same ticket; the unique key makes a repeated act impossible.
 * Everything missed while no worker ran is simply due now, so a restart catches up.
 */
export class TimerWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: TimerWorkerOptions = { intervalMs: 250, batchSize: 50 },
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.runOnce().catch((error: unknown) => this.log.error({ err: error }, 'timer pass failed'));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over everything due now; returns how many alerts and escalation steps it acted on. */
  async runOnce(): Promise<number> {
    return (await this.fireClocks()) + (await this.advanceEscalations());
  }

  private fork(): EntityManager {
    const em = this.orm.em.fork();
    em.setFilterParams(TENANT_FILTER, { allTenants: true });
    return em;
  }

  private async fireClocks(): Promise<number> {
    return this.fork().transactional(async (em) => {
      const now = this.clock.now();
      const due = await em.getConnection().execute<{ id: string }[]>(
        `select t.id from ticket t
          where t.id in (select c.ticket_id from ticket_clock c where c.next_fire_at <= ?)
          order by t.id
          limit ?
          for update of t skip locked`,
        [now, this.options.batchSize],
        'all',
        em.getTransactionContext(),
      );
      if (!due.length) return 0;
      const ids = due.map((row) => row.id);
      const states = await refreshTicketClocks(em, ids, this.clock);
      let acted = 0;
      for (const ticket of await em.find(Ticket, { id: { $in: ids } })) {
        for (const state of states.get(ticket.id) ?? []) {
          const threshold = crossed(state);
          if (threshold && (await this.alertOnce(em, ticket, state, threshold.kind, threshold.at, now))) acted += 1;
        }
      }
      if (acted) await refreshTicketClocks(em, ids, this.clock);
      return acted;
    });
  }

  /** Records the crossing; only the pass that inserts the row acts on it. */
  private async alertOnce(em: EntityManager, ticket: Ticket, state: ClockState, threshold: SlaThreshold, crossedAt: Date, now: Date): Promise<boolean> {
    const inserted = await em.getConnection().execute<{ id: string }[]>(
      `insert into sla_alert (id, created_at, updated_at, organization_id, ticket_id, kind, cycle, threshold, crossed_at, latency_millis)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (ticket_id, kind, cycle, threshold) do nothing
       returning id`,
      [new SlaAlert().id, now, now, ticket.organization.id, ticket.id, state.kind, state.cycle, threshold, crossedAt, Math.max(0, now.getTime() - crossedAt.getTime())],
      'all',
      em.getTransactionContext(),
    );
    if (!inserted.length) return false;
    const label = state.kind.toLowerCase().replace('_', ' ');
    emitEvent(em, ticket.organization.id, threshold === 'BREACH' ? 'sla.breached' : 'sla.warning', {
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      clock: state.kind,
      cycle: state.cycle,
      dueAt: (state.breachedAt ?? state.dueAt)?.toISOString() ?? null,
      crossedAt: crossedAt.toISOString(),
    }, now);
    await startEscalation(em, {
      ticket,
      trigger: threshold === 'BREACH' ? 'SLA_BREACH' : 'SLA_WARNING',
      reason: threshold === 'BREACH' ? `The ${label} target of ${state.targetMinutes} min was missed` : `The ${label} target of ${state.targetMinutes} min is about to be missed`,
      policy: await escalationPolicyFor(em, ticket),
      at: now,
    });
    this.log.info({ ticketId: ticket.id, clock: state.kind, threshold, latencyMs: now.getTime() - crossedAt.getTime() }, 'SLA threshold crossed');
    return true;
  }

  private async advanceEscalations(): Promise<number> {
    return this.fork().transactional(async (em) => {
      const now = this.clock.now();
      const due = await em.getConnection().execute<{ id: string }[]>(
        `select id from escalation where next_step_at <= ? and status = 'TRIGGERED' order by next_step_at limit ? for update skip locked`,
        [now, this.options.batchSize],
        'all',
        em.getTransactionContext(),
      );
      if (!due.length) return 0;
      const escalations = await em.find(Escalation, { id: { $in: due.map((row) => row.id) } }, { populate: ['policy'] });
      for (const escalation of escalations) await advanceEscalation(em, escalation, now);
      return escalations.length;
    });
  }
}

/** The threshold a clock has crossed and not yet had acted on is decided by `sla_alert`; this says which one applies. */
function crossed(state: ClockState): { kind: SlaThreshold; at: Date } | null {
  if (state.breachedAt) return { kind: 'BREACH', at: state.breachedAt };
  if (state.warnedAt && state.status !== 'MET') return { kind: 'WARNING', at: state.warnedAt };
  return null;
}
