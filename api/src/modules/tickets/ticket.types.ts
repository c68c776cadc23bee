import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ReadAccess, type AccessRule } from '../../shared/access.js';
import { graphqlEnum, Node, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import { ConnectionType } from '../../shared/pagination.js';
import type { Row } from '../../shared/reads.js';
import type { Comment, Ticket, TicketEvent } from './ticket.entity.js';
import { CommentVisibility, TicketChannel, TicketImpact, TicketPriority, TicketStatus } from '../vocabulary/index.js';

/** Who reads tickets and their comments: the `tickets` query's rule, also for every payload and nested field. */
export const TICKETS_READ: AccessRule = { customer: 'MEMBER', partner: 'tickets:read', staff: 'ANY' };

@ObjectType('Ticket', { implements: Node })
@ReadAccess(TICKETS_READ)
export class TicketType extends Node {
  @Field(() => Int, { description: 'Numbered per organization: #1, #2, …' })
  number: number;

  @Field(() => String)
  subject: string;

  @Field(() => String)
  description: string;

  @Field(() => TicketPriority)
  priority: TicketPriority;

  @Field(() => TicketImpact)
  impact: TicketImpact;

  @Field(() => TicketChannel)
  channel: TicketChannel;

  @Field(() => TicketStatus)
  status: TicketStatus;

  @Field(() => String)
  requesterName: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date)
  updatedAt: Date;

  @Field(() => Date, { nullable: true })
  solvedAt: Date | null;

  @Field(() => Date, { nullable: true })
  closedAt: Date | null;

  ticketId: string;
  organizationId: string;
  requesterId: string | null;
  assigneeId: string | null;

  static from(ticket: Ticket): TicketType {
    return TicketType.fromRow({
      ...ticket,
      organization: ticket.organization.id,
      requester: ticket.requester?.id ?? null,
      assignee: ticket.assignee?.id ?? null,
    });
  }

  static fromRow(ticket: Row<Ticket>): TicketType {
    return Object.assign(new TicketType(), {
      id: toGlobalId('Ticket', ticket.id),
      ticketId: ticket.id,
      organizationId: ticket.organization,
      requesterId: ticket.requester,
      assigneeId: ticket.assignee,
      number: ticket.number,
      subject: ticket.subject,
      description: ticket.description,
      priority: ticket.priority,
      impact: ticket.impact,
      channel: ticket.channel,
      status: ticket.status,
      requesterName: ticket.requesterName,
      createdAt: ticket.createdAt,
      updatedAt: ticket.updatedAt,
      solvedAt: ticket.solvedAt,
      closedAt: ticket.closedAt,
    });
  }
}

@ObjectType('Comment', { implements: Node })
@ReadAccess(TICKETS_READ)
export class CommentType extends Node {
  @Field(() => String)
  body: string;

  @Field(() => CommentVisibility)
  visibility: CommentVisibility;

  @Field(() => String)
  authorName: string;

  @Field(() => Boolean)
  byStaff: boolean;

  @Field(() => Date)
  createdAt: Date;

  authorId: string | null;

  static from(comment: Comment): CommentType {
    return CommentType.fromRow({
      ...comment,
      organization: comment.organization.id,
      ticket: comment.ticket.id,
      author: comment.author?.id ?? null,
    });
  }

  static fromRow(comment: Row<Comment>): CommentType {
    return Object.assign(new CommentType(), {
      id: toGlobalId('Comment', comment.id),
      authorId: comment.author,
      body: comment.body,
      visibility: comment.visibility,
      authorName: comment.authorName,
      byStaff: comment.byStaff,
      createdAt: comment.createdAt,
    });
  }
}

@ObjectType('TicketEvent', { description: 'One entry of the audit trail.' })
export class TicketEventType {
  @Field(() => String, { description: 'CREATED, STATUS_CHANGED, PRIORITY_CHANGED, ASSIGNED, COMMENT_ADDED.' })
  type: string;

  @Field(() => String, { description: '`user:<id>`, `apikey:<id>` or `system:<reason>`.' })
  actor: string;

  @Field(() => String, { description: 'The change as JSON (`from`, `to`, …).' })
  data: string;

  @Field(() => Date)
  at: Date;

  static from(event: TicketEvent): TicketEventType {
    return Object.assign(new TicketEventType(), {
      type: event.type,
      actor: event.actor,
      data: JSON.stringify(event.data),
      at: event.createdAt,
    });
  }
}

export const TicketConnection = ConnectionType('Ticket', TicketType);
export const CommentConnection = ConnectionType('Comment', CommentType);

@InputType('TicketFilter')
export class TicketFilterInput {
  @Field(() => [TicketStatus], { nullable: true })
  status?: TicketStatus[] | null;

  @Field(() => ID, { nullable: true, description: 'Staff only: tickets of one organization (global id).' })
  organizationId?: string | null;
}

@InputType()
export class CreateTicketInput {
  @Field(() => String)
  subject: string;

  @Field(() => String)
  description: string;

  @Field(() => TicketPriority)
  priority: TicketPriority;

  @Field(() => TicketImpact, { nullable: true, description: 'Defaults to MEDIUM.' })
  impact?: TicketImpact | null;

  @Field(() => TicketChannel, { nullable: true, description: 'Defaults to PORTAL for customers, API for keys, EMAIL for staff.' })
  channel?: TicketChannel | null;

  @Field(() => ID, { nullable: true, description: 'Staff only: the organization (global id).' })
  organizationId?: string | null;

  @Field(() => String, { nullable: true, description: 'Integrations and staff: who asked.' })
  requesterName?: string | null;

  @Field(() => String, { nullable: true })
  requesterEmail?: string | null;
}

@ObjectType()
export class TicketPayload implements WithUserErrors {
  @Field(() => TicketType, { nullable: true })
  ticket: TicketType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class AddCommentInput {
  @Field(() => ID)
  ticketId: string;

  @Field(() => String)
  body: string;

  @Field(() => CommentVisibility, { nullable: true, description: 'Defaults to PUBLIC. INTERNAL is for staff.' })
  visibility?: CommentVisibility | null;
}

@ObjectType()
export class AddCommentPayload implements WithUserErrors {
  @Field(() => CommentType, { nullable: true })
  comment: CommentType | null;

  @Field(() => TicketType, { nullable: true })
  ticket: TicketType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class ChangeTicketStatusInput {
  @Field(() => ID)
  ticketId: string;

  @Field(() => TicketStatus)
  status: TicketStatus;
}

@InputType()
export class ChangeTicketPriorityInput {
  @Field(() => ID)
  ticketId: string;

  @Field(() => TicketPriority)
  priority: TicketPriority;
}

@InputType()
export class AssignTicketInput {
  @Field(() => ID)
  ticketId: string;

  @Field(() => ID, { nullable: true, description: "A staff user's global id; null unassigns." })
  assigneeId?: string | null;
}

const IMPORTED_EVENT_KINDS = ['REPLY', 'NOTE', 'STATUS'] as const;
export type ImportedEventKind = (typeof IMPORTED_EVENT_KINDS)[number];
const ImportedEventKind = graphqlEnum('ImportedEventKind', IMPORTED_EVENT_KINDS, {
  description: 'REPLY: public reply; NOTE: internal staff note; STATUS: status change.',
});

@InputType()
export class ImportedEventInput {
  @Field(() => Date)
  at: Date;

  @Field(() => ImportedEventKind)
  type: ImportedEventKind;

  @Field(() => Boolean, { nullable: true, description: 'REPLY: written by the support team (else by the customer).' })
  byStaff?: boolean | null;

  @Field(() => String, { nullable: true })
  authorName?: string | null;

  @Field(() => String, { nullable: true, description: 'REPLY and NOTE.' })
  body?: string | null;

  @Field(() => TicketStatus, { nullable: true, description: 'STATUS: the new status.' })
  status?: TicketStatus | null;
}

@InputType({ description: 'A ticket from another helpdesk, with its original times; SLA clocks are computed as if it had happened here.' })
export class ImportTicketInput extends CreateTicketInput {
  @Field(() => Date)
  createdAt: Date;

  @Field(() => [ImportedEventInput], { description: 'At most 500, any order (replayed by time).' })
  events: ImportedEventInput[];
}

@ObjectType()
export class TicketUsage {
  @Field(() => Int, { description: 'Tickets opened this calendar month (UTC).' })
  thisMonth: number;

  @Field(() => Int, { nullable: true, description: 'The monthly allowance; null = unlimited.' })
  allowance: number | null;
}
