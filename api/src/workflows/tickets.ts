import type { RequestContext } from '../shared/context.js';
import { escalateTicket as escalate, type Escalation } from '../modules/escalations/index.js';
import { assignWaiting, decideRoute, recordRoute, routingFollowsTicket } from '../modules/routing/index.js';
import { escalationPolicyFor, refreshTicketClocks, settleHistoricalCrossings, startTicketClocks } from '../modules/sla/index.js';
import {
  createTicketRecord,
  prepareTicket,
  reserveTicketNumber,
  validateImport,
  writeAssignee,
  writeComment,
  writeImportedHistory,
  writePriority,
  writeStatus,
  type Comment,
  type ImportTicketInput,
  type OpenTicketInput,
  type Ticket,
} from '../modules/tickets/index.js';
import { TicketStatus, type CommentVisibility, type TicketPriority } from '../modules/vocabulary/index.js';

/**
 * The ticket's life across modules, one transaction per use case: the tickets module writes the change, routing
 * and the SLA clocks follow it in the same transaction (docs/decisions/008). Every caller (the API, the seed, the
 * CLI) goes through these.
 */

/**
 * Opens a ticket: checked against the tier (priority, channel, the month's allowance, under a lock on the
 * organization row), triaged and routed, and timed in one transaction, then offered to an agent in a second one
 * (docs/decisions/011). `import` writes history: triage and routing record their decision but change nothing (no
 * raised priority, no page, no assignment yet).
 */
async function intake(ctx: RequestContext, input: OpenTicketInput, mode: 'live' | 'import'): Promise<Ticket> {
  const prepared = await prepareTicket(ctx, input);
  const ticket = await ctx.transaction(async (tx) => {
    // The route is decided from what the ticket says and from configuration, before the organization's row is
    // locked for the number: every statement run under that lock is time other tickets of the organization wait.
    const routed = await decideRoute(tx.em, {
      subject: prepared.subject,
      description: prepared.description,
      priority: prepared.priority,
      impact: prepared.impact,
      channel: prepared.channel,
      organization: prepared.organization,
      tier: prepared.entitlements.tier,
      entitlements: prepared.entitlements,
    });
    const reserved = await reserveTicketNumber(tx, prepared);
    const priority = mode === 'live' ? routed.priority : prepared.priority;
    const created = await createTicketRecord(tx, prepared, { ...reserved, priority });
    // Routing first: the queue the ticket lands in may set its own first-response target.
    await recordRoute(tx, created, routed, prepared.priority, { page: mode === 'live' });
    await tx.em.flush();
    await startTicketClocks(tx, created);
    return created;
  });
  // The offer to an agent is a transaction of its own, as when capacity frees up: it takes the routing lock that
  // every assignment across organizations shares, which must not be waited for while this organization's row is
  // held. If it fails the ticket waits in its queue, where the routing job offers it again.
  if (mode === 'live') {
    await ctx
      .transaction((tx) => assignWaiting(tx, { ticketIds: [ticket.id] }))
      .catch((error: unknown) => ctx.log.warn({ err: error, ticketId: ticket.id }, 'ticket left waiting: offering it to an agent failed'));
  }
  return ticket;
}

export function openTicket(ctx: RequestContext, input: OpenTicketInput): Promise<Ticket> {
  return intake(ctx, input, 'live');
}

/** Every change that can move an SLA clock re-times the ticket inside its own transaction. */
async function clocksFollow(tx: RequestContext, ticket: Ticket): Promise<void> {
  await tx.em.flush();
  await refreshTicketClocks(tx, [ticket.id]);
}

function acceptsWork(status: TicketStatus): boolean {
  return status !== TicketStatus.SOLVED && status !== TicketStatus.CLOSED;
}

/**
 * Routing follows every change of status or assignee; when an agent's capacity frees up (the ticket left them) or
 * the ticket needs someone again, waiting tickets are offered at once, in this transaction.
 */
async function routingFollows(tx: RequestContext, ticket: Ticket, previousAssigneeId: string | null): Promise<void> {
  const { startedWaiting } = await routingFollowsTicket(tx, ticket);
  const stillWithPrevious = previousAssigneeId !== null && ticket.assignee?.id === previousAssigneeId && acceptsWork(ticket.status);
  if (previousAssigneeId !== null && !stillWithPrevious) {
    // Capacity freed: every waiting ticket may now fit.
    await tx.em.flush();
    await assignWaiting(tx);
  } else if (startedWaiting) {
    // Only this ticket needs someone again (reopened or unassigned); nothing else changed for the others.
    await tx.em.flush();
    await assignWaiting(tx, { ticketIds: [ticket.id] });
  }
}

export function replyToTicket(
  ctx: RequestContext,
  input: { ticketId: string; body: string; visibility?: CommentVisibility | null },
): Promise<{ comment: Comment; ticket: Ticket }> {
  return ctx.transaction(async (tx) => {
    const { comment, ticket, statusChanged } = await writeComment(tx, input);
    await clocksFollow(tx, ticket);
    if (statusChanged) await routingFollows(tx, ticket, ticket.assignee?.id ?? null);
    return { comment, ticket };
  });
}

export function changeTicketStatus(ctx: RequestContext, input: { ticketId: string; status: TicketStatus }): Promise<Ticket> {
  return ctx.transaction(async (tx) => {
    const ticket = await writeStatus(tx, input);
    await clocksFollow(tx, ticket);
    await routingFollows(tx, ticket, ticket.assignee?.id ?? null);
    return ticket;
  });
}

export function changeTicketPriority(ctx: RequestContext, input: { ticketId: string; priority: TicketPriority }): Promise<Ticket> {
  return ctx.transaction(async (tx) => {
    const { ticket, changed } = await writePriority(tx, input);
    if (changed) await clocksFollow(tx, ticket);
    return ticket;
  });
}

export function assignTicket(ctx: RequestContext, input: { ticketId: string; assigneeId: string | null }): Promise<Ticket> {
  return ctx.transaction(async (tx) => {
    const { ticket, previousAssigneeId } = await writeAssignee(tx, input);
    await tx.em.flush();
    await routingFollows(tx, ticket, previousAssigneeId);
    return ticket;
  });
}

/**
 * Imports a ticket with its history (a partner moving from another helpdesk). Everything is written with its
 * original time, through the same rules as live changes (entitlements, legal status moves), so the SLA clocks
 * replay exactly as if it had happened here; thresholds crossed in that history page nobody. All or nothing.
 */
export function importTicket(ctx: RequestContext, input: ImportTicketInput): Promise<Ticket> {
  const events = validateImport(ctx, input);
  return ctx.transaction(async (tx) => {
    // Opening the ticket (a savepoint) and replaying its history commit together.
    const ticket = await intake(tx.at(input.createdAt), input, 'import');
    writeImportedHistory(tx, ticket, events);
    await tx.em.flush();
    await settleHistoricalCrossings(tx, [ticket.id]);
    await routingFollows(tx, ticket, null);
    return ticket;
  });
}

/** A customer's own escalation (where the tier includes it) or a staff one, through the tier SLA policy's escalation policy. */
export function escalateTicket(ctx: RequestContext, input: { ticketId: string; reason: string }): Promise<Escalation> {
  return escalate(ctx, input, escalationPolicyFor);
}
