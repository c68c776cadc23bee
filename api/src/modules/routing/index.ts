import type { ModuleDefinition } from '../../shared/module.js';
import {
  AgentProfile,
  ClassifierModel,
  Queue,
  RoutingDecision,
  RoutingRule,
  TechnicalAccountManager,
  TriageDecision,
} from './routing.entity.js';
import {
  AgentResolver,
  AssignmentPreviewResolver,
  OrganizationTamResolver,
  QueueResolver,
  RoutingDecisionResolver,
  RoutingDryRunResolver,
  RoutingResolver,
  RoutingRuleResolver,
  routingNodes,
  TicketRoutingResolver,
} from './routing.resolver.js';
import { assignWaitingTickets } from './routing.service.js';

/**
 * Routing: triage (keyword rules and a text classifier), ordered routing rules, queues, the competency matrix,
 * assignment that follows capacity, and the what-if simulator that runs the same decisions.
 */
/** @public The pure decisions, measured on their own in bench/routing.mjs and bench/simulate.mjs. */
export { chooseAgent, emptyLoad, requirementFor } from './assignment.js';
export { setTechnicalAccountManager, upsertAgentProfile } from './agents.service.js';
/** @public */
export { defaultClassifier } from './classifier.js';
export { createQueue, createRoutingRule, type QueueInput, type RuleInput } from './queues.service.js';
export { Queue } from './routing.entity.js';
export { assignWaiting, decideRoute, NEEDS_ATTENTION, queuesServedBy, recordRoute, routingFollowsTicket } from './routing.service.js';
export { TriageDecision } from './routing.entity.js';
/** @public */
export { evaluateRules } from './rules.js';
export { runSimulation } from './simulation.service.js';
/** @public */
export { simulate } from './simulator/engine.js';
export { formatSimulation } from './simulator/report.js';
/** @public */
export { parseScenario } from './simulator/scenario.js';
/** @public */
export { triage } from './triage.js';

export const routingModule: ModuleDefinition = {
  name: 'routing',
  entities: [Queue, RoutingRule, AgentProfile, TriageDecision, RoutingDecision, ClassifierModel, TechnicalAccountManager],
  resolvers: [
    RoutingResolver,
    TicketRoutingResolver,
    RoutingDecisionResolver,
    QueueResolver,
    RoutingRuleResolver,
    AgentResolver,
    RoutingDryRunResolver,
    AssignmentPreviewResolver,
    OrganizationTamResolver,
  ],
  jobs: [
    {
      name: 'routing.assign-waiting',
      description: 'offers waiting tickets to agents whose shift started, and moves tickets past their queue fallback time',
      everyMs: 30_000,
      run: assignWaitingTickets,
    },
  ],
  nodes: routingNodes,
};
