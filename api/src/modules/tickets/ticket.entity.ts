import { Entity, Enum, Filter, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter } from '../../shared/tenancy.js';
import { User } from '../identity/index.js';
import { Organization } from '../organizations/index.js';
import { CommentVisibility, TicketChannel, TicketImpact, TicketPriority, TicketStatus } from '../vocabulary/index.js';

@Entity({ tableName: 'ticket' })
@Filter(tenantFilter)
@Unique({ properties: ['organization', 'number'] })
@Index({ properties: ['organization', 'createdAt', 'id'] })
@Index({ properties: ['assignee', 'status'] })
export class Ticket extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @Property({ type: 'integer' })
  number: number;

  /** The customer user who asked; null when a partner integration opened it for an outside contact. */
  @ManyToOne({ entity: () => User, nullable: true })
  requester: User | null = null;

  /** Name and email of the requester as given, kept for tickets opened by integrations. */
  @Property({ type: 'string', length: 200 })
  requesterName: string;

  @Property({ type: 'string', length: 254, nullable: true })
  requesterEmail: string | null = null;

  @Property({ type: 'string', length: 200 })
  subject: string;

  @Property({ type: 'text' })
  description: string;

  @Enum({ items: () => TicketPriority })
  priority: TicketPriority;

  @Enum({ items: () => TicketImpact })
  impact: TicketImpact;

  @Enum({ items: () => TicketChannel })
  channel: TicketChannel;

  @Enum({ items: () => TicketStatus })
  status: TicketStatus = TicketStatus.NEW;

  @ManyToOne({ entity: () => User, nullable: true })
  assignee: User | null = null;

  @Property({ type: 'datetime', nullable: true })
  solvedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;
}

@Entity({ tableName: 'ticket_comment' })
@Filter(tenantFilter)
@Index({ properties: ['ticket', 'createdAt'] })
export class Comment extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => Ticket, deleteRule: 'cascade' })
  ticket: Ticket;

  @ManyToOne({ entity: () => User, nullable: true })
  author: User | null = null;

  /** Who wrote it, as shown: a user's name or an integration's key name. */
  @Property({ type: 'string', length: 200 })
  authorName: string;

  @Property({ type: 'boolean' })
  byStaff: boolean;

  @Property({ type: 'text' })
  body: string;

  @Enum({ items: () => CommentVisibility })
  visibility: CommentVisibility;
}

/** The audit trail: one row for every change of a ticket, never updated. */
@Entity({ tableName: 'ticket_event' })
@Filter(tenantFilter)
@Index({ properties: ['ticket', 'createdAt'] })
export class TicketEvent extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => Ticket, deleteRule: 'cascade' })
  ticket: Ticket;

  @Property({ type: 'string', length: 40 })
  type: TicketEventType;

  /** A description of the actor: `user:<id>`, `apikey:<id>`, `system:<reason>`. */
  @Property({ type: 'string', length: 200 })
  actor: string;

  @Property({ type: 'string', length: 200 })
  actorName: string;

  @Property({ type: 'json' })
  data: Record<string, unknown>;
}

export type TicketEventType =
  | 'CREATED'
  | 'STATUS_CHANGED'
  | 'PRIORITY_CHANGED'
  | 'ASSIGNED'
  | 'COMMENT_ADDED'
  | 'IMPORTED'
  /** Routing put the ticket in a queue; `data` names it and its own first-response target, if any. Staff only. */
  | 'ROUTED';

/** Trail entries that speak of the support team's internals (queues, lead times): customers never see them. */
export const STAFF_ONLY_EVENTS: ReadonlySet<TicketEventType> = new Set(['ROUTED']);
