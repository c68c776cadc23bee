import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TENANT_FILTER } from '../../db/tenant-filter.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { expireGracePeriods } from '../billing/billing.service.js';
import { evaluateUpgradeEligibility } from '../billing/eligibility.service.js';
import { assignWaiting } from '../routing/routing.service.js';
import { Escalation, type EscalationPolicy } from '../escalations/escalation.entity.js';
import { advanceEscalation, emitEvent, Pager, startEscalation } from '../escalations/escalation.service.js';
import { Organization } from '../organizations/organization.entity.js';
import { Ticket } from '../tickets/ticket.entity.js';
import type { ClockState } from './clocks.js';
import { SlaAlert, SlaPolicy, type SlaThreshold } from './sla.entity.js';
import { crossedThreshold as crossed, refreshTicketClocks } from './sla.service.js';

/** For each ticket, the escalation policy of the SLA policy of its organization's tier (null when none). */
export async function escalationPoliciesFor(em: EntityManager, tickets: readonly Ticket[]): Promise<Map<string, EscalationPolicy | null>> {
  const organizations = await em.find(Organization, { id: { $in: [...new Set(tickets.map((ticket) => ticket.organization.id))] } });
  const policies = await em.find(
    SlaPolicy,
    { tier: { $in: [...new Set(organizations.map((organization) => organization.tier.id))] } },
    { populate: ['escalationPolicy'] },
  );
  return new Map(
    tickets.map((ticket) => {
      const tier = organizations.find((organization) => organization.id === ticket.organization.id)?.tier.id;
      return [ticket.id, policies.find((policy) => policy.tier.id === tier)?.escalationPolicy ?? null];
    }),
  );
}

export async function escalationPolicyFor(em: EntityManager, ticket: Ticket): Promise<EscalationPolicy | null> {
  return (await escalationPoliciesFor(em, [ticket])).get(ticket.id) ?? null;
}

interface Crossing {
  ticket: Ticket;
  state: ClockState;
  threshold: SlaThreshold;
  crossedAt: Date;
}

export interface TimerWorkerOptions {
  /** How often to look for due timers. Sets the worst-case lateness of a warning or breach. */
  intervalMs: number;
  batchSize: number;
  /**
   * How often the loop also runs the upgrade-eligibility check (`evaluateUpgradeEligibility`) and ends the grace
   * periods that ran out (`expireGracePeriods`); 0 or absent: never.
   */
  upgradeCheckIntervalMs?: number;
  /**
   * How often waiting tickets are offered again (agents whose shift started, queues whose fallback time passed);
   * capacity freed by a ticket is used at once by the change itself, not by this pass. Default 30 s; 0: never.
   */
  routingIntervalMs?: number;
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
      if (!this.stopped && this.routingDue()) {
        this.running = this.routeWaiting().catch((error: unknown) => this.log.error({ err: error }, 'routing pass failed'));
        await this.running;
      }
      if (!this.stopped && this.upgradeCheckDue()) {
        this.running = this.checkUpgrades().catch((error: unknown) => this.log.error({ err: error }, 'upgrade eligibility check failed'));
        await this.running;
        // Same cadence: grace periods that ran out without a Stripe event end here.
        this.running = this.expireGrace().catch((error: unknown) => this.log.error({ err: error }, 'grace expiry failed'));
        await this.running;
      }
      if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private lastUpgradeCheck: number | null = null;
  private lastRouting: number | null = null;

  private routingDue(): boolean {
    const interval = this.options.routingIntervalMs ?? 30_000;
    if (interval <= 0) return false;
    return this.lastRouting === null || this.clock.now().getTime() - this.lastRouting >= interval;
  }

  /** Offers waiting tickets to agents again; returns how many were assigned. */
  async routeWaiting(): Promise<number> {
    this.lastRouting = this.clock.now().getTime();
    const em = this.fork();
    const assigned = await em.transactional((tx) => assignWaiting(tx, this.clock.now()));
    if (assigned) this.log.info({ assigned }, 'waiting tickets assigned');
    return assigned;
  }

  private upgradeCheckDue(): boolean {
    const interval = this.options.upgradeCheckIntervalMs ?? 0;
    if (interval <= 0) return false;
    return this.lastUpgradeCheck === null || this.clock.now().getTime() - this.lastUpgradeCheck >= interval;
  }

  /** The upgrade-eligibility check (cheap: a fixed number of statements), at most once per interval from the loop. */
  async checkUpgrades(): Promise<number> {
    this.lastUpgradeCheck = this.clock.now().getTime();
    const report = await evaluateUpgradeEligibility(this.fork(), this.clock);
    if (report.created.length) this.log.info({ reminders: report.created.length }, 'upgrade reminders created');
    return report.created.length;
  }

  /** Ends the grace periods that ran out without a Stripe event (`expireGracePeriods`), from the loop with `checkUpgrades`. */
  async expireGrace(): Promise<number> {
    const report = await expireGracePeriods(this.fork(), this.clock, this.log);
    if (report.downgraded.length) this.log.info({ organizations: report.downgraded.length }, 'grace periods ended; moved to the free tier');
    return report.downgraded.length;
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
      const tickets = await em.find(Ticket, { id: { $in: ids } });
      const crossings = tickets.flatMap((ticket) =>
        (states.get(ticket.id) ?? []).flatMap((state) => {
          const threshold = crossed(state);
          return threshold ? [{ ticket, state, threshold: threshold.kind, crossedAt: threshold.at }] : [];
        }),
      );
      const fresh = await this.recordOnce(em, crossings, now);
      if (!fresh.length) return 0;
      // Everything the escalations need, read once for the whole pass.
      const pager = new Pager(em);
      const policies = await escalationPoliciesFor(
        em,
        fresh.map((crossing) => crossing.ticket),
      );
      const running = await em.find(Escalation, { ticket: { $in: fresh.map((crossing) => crossing.ticket.id) }, status: 'TRIGGERED' });
      for (const { ticket, state, threshold, crossedAt } of fresh) {
        await this.act(em, ticket, state, threshold, crossedAt, now, pager, policies.get(ticket.id) ?? null, running);
      }
      await refreshTicketClocks(em, ids, this.clock);
      return fresh.length;
    });
  }

  /** Inserts every crossing in one statement; only the rows this pass inserted are acted on. */
  private async recordOnce(em: EntityManager, crossings: Crossing[], now: Date): Promise<Crossing[]> {
    if (!crossings.length) return [];
    const values = crossings.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    const params = crossings.flatMap(({ ticket, state, threshold, crossedAt }) => [
      new SlaAlert().id,
      now,
      now,
      ticket.organization.id,
      ticket.id,
      state.kind,
      state.cycle,
      threshold,
      crossedAt,
      Math.max(0, now.getTime() - crossedAt.getTime()),
    ]);
    const inserted = await em.getConnection().execute<{ ticket_id: string; kind: string; cycle: number; threshold: string }[]>(
      `insert into sla_alert (id, created_at, updated_at, organization_id, ticket_id, kind, cycle, threshold, crossed_at, latency_millis)
       values ${values}
       on conflict (ticket_id, kind, cycle, threshold) do nothing
       returning ticket_id, kind, cycle, threshold`,
      params,
      'all',
      em.getTransactionContext(),
    );
    const won = new Set(inserted.map((row) => `${row.ticket_id}:${row.kind}:${row.cycle}:${row.threshold}`));
    return crossings.filter(({ ticket, state, threshold }) => won.has(`${ticket.id}:${state.kind}:${state.cycle}:${threshold}`));
  }

  private async act(
    em: EntityManager,
    ticket: Ticket,
    state: ClockState,
    threshold: SlaThreshold,
    crossedAt: Date,
    now: Date,
    pager: Pager,
    policy: EscalationPolicy | null,
    running: Escalation[],
  ): Promise<void> {
    const label = state.kind.toLowerCase().replace('_', ' ');
    emitEvent(
      em,
      ticket.organization.id,
      threshold === 'BREACH' ? 'sla.breached' : 'sla.warning',
      {
        ticketId: ticket.id,
        ticketNumber: ticket.number,
        clock: state.kind,
        cycle: state.cycle,
        dueAt: (state.breachedAt ?? state.dueAt)?.toISOString() ?? null,
        crossedAt: crossedAt.toISOString(),
      },
      now,
    );
    const current = running.find((escalation) => escalation.ticket.id === ticket.id) ?? null;
    const { escalation, started } = await startEscalation(
      em,
      {
        ticket,
        trigger: threshold === 'BREACH' ? 'SLA_BREACH' : 'SLA_WARNING',
        reason:
          threshold === 'BREACH'
            ? `The ${label} target of ${state.targetMinutes} min was missed`
            : `The ${label} target of ${state.targetMinutes} min is about to be missed`,
        policy,
        at: now,
      },
      pager,
      { running: current },
    );
    if (started) running.push(escalation);
    this.log.info(
      { ticketId: ticket.id, clock: state.kind, threshold, latencyMs: now.getTime() - crossedAt.getTime() },
      'SLA threshold crossed',
    );
  }

  private async advanceEscalations(): Promise<number> {
    return this.fork().transactional(async (em) => {
      const now = this.clock.now();
      const due = await em
        .getConnection()
        .execute<{ id: string }[]>(
          `select id from escalation where next_step_at <= ? and status = 'TRIGGERED' order by next_step_at limit ? for update skip locked`,
          [now, this.options.batchSize],
          'all',
          em.getTransactionContext(),
        );
      if (!due.length) return 0;
      const escalations = await em.find(Escalation, { id: { $in: due.map((row) => row.id) } }, { populate: ['policy'] });
      const pager = new Pager(em);
      for (const escalation of escalations) await advanceEscalation(em, escalation, now, pager);
      return escalations.length;
    });
  }
}
