import type {
  Coverage,
  EscalationStatus,
  EscalationTrigger,
  SlaClockKind,
  SlaClockStatus,
  TicketChannel,
  TicketImpact,
  TicketPriority,
  TicketStatus,
} from '@tierdesk/schema';

/** Every priority, lowest first: the form offers all of them, the tier decides which are included. */
export const PRIORITIES: readonly TicketPriority[] = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];
export const IMPACTS: readonly TicketImpact[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

export const PRIORITY_LABELS: Record<TicketPriority, string> = {
  LOW: 'Low',
  NORMAL: 'Normal',
  HIGH: 'High',
  URGENT: 'Urgent',
};

export const IMPACT_LABELS: Record<TicketImpact, string> = {
  LOW: 'Low — a minor inconvenience',
  MEDIUM: 'Medium — some people or features affected',
  HIGH: 'High — many people affected, no workaround',
  CRITICAL: 'Critical — production is down',
};

export const STATUS_LABELS: Record<TicketStatus, string> = {
  NEW: 'New',
  OPEN: 'Open',
  WAITING_ON_CUSTOMER: 'Waiting on you',
  ON_HOLD: 'On hold',
  SOLVED: 'Solved',
  CLOSED: 'Closed',
};

export const CHANNEL_LABELS: Record<TicketChannel, string> = {
  PORTAL: 'Portal',
  EMAIL: 'Email',
  API: 'API',
  CHAT: 'Chat',
  PHONE: 'Phone',
};

export const COVERAGE_LABELS: Record<Coverage, string> = {
  BUSINESS_HOURS: 'Business hours',
  ALWAYS: '24×7',
};

/** How a coverage reads in a sentence: "Targets are measured …". */
export const COVERAGE_PHRASES: Record<Coverage, string> = {
  BUSINESS_HOURS: 'in business hours',
  ALWAYS: '24×7',
};

/** Response commitments in the order a ticket meets them. */
export const SLA_CLOCK_KINDS: readonly SlaClockKind[] = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'];

const SLA_CLOCK_KIND_LABELS: Record<SlaClockKind, string> = {
  FIRST_RESPONSE: 'First response',
  NEXT_RESPONSE: 'Next response',
  RESOLUTION: 'Resolution',
};

/** A clock's name as a row label: the next-response clock restarts on every customer reply, so its round is named. */
export function slaClockLabel(clock: { kind: SlaClockKind; cycle: number }): string {
  return clock.kind === 'NEXT_RESPONSE' && clock.cycle > 1
    ? `${SLA_CLOCK_KIND_LABELS[clock.kind]} (round ${clock.cycle})`
    : SLA_CLOCK_KIND_LABELS[clock.kind];
}

/**
 * A clock's status as the customer reads it. A paused clock is paused because of the ticket's status; when that
 * status is "waiting on you", the customer can restart it, so the label says so.
 */
export function slaStatusLabel(status: SlaClockStatus, ticketStatus: TicketStatus): string {
  switch (status) {
    case 'ACTIVE':
      return 'On track';
    case 'WARNING':
      return 'Due soon';
    case 'PAUSED':
      return ticketStatus === 'WAITING_ON_CUSTOMER' ? 'Paused — waiting on you' : 'Paused';
    case 'MET':
      return 'Met';
    case 'BREACHED':
      return 'Missed';
  }
}

/** Clocks that are running now, whose `dueAt` is a deadline still ahead of the team. */
function isRunningClock(status: SlaClockStatus): boolean {
  return status === 'ACTIVE' || status === 'WARNING';
}

/** The earliest due time among a ticket's running clocks (ISO), or null when none is running. */
export function nextDeadline(clocks: readonly { status: SlaClockStatus; dueAt: string | null }[]): string | null {
  let earliest: { iso: string; time: number } | null = null;
  for (const clock of clocks) {
    if (!isRunningClock(clock.status) || !clock.dueAt) continue;
    const time = Date.parse(clock.dueAt);
    if (Number.isNaN(time)) continue;
    if (!earliest || time < earliest.time) earliest = { iso: clock.dueAt, time };
  }
  return earliest?.iso ?? null;
}

export const ESCALATION_STATUS_LABELS: Record<EscalationStatus, string> = {
  TRIGGERED: 'Escalated — the support team has been paged',
  // The chain has run its course without an acknowledgement; to the customer it is still escalated.
  EXHAUSTED: 'Escalated — the support team has been paged',
  ACKNOWLEDGED: 'Acknowledged — someone on the support team has it',
};

export const ESCALATION_TRIGGER_LABELS: Record<EscalationTrigger, string> = {
  CUSTOMER: 'Escalated by your organization',
  STAFF: 'Escalated by the support team',
  SLA_WARNING: 'Escalated automatically: a response target was nearly due',
  SLA_BREACH: 'Escalated automatically: a response target was missed',
  ROUTING: 'Escalated on arrival: the on-call engineers were paged at once',
};

export function isPriority(value: unknown): value is TicketPriority {
  return typeof value === 'string' && (PRIORITIES as readonly string[]).includes(value);
}

export function isImpact(value: unknown): value is TicketImpact {
  return typeof value === 'string' && (IMPACTS as readonly string[]).includes(value);
}

/**
 * A target as people say it: "30 min", "4 h", "1 h 30 min"; whole days ("3 days") only for round-the-clock
 * coverage, since under business-hours coverage the clock only runs in business hours and 24 h is not a day.
 */
export function formatDuration(minutes: number | null | undefined, coverage: Coverage | null = null): string {
  if (minutes === null || minutes === undefined) return 'No target';
  if (coverage === 'ALWAYS' && minutes >= 48 * 60 && minutes % (24 * 60) === 0) return `${minutes / (24 * 60)} days`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export function formatAllowance(used: number, allowance: number | null): string {
  return allowance === null ? 'Unlimited' : `${used} of ${allowance} used this month`;
}

/**
 * Dates are formatted on the server, in the organization's time zone, and sent as text: the browser then shows
 * exactly what the server rendered (no hydration mismatch), and everyone in the organization sees the same clock.
 */
export function formatDateTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // The zone is named ("14:05 CET"): response targets are about hours, and customers and agents compare notes.
  const options: Intl.DateTimeFormatOptions = {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone,
  };
  try {
    return new Intl.DateTimeFormat('en-GB', options).format(date);
  } catch {
    // An unknown time zone name: fall back to UTC rather than fail the page.
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(date);
  }
}
