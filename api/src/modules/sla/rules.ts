import { TicketStatus, type TicketPriority } from '../vocabulary/index.js';
import type { ClockCalendar, ClockKind, ClockRules } from './clocks.js';

/**
 * The one place that turns a ticket's circumstances at an instant (tier, priority, targets, hours, policy, a
 * queue's own target) into the rules its clocks run by. The live engine (sla.service.ts) and the what-if simulator
 * both call it, so they cannot drift apart.
 */

const DEFAULT_PAUSE_STATUSES: readonly TicketStatus[] = [TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.ON_HOLD];
const DEFAULT_WARN_PERCENT = 80;

export interface SlaRuleInput {
  tierName: string;
  priority: TicketPriority;
  /** The tier's targets in minutes for this priority, as its entitlements say at the instant; null: no commitment. */
  tierTargets: Readonly<Record<ClockKind, number | null>>;
  /** A queue's own first-response target (a longer lead time for feature requests), replacing the tier's. */
  queueTarget: { minutes: number; queueName: string } | null;
  calendar: ClockCalendar;
  /** The hours the calendar stands for, in words: "24×7", "standard business hours (Europe/Berlin)". */
  hours: string;
  /** The tier's SLA policy; null (or a field left out): the defaults (pause while waiting on the customer or on hold, warn at 80%). */
  policy: { pauseStatuses?: readonly TicketStatus[]; warnPercent?: number } | null;
}

function minutesText(minutes: number | null): string {
  if (minutes === null) return 'none';
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

export function clockRules(input: SlaRuleInput): ClockRules {
  const targets: Record<ClockKind, number | null> = {
    FIRST_RESPONSE: input.queueTarget?.minutes ?? input.tierTargets.FIRST_RESPONSE,
    NEXT_RESPONSE: input.tierTargets.NEXT_RESPONSE,
    RESOLUTION: input.tierTargets.RESOLUTION,
  };
  const pauseStatuses = input.policy?.pauseStatuses ?? DEFAULT_PAUSE_STATUSES;
  const warnPercent = input.policy?.warnPercent ?? DEFAULT_WARN_PERCENT;
  const queue = input.queueTarget ? ` (the ${input.queueTarget.queueName} queue's target)` : '';
  return {
    calendar: input.calendar,
    targets,
    pauseStatuses: new Set(pauseStatuses),
    warnFraction: warnPercent / 100,
    reason:
      `${input.tierName} tier, ${input.priority.toLowerCase()} priority: first response ${minutesText(targets.FIRST_RESPONSE)}${queue}, ` +
      `next response ${minutesText(targets.NEXT_RESPONSE)}, resolution ${minutesText(targets.RESOLUTION)}, in ${input.hours}; ` +
      `${input.policy ? 'tier SLA policy' : 'default SLA policy'} (warn at ${warnPercent}%, paused while ${pauseStatuses.join(' or ')})`,
  };
}
