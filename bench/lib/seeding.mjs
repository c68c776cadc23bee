import { migrate } from '@tierdesk/api/db/database';
import { seed } from '@tierdesk/api/db/seed';
import { User } from '@tierdesk/api/modules/identity';
import { Organization } from '@tierdesk/api/modules/organizations';
import { CommentVisibility, TicketPriority } from '@tierdesk/api/modules/vocabulary';
import { assignTicket, openTicket, replyToTicket } from '@tierdesk/api/workflows';
import { benchRuntime } from './runtime.mjs';

/** A runtime on a benchmark database, migrated and with the demo data, as `pnpm tierdesk seed --demo` leaves it. */
export async function demoRuntime(url) {
  const runtime = await benchRuntime(url);
  await migrate(runtime.orm);
  await seed(runtime, { demo: true });
  return runtime;
}

/**
 * Northwind (enterprise: unlimited allowance) gets `tickets` tickets through the service layer, the way the API
 * makes them: opened by an agent on behalf of nancy@northwind.example, assigned round-robin to the four staff
 * users, then `comments` public replies alternating between Nancy and the assignee. The data of the nested ticket
 * page (`ticket-page`, `scale-out`).
 */
export async function addNorthwindTickets(runtime, { tickets = 120, comments = 5 } = {}) {
  const lookup = runtime.system('bench');
  const northwind = await lookup.em.findOneOrFail(Organization, { slug: 'northwind' });
  const nancy = await lookup.em.findOneOrFail(User, { email: 'nancy@northwind.example' });
  const staff = await lookup.em.find(User, { staffRole: { $ne: null } }, { orderBy: { email: 'asc' } });
  const asCustomer = { kind: 'customer', userId: nancy.id, organizationId: northwind.id, role: 'ADMIN', sessionId: 'bench' };

  for (let i = 0; i < tickets; i += 1) {
    const assignee = staff[i % staff.length];
    const asStaff = { kind: 'staff', role: assignee.staffRole, userId: assignee.id, apiKeyId: null };
    // A fresh context per ticket, as each HTTP request would have: the identity map does not grow across the loop.
    const agent = runtime.context(asStaff);
    const ticket = await openTicket(agent, {
      organizationId: northwind.id,
      subject: `Benchmark ticket ${i + 1}: order sync lags behind the warehouse`,
      description: 'Orders placed in the portal show up in the warehouse system several minutes late.',
      priority: [TicketPriority.LOW, TicketPriority.NORMAL, TicketPriority.HIGH][i % 3],
      requesterEmail: nancy.email,
    });
    await assignTicket(agent, { ticketId: ticket.id, assigneeId: assignee.id });
    for (let c = 0; c < comments; c += 1) {
      const principal = c % 2 === 0 ? asCustomer : asStaff;
      const ctx = runtime.context(principal);
      await replyToTicket(ctx, { ticketId: ticket.id, body: `Reply ${c + 1} on ticket ${i + 1}.`, visibility: CommentVisibility.PUBLIC });
    }
  }
}
