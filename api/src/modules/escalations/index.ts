import type { JobDefinition, ModuleDefinition } from '../../shared/module.js';
import { Escalation, EscalationPolicy, EscalationStep, InboxNotification, OnCallSchedule, Team } from './escalation.entity.js';
import { EscalationResolver, escalationNodes, TicketEscalationResolver } from './escalation.resolver.js';
import { advanceDueEscalations, nextEscalationStepAt } from './escalation.service.js';

/** Escalations: teams, on-call schedules, escalation policies, the escalations they page and the staff inbox. */
export { Escalation, EscalationPolicy, InboxNotification, OnCallSchedule, Team } from './escalation.entity.js';
export { createEscalationPolicy, createOnCallSchedule, createTeam, escalateTicket, Pager, startEscalation } from './escalation.service.js';
export { EscalateTicketInput, EscalationPayload, EscalationPolicyType, EscalationType } from './escalation.types.js';

/** Polled every TIMER_INTERVAL_MS; woken at the next step deadline it knows (`nextRunAt`, read by app/scheduler.ts). */
const advanceJob: JobDefinition = {
  name: 'escalations.advance',
  description: 'pages the next level of every escalation nobody acknowledged in time',
  everyMs: 250,
  run: (ctx) => advanceDueEscalations(ctx),
  nextRunAt: nextEscalationStepAt,
};

export const escalationsModule: ModuleDefinition = {
  name: 'escalations',
  entities: [Team, OnCallSchedule, EscalationPolicy, Escalation, EscalationStep, InboxNotification],
  resolvers: [EscalationResolver, TicketEscalationResolver],
  jobs: [advanceJob],
  nodes: escalationNodes,
};
