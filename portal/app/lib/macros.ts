import type { CommentVisibility, StaffRole, TicketStatus } from '@tierdesk/schema';

/**
 * Saved replies (macros) in the console: what the page, the picker and the render route share. The API decides
 * every operation; these only shape the screens.
 */

/** The roles the API lets write saved replies (createMacro, updateMacro, deleteMacro); everyone else reads them. */
export function canEditMacros(role: StaffRole): boolean {
  return role === 'SPECIALIST' || role === 'ADMIN';
}

export const MACRO_TITLE_MAX = 120;
export const MACRO_BODY_MAX = 20_000;

export const VISIBILITY_LABELS: Record<CommentVisibility, string> = { PUBLIC: 'Public reply', INTERNAL: 'Internal note' };

/**
 * The placeholders the API fills (api/src/modules/macros/placeholders.ts holds the authority; a body naming any
 * other is refused there). Listed on the macros page so editors need not guess.
 */
export const MACRO_PLACEHOLDERS: readonly { name: string; description: string }[] = [
  { name: 'requester.name', description: 'The requester’s full name (“there” when the ticket has none).' },
  { name: 'requester.firstName', description: 'The first word of the requester’s name (“there” when the ticket has none).' },
  { name: 'ticket.number', description: 'The ticket number, without “#”.' },
  { name: 'ticket.subject', description: 'The ticket’s subject.' },
  { name: 'organization.name', description: 'The customer’s organization.' },
  { name: 'tier.name', description: 'The organization’s support tier (Growth, Enterprise, …).' },
  { name: 'agent.name', description: 'You, the staff member inserting the reply (“The support team” for an API key).' },
  {
    name: 'sla.firstResponse.due',
    description: 'When the first response is due, in the customer’s time zone; otherwise “no target”, “paused”, “met” or “overdue”.',
  },
  {
    name: 'sla.resolution.due',
    description: 'When resolution is due, in the customer’s time zone; otherwise “no target”, “paused”, “met” or “overdue”.',
  },
];

/** What the render route answers and the picker hands to `onInsert`. */
export interface RenderedMacro {
  body: string;
  visibility: CommentVisibility;
  /** The ticket status to set once the reply is sent; null leaves it alone. */
  status: TicketStatus | null;
}

/** A choice in the picker. */
export interface MacroChoice {
  id: string;
  title: string;
}
