import type { JobDefinition, ModuleDefinition } from '../../shared/module.js';
import { ORGANIZATION_EVENTS } from '../organizations/index.js';
import { SlaResolver } from './sla.resolver.js';
import { SlaAlert, SlaPolicy, TicketClock } from './sla.entity.js';
import { retimeAfterRulesChanged } from './sla.service.js';
import { fireDueTimers, nextTimerDueAt } from './timers.js';

/**
 * The SLA engine: clocks as a pure replay of each ticket's history, the rules they run by, the stored schedule the
 * timer job watches, and the alerts it records exactly once.
 */
export { computeClocks, type ClockRules, type ClockState, type TimelineEvent } from './clocks.js';
export { clockRules } from './rules.js';
export { SlaPolicy, TicketClock } from './sla.entity.js';
export { SLA_TIMER_SETTINGS } from './timers.js';
export {
  escalationPolicyFor,
  refreshTicketClocks,
  settleHistoricalCrossings,
  startTicketClocks,
  ticketClocks,
  upsertSlaPolicy,
} from './sla.service.js';

/** Polled every TIMER_INTERVAL_MS for deadlines other processes set; woken at each deadline it knows (`nextRunAt`, read by app/scheduler.ts). */
const timerJob: JobDefinition = {
  name: 'sla.timers',
  description: 'fires SLA warnings and breaches that fell due, and the escalations they start',
  everyMs: 250,
  run: (ctx) => fireDueTimers(ctx),
  nextRunAt: nextTimerDueAt,
};

export const slaModule: ModuleDefinition = {
  name: 'sla',
  entities: [SlaPolicy, TicketClock, SlaAlert],
  resolvers: [SlaResolver],
  jobs: [timerJob],
  hooks: Object.values(ORGANIZATION_EVENTS).map((type) => ({ type, run: retimeAfterRulesChanged })),
};
