import type { ModuleDefinition } from '../../shared/module.js';
import { Comment, Ticket, TicketEvent } from './ticket.entity.js';
import { commentNode, OrganizationTicketsResolver, TicketResolver, ticketNode } from './ticket.resolver.js';

/**
 * Tickets: the ticket, its comments and its audit trail, and the single-module steps of its life. The workflows
 * compose these with routing and the SLA clocks.
 */
export { Comment, Ticket, TicketEvent } from './ticket.entity.js';
export { recordTicketEvent } from './ticket.events.js';
export { preloadTicketFields } from './ticket.preload.js';
export {
  createTicketRecord,
  getTicket,
  LIMITS,
  prepareTicket,
  requirePriority,
  reserveTicketNumber,
  validateImport,
  writeAssignee,
  writeComment,
  writeImportedHistory,
  writePriority,
  writeStatus,
  type ImportTicketInput,
  type OpenTicketInput,
} from './ticket.service.js';
export {
  AddCommentInput,
  AddCommentPayload,
  AssignTicketInput,
  ChangeTicketPriorityInput,
  ChangeTicketStatusInput,
  CommentType,
  CreateTicketInput,
  ImportTicketInput as ImportTicketGraphQLInput,
  TicketConnection,
  TicketPayload,
  TicketType,
  TICKETS_READ,
} from './ticket.types.js';

export const ticketsModule: ModuleDefinition = {
  name: 'tickets',
  entities: [Ticket, Comment, TicketEvent],
  resolvers: [TicketResolver, OrganizationTicketsResolver],
  nodes: { Ticket: ticketNode, Comment: commentNode },
};
