import type { ModuleDefinition } from '../../shared/module.js';
import { TicketViewResolver } from './view.resolver.js';

/**
 * Views: the staff console's named selections of tickets across organizations (mine, my queues, unassigned,
 * breaching soon, escalated, needs attention, recently solved), with filters, orders, keyset paging and counts.
 * They read what tickets, SLA clocks, escalations and routing own, and change nothing.
 */
export const viewsModule: ModuleDefinition = {
  name: 'views',
  resolvers: [TicketViewResolver],
};
