import type { ModuleDefinition } from '../shared/module.js';
import { TicketWorkflowResolver } from './tickets.resolver.js';

/** Use cases that span modules, one transaction each; resolvers of cross-module operations call these. */
export { assignTicket, changeTicketStatus, importTicket, openTicket, replyToTicket } from './tickets.js';

export const workflowsModule: ModuleDefinition = { name: 'workflows', resolvers: [TicketWorkflowResolver] };
