import { registerEnumType } from 'type-graphql';

export enum TicketPriority {
  LOW = 'LOW',
  NORMAL = 'NORMAL',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}

export enum TicketImpact {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  CRITICAL = 'CRITICAL',
}

export enum TicketChannel {
  PORTAL = 'PORTAL',
  EMAIL = 'EMAIL',
  API = 'API',
  CHAT = 'CHAT',
  PHONE = 'PHONE',
}

export enum TicketStatus {
  NEW = 'NEW',
  OPEN = 'OPEN',
  WAITING_ON_CUSTOMER = 'WAITING_ON_CUSTOMER',
  ON_HOLD = 'ON_HOLD',
  SOLVED = 'SOLVED',
  CLOSED = 'CLOSED',
}

export enum CommentVisibility {
  PUBLIC = 'PUBLIC',
  INTERNAL = 'INTERNAL',
}

export const PRIORITY_ORDER: readonly TicketPriority[] = [
  TicketPriority.LOW,
  TicketPriority.NORMAL,
  TicketPriority.HIGH,
  TicketPriority.URGENT,
];

registerEnumType(TicketPriority, { name: 'TicketPriority' });
registerEnumType(TicketImpact, { name: 'TicketImpact', description: "How much of the customer's business is affected." });
registerEnumType(TicketChannel, { name: 'TicketChannel' });
registerEnumType(TicketStatus, { name: 'TicketStatus' });
registerEnumType(CommentVisibility, {
  name: 'CommentVisibility',
  description: 'PUBLIC replies are seen by the customer; INTERNAL notes only by staff.',
});
