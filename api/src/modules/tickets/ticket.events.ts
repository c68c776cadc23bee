import type { EntityManager } from '@mikro-orm/postgresql';
import { Ticket, TicketEvent, type TicketEventType } from './ticket.entity.js';

/** Appends to a ticket's audit trail; shared by the ticket use cases and the routing engine that assigns tickets. */
export function recordTicketEvent(
  em: EntityManager,
  ticket: Ticket,
  type: TicketEventType,
  data: Record<string, unknown>,
  by: { actor: string; actorName: string },
  at: Date,
): void {
  const event = new TicketEvent();
  Object.assign(event, {
    organization: ticket.organization,
    ticket,
    type,
    data,
    actor: by.actor,
    actorName: by.actorName,
    createdAt: at,
    updatedAt: at,
  });
  em.persist(event);
}
