import { ServiceKey, type RequestContext } from '../../shared/context.js';
import { Escalation, Pager, startEscalation, type EscalationPolicy } from '../escalations/index.js';
import { emitEvent } from '../outbox/index.js';
import { Ticket } from '../tickets/index.js';
import type { ClockState } from './clocks.js';
import { SlaAlert, type SlaThreshold } from './sla.entity.js';
import { crossedThresholds, escalationPoliciesFor, refreshTicketClocks } from './sla.service.js';

export const SLA_TIMER_SETTINGS = new ServiceKey<{ batchSize: number }>('sla.timers');

interface Crossing {
  ticket: Ticket;
  state: ClockState;
  threshold: SlaThreshold;
  crossedAt: Date;
}

/**
 * The timer job: fires SLA warnings and breaches from state in PostgreSQL (docs/decisions/004).
 *
 * One pass is one transaction: it locks due tickets with FOR UPDATE SKIP LOCKED, replays their clocks, records
 * each crossed threshold in `sla_alert` (unique per ticket, clock, cycle and threshold), acts on it (an outbound
 * event and an escalation through the tier's policy), and reschedules. A crash rolls the pass back and releases the
 * locks, so a restarted runner redoes it; two runners never take the same ticket; the unique key makes a repeated
 * act impossible. Everything missed while no runner ran is simply due now, so a restart catches up.
 */
export async function fireDueTimers(ctx: RequestContext, batchSize = ctx.services.get(SLA_TIMER_SETTINGS).batchSize): Promise<number> {
  return ctx.transaction(async (tx) => {
    const now = tx.clock.now();
    const due = await tx.em.getConnection().execute<{ id: string }[]>(
      `select t.id from ticket t
        where t.id in (select c.ticket_id from ticket_clock c where c.next_fire_at <= ?)
        order by t.id
        limit ?
        for update of t skip locked`,
      [now, batchSize],
      'all',
      tx.em.getTransactionContext(),
    );
    if (!due.length) return 0;
    const ids = due.map((row) => row.id);
    const states = await refreshTicketClocks(tx, ids);
    const tickets = await tx.em.find(Ticket, { id: { $in: ids } });
    const crossings = tickets.flatMap((ticket) =>
      (states.get(ticket.id) ?? []).flatMap((state) =>
        crossedThresholds(state).map((threshold) => ({ ticket, state, threshold: threshold.kind, crossedAt: threshold.at })),
      ),
    );
    const fresh = await recordOnce(tx, crossings);
    if (!fresh.length) return 0;
    // Everything the escalations need, read once for the whole pass.
    const pager = new Pager(tx.em);
    const policies = await escalationPoliciesFor(
      tx.em,
      fresh.map((crossing) => crossing.ticket),
    );
    const running = await tx.em.find(Escalation, { ticket: { $in: fresh.map((crossing) => crossing.ticket.id) }, status: 'TRIGGERED' });
    for (const crossing of fresh) await act(tx, crossing, pager, policies.get(crossing.ticket.id) ?? null, running);
    await refreshTicketClocks(tx, ids);
    return fresh.length;
  });
}

/**
 * When the timer job next has work: the earliest deadline still ahead. The job runner wakes at that instant
 * (app/scheduler.ts), so a warning or breach is acted on as it falls due rather than at the next poll.
 */
export async function nextTimerDueAt(ctx: RequestContext): Promise<Date | null> {
  const [row] = await ctx.em
    .getConnection()
    .execute<{ at: Date | string | null }[]>('select min(next_fire_at) as at from ticket_clock where next_fire_at > ?', [ctx.clock.now()]);
  return row?.at ? new Date(row.at) : null;
}

const keyOf = ({ ticket, state, threshold }: Crossing) => `${ticket.id}:${state.kind}:${state.cycle}:${threshold}`;

/**
 * Records the crossings; only the rows this pass inserted are acted on, in the order they were crossed. A warning
 * whose breach also passed is recorded only with that breach (a late warning of a downtime): where the breach was
 * recorded before, the moment to warn has long gone.
 */
async function recordOnce(tx: RequestContext, crossings: Crossing[]): Promise<Crossing[]> {
  const lateWarning = (crossing: Crossing) => crossing.threshold === 'WARNING' && crossing.state.breachedAt !== null;
  const fresh = await insertAlerts(
    tx,
    crossings.filter((crossing) => !lateWarning(crossing)),
  );
  const breaches = new Set(
    fresh.filter((crossing) => crossing.threshold === 'BREACH').map((crossing) => keyOf({ ...crossing, threshold: 'WARNING' })),
  );
  const late = await insertAlerts(
    tx,
    crossings.filter((crossing) => lateWarning(crossing) && breaches.has(keyOf(crossing))),
  );
  return [...late, ...fresh].sort((a, b) => a.crossedAt.getTime() - b.crossedAt.getTime());
}

/** Inserts the crossings in one statement and returns those this pass inserted. */
async function insertAlerts(tx: RequestContext, crossings: Crossing[]): Promise<Crossing[]> {
  if (!crossings.length) return [];
  const now = tx.clock.now();
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
  const inserted = await tx.em.getConnection().execute<{ ticket_id: string; kind: string; cycle: number; threshold: string }[]>(
    `insert into sla_alert (id, created_at, updated_at, organization_id, ticket_id, kind, cycle, threshold, crossed_at, latency_millis)
     values ${values}
     on conflict (ticket_id, kind, cycle, threshold) do nothing
     returning ticket_id, kind, cycle, threshold`,
    params,
    'all',
    tx.em.getTransactionContext(),
  );
  const won = new Set(inserted.map((row) => `${row.ticket_id}:${row.kind}:${row.cycle}:${row.threshold}`));
  return crossings.filter((crossing) => won.has(keyOf(crossing)));
}

async function act(
  tx: RequestContext,
  { ticket, state, threshold, crossedAt }: Crossing,
  pager: Pager,
  policy: EscalationPolicy | null,
  running: Escalation[],
): Promise<void> {
  const label = state.kind.toLowerCase().replace('_', ' ');
  const late = threshold === 'WARNING' && state.breachedAt !== null;
  await emitEvent(tx, {
    organizationId: ticket.organization.id,
    type: threshold === 'BREACH' ? 'sla.breached' : 'sla.warning',
    data: {
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      clock: state.kind,
      cycle: state.cycle,
      dueAt: (state.breachedAt ?? state.dueAt)?.toISOString() ?? null,
      crossedAt: crossedAt.toISOString(),
      late,
    },
  });
  // The breach recorded beside a late warning pages; paging for the warning too would page twice for one miss.
  if (late) return;
  const current = running.find((escalation) => escalation.ticket.id === ticket.id) ?? null;
  const reason =
    threshold === 'BREACH'
      ? `The ${label} target of ${state.targetMinutes} min was missed`
      : `The ${label} target of ${state.targetMinutes} min is about to be missed`;
  const { escalation, started } = await startEscalation(
    tx,
    {
      ticket,
      trigger: threshold === 'BREACH' ? 'SLA_BREACH' : 'SLA_WARNING',
      // The customer's own commitment in plain words: theirs to read as much as staff's.
      reason,
      publicReason: reason,
      policy,
    },
    pager,
    { running: current },
  );
  if (started) running.push(escalation);
  tx.log.info(
    { ticketId: ticket.id, clock: state.kind, threshold, latencyMs: tx.clock.now().getTime() - crossedAt.getTime() },
    'SLA threshold crossed',
  );
}
