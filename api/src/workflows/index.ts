import type { ModuleDefinition } from '../shared/module.js';
import { TicketWorkflowResolver } from './tickets.resolver.js';

/** Use cases that span modules, one transaction each; resolvers of cross-module operations call these. */
export { changeTicketStatus, openTicket, replyToTicket } from './tickets.js';
/** @public Opens and assigns the tickets of bench/ticket-page.mjs the way the API does. */
export { assignTicket } from './tickets.js';

export const workflowsModule: ModuleDefinition = { name: 'workflows', resolvers: [TicketWorkflowResolver] };
