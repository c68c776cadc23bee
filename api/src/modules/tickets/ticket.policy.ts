import type { Principal } from '../../shared/principal.js';
import { TicketStatus } from '../vocabulary/index.js';

const { NEW, OPEN, WAITING_ON_CUSTOMER, ON_HOLD, SOLVED, CLOSED } = TicketStatus;

/** The legal status graph. CLOSED is final: a customer who needs more opens a follow-up ticket. */
const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  [NEW]: [OPEN, WAITING_ON_CUSTOMER, ON_HOLD, SOLVED],
  [OPEN]: [WAITING_ON_CUSTOMER, ON_HOLD, SOLVED],
  [WAITING_ON_CUSTOMER]: [OPEN, ON_HOLD, SOLVED],
  [ON_HOLD]: [OPEN, WAITING_ON_CUSTOMER, SOLVED],
  [SOLVED]: [OPEN, CLOSED],
  [CLOSED]: [],
};

/** Customers (and their integrations) may only mark solved or reopen; the other moves are the support team's. */
const CUSTOMER_TARGETS: ReadonlySet<TicketStatus> = new Set([SOLVED, OPEN]);

export function isLegalTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: TicketStatus, principal: Principal): TicketStatus[] {
  const legal = TRANSITIONS[from];
  if (principal.kind === 'staff' || principal.kind === 'system') return [...legal];
  if (principal.kind === 'customer' || principal.kind === 'partner') {
    return legal.filter((to) => CUSTOMER_TARGETS.has(to) && !(to === OPEN && from !== SOLVED));
  }
  return [];
}

/**
 * The status a public reply moves a ticket to, if any: a customer answering a question (or replying to a solved
 * ticket) puts it back in the team's hands; the team's first public reply takes a NEW ticket to OPEN.
 */
export function statusAfterPublicReply(current: TicketStatus, byStaff: boolean): TicketStatus | null {
  if (byStaff) return current === NEW ? OPEN : null;
  if (current === WAITING_ON_CUSTOMER || current === SOLVED) return OPEN;
  return null;
}

export function acceptsReplies(status: TicketStatus): boolean {
  return status !== CLOSED;
}
