import { graphqlEnum } from '../../shared/graphql.js';

/**
 * The words every module shares: what a ticket can be and say. Each is one const list; its TypeScript type and its
 * GraphQL enum are derived from that list. This module depends on nothing, so any module may use it.
 */

const TICKET_PRIORITIES = ['LOW', 'NORMAL', 'HIGH', 'URGENT'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const TicketPriority = graphqlEnum('TicketPriority', TICKET_PRIORITIES);
/** Lowest first. */
export const PRIORITY_ORDER: readonly TicketPriority[] = TICKET_PRIORITIES;

const TICKET_IMPACTS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type TicketImpact = (typeof TICKET_IMPACTS)[number];
export const TicketImpact = graphqlEnum('TicketImpact', TICKET_IMPACTS, {
  description: "How much of the customer's business is affected.",
});

export const TICKET_CHANNELS = ['PORTAL', 'EMAIL', 'API', 'CHAT', 'PHONE'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];
export const TicketChannel = graphqlEnum('TicketChannel', TICKET_CHANNELS);

const TICKET_STATUSES = ['NEW', 'OPEN', 'WAITING_ON_CUSTOMER', 'ON_HOLD', 'SOLVED', 'CLOSED'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TicketStatus = graphqlEnum('TicketStatus', TICKET_STATUSES);
/** The statuses in which a ticket still needs the team. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['NEW', 'OPEN', 'WAITING_ON_CUSTOMER', 'ON_HOLD'];

const COMMENT_VISIBILITIES = ['PUBLIC', 'INTERNAL'] as const;
export type CommentVisibility = (typeof COMMENT_VISIBILITIES)[number];
export const CommentVisibility = graphqlEnum('CommentVisibility', COMMENT_VISIBILITIES, {
  description: 'PUBLIC replies are seen by the customer; INTERNAL notes only by staff.',
});

/** What a ticket is about; agents have a skill level per domain, queues and rules name domains. */
export const DOMAINS = ['SECURITY', 'PERFORMANCE', 'INTEGRATIONS', 'DATA_MODELS', 'BILLING', 'HOW_TO', 'FEATURE_REQUEST'] as const;
export type Domain = (typeof DOMAINS)[number];
export const SupportDomain = graphqlEnum('SupportDomain', DOMAINS, {
  description: 'What a ticket is about; agents have a skill level per domain.',
});

export const COVERAGES = ['BUSINESS_HOURS', 'ALWAYS'] as const;
export type Coverage = (typeof COVERAGES)[number];
export const Coverage = graphqlEnum('Coverage', COVERAGES, {
  description: 'BUSINESS_HOURS: clocks run in business hours only; ALWAYS: 24×7.',
});
