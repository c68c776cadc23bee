import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/principal.js';
import { TicketStatus } from '../vocabulary/index.js';
import { acceptsReplies, allowedTransitions, isLegalTransition, statusAfterPublicReply } from './ticket.policy.js';

const customer: Principal = { kind: 'customer', userId: 'u', organizationId: 'o', role: 'MEMBER', sessionId: 's' };
const agent: Principal = { kind: 'staff', role: 'AGENT', userId: 'a', apiKeyId: null };

describe('ticket status transitions', () => {
  it('never leaves CLOSED', () => {
    for (const to of Object.values(TicketStatus)) expect(isLegalTransition(TicketStatus.CLOSED, to)).toBe(false);
  });

  it('closes only from SOLVED', () => {
    const from = Object.values(TicketStatus).filter((status) => isLegalTransition(status, TicketStatus.CLOSED));
    expect(from).toEqual([TicketStatus.SOLVED]);
  });

  it('lets staff make every legal move and customers only solve or reopen', () => {
    expect(allowedTransitions(TicketStatus.OPEN, agent)).toEqual([
      TicketStatus.WAITING_ON_CUSTOMER,
      TicketStatus.ON_HOLD,
      TicketStatus.SOLVED,
    ]);
    expect(allowedTransitions(TicketStatus.OPEN, customer)).toEqual([TicketStatus.SOLVED]);
    expect(allowedTransitions(TicketStatus.SOLVED, customer)).toEqual([TicketStatus.OPEN]);
    expect(allowedTransitions(TicketStatus.WAITING_ON_CUSTOMER, customer)).toEqual([TicketStatus.SOLVED]);
    expect(allowedTransitions(TicketStatus.OPEN, { kind: 'anonymous' })).toEqual([]);
  });

  it('moves the ticket on public replies', () => {
    expect(statusAfterPublicReply(TicketStatus.NEW, true)).toBe(TicketStatus.OPEN);
    expect(statusAfterPublicReply(TicketStatus.OPEN, true)).toBeNull();
    expect(statusAfterPublicReply(TicketStatus.WAITING_ON_CUSTOMER, false)).toBe(TicketStatus.OPEN);
    expect(statusAfterPublicReply(TicketStatus.SOLVED, false)).toBe(TicketStatus.OPEN);
    expect(statusAfterPublicReply(TicketStatus.NEW, false)).toBeNull();
    expect(acceptsReplies(TicketStatus.CLOSED)).toBe(false);
  });
});
