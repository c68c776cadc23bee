import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { BillingResolver } from '../modules/billing/billing.resolver.js';
import { CalendarResolver } from '../modules/calendars/calendar.resolver.js';
import { EscalationResolver, TicketEscalationResolver } from '../modules/escalations/escalation.resolver.js';
import { IdentityResolver } from '../modules/identity/identity.resolver.js';
import { KnowledgeBaseResolver } from '../modules/kb/kb.resolver.js';
import { SlaResolver } from '../modules/sla/sla.resolver.js';
import { NodeResolver } from '../modules/node/node.resolver.js';
import { OrganizationResolver } from '../modules/organizations/organization.resolver.js';
import { TicketResolver } from '../modules/tickets/ticket.resolver.js';
import { TierResolver } from '../modules/tiers/tier.resolver.js';
import { enforceAccess } from './access.js';
import {
  AgentResolver,
  AssignmentPreviewResolver,
  OrganizationTamResolver,
  QueueResolver,
  RoutingDecisionResolver,
  RoutingDryRunResolver,
  RoutingResolver,
  RoutingRuleResolver,
  TicketRoutingResolver,
} from '../modules/routing/routing.resolver.js';

export const RESOLVERS = [
  IdentityResolver,
  NodeResolver,
  OrganizationResolver,
  TicketResolver,
  TierResolver,
  CalendarResolver,
  SlaResolver,
  EscalationResolver,
  TicketEscalationResolver,
  KnowledgeBaseResolver,
  BillingResolver,
  RoutingResolver,
  TicketRoutingResolver,
  RoutingDecisionResolver,
  QueueResolver,
  RoutingRuleResolver,
  AgentResolver,
  RoutingDryRunResolver,
  AssignmentPreviewResolver,
  OrganizationTamResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The schema, built once per process, with every root field behind its access rule. */
export function tierdeskSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [...RESOLVERS],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    emitSchemaFile: false,
  }).then(enforceAccess);
  return built;
}
