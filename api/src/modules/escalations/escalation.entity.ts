import { Entity, Enum, Filter, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter } from '../../shared/tenancy.js';
import { User } from '../identity/index.js';
import { Organization } from '../organizations/index.js';
import { Ticket } from '../tickets/index.js';

/** A group of staff who can be paged together. */
@Entity({ tableName: 'team' })
export class Team extends BaseEntity {
  @Property({ type: 'string', length: 120, unique: true })
  name: string;

  @Property({ type: 'json' })
  memberIds: string[] = [];
}

export interface Rotation {
  name: string;
  /** Staff user ids in hand-off order. */
  userIds: string[];
  /** Local date of the first shift's start, "YYYY-MM-DD". */
  startDate: string;
  /** Local hand-off time, "HH:MM". */
  handoffTime: string;
  /** Length of a shift in days (1 = daily, 7 = weekly). */
  shiftDays: number;
}

/** Who is on call, by rotation layers in a time zone (all layers' current users are on call together). */
@Entity({ tableName: 'on_call_schedule' })
export class OnCallSchedule extends BaseEntity {
  @Property({ type: 'string', length: 120, unique: true })
  name: string;

  @Property({ type: 'string', length: 64 })
  timeZone: string;

  @Property({ type: 'json' })
  rotations: Rotation[];
}

/** ASSIGNEE: whoever the ticket is assigned to when the level is paged. */
export const ESCALATION_TARGET_TYPES = ['USER', 'TEAM', 'SCHEDULE', 'ASSIGNEE'] as const;
export type EscalationTargetType = (typeof ESCALATION_TARGET_TYPES)[number];

export interface EscalationLevel {
  /** Minutes to wait for an acknowledgement before the next level is paged. */
  delayMinutes: number;
  targets: { type: EscalationTargetType; id: string }[];
}

/** Ordered levels like PagerDuty's: page level 1, wait, page level 2, …; repeat the whole chain `repeatCount` times. */
@Entity({ tableName: 'escalation_policy' })
export class EscalationPolicy extends BaseEntity {
  @Property({ type: 'string', length: 120, unique: true })
  name: string;

  @Property({ type: 'json' })
  levels: EscalationLevel[];

  @Property({ type: 'integer' })
  repeatCount: number = 0;
}

/** ROUTING: a routing rule paged at once (a critical outage of a business-critical customer). */
export const ESCALATION_TRIGGERS = ['SLA_WARNING', 'SLA_BREACH', 'CUSTOMER', 'STAFF', 'ROUTING'] as const;
export type EscalationTrigger = (typeof ESCALATION_TRIGGERS)[number];
export const ESCALATION_STATUSES = ['TRIGGERED', 'ACKNOWLEDGED', 'EXHAUSTED'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

/** One run of an escalation policy for a ticket. */
@Entity({ tableName: 'escalation' })
@Filter(tenantFilter)
@Index({ properties: ['nextStepAt'] })
export class Escalation extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => Ticket, deleteRule: 'cascade' })
  ticket: Ticket;

  @ManyToOne({ entity: () => EscalationPolicy, nullable: true, deleteRule: 'set null' })
  policy: EscalationPolicy | null = null;

  @Enum({ items: ['SLA_WARNING', 'SLA_BREACH', 'CUSTOMER', 'STAFF', 'ROUTING'] })
  trigger: EscalationTrigger;

  /** What the customer reads: their own words, or a plain sentence about a missed target; never triage internals. */
  @Property({ type: 'text' })
  publicReason: string;

  /** Staff only: the triage details, rule and classifier figures, or the staff member's own note behind it. */
  @Property({ type: 'text' })
  internalReason: string;

  @Enum({ items: ['TRIGGERED', 'ACKNOWLEDGED', 'EXHAUSTED'] })
  status: EscalationStatus = 'TRIGGERED';

  /** Index of the level paged last (0-based), and which pass through the levels this is (0-based). */
  @Property({ type: 'integer' })
  level: number = 0;

  @Property({ type: 'integer' })
  pass: number = 0;

  /** When the next level is due if nobody acknowledges; null once acknowledged or exhausted. */
  @Property({ type: 'datetime', nullable: true })
  nextStepAt: Date | null = null;

  @ManyToOne({ entity: () => User, nullable: true })
  acknowledgedBy: User | null = null;

  @Property({ type: 'datetime', nullable: true })
  acknowledgedAt: Date | null = null;
}

/** Every page sent: who, when, at which level. */
@Entity({ tableName: 'escalation_step' })
@Filter(tenantFilter)
export class EscalationStep extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => Escalation, deleteRule: 'cascade' })
  escalation: Escalation;

  @Property({ type: 'integer' })
  level: number;

  @Property({ type: 'integer' })
  pass: number;

  @Property({ type: 'json' })
  notifiedUserIds: string[];
}

/** A staff member's in-app inbox. */
@Entity({ tableName: 'inbox_notification' })
@Index({ properties: ['user', 'createdAt'] })
export class InboxNotification extends BaseEntity {
  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  user: User;

  @ManyToOne({ entity: () => Ticket, nullable: true, deleteRule: 'cascade' })
  ticket: Ticket | null = null;

  @ManyToOne({ entity: () => Escalation, nullable: true, deleteRule: 'cascade' })
  escalation: Escalation | null = null;

  @Property({ type: 'string', length: 200 })
  title: string;

  @Property({ type: 'text' })
  body: string;

  @Property({ type: 'datetime', nullable: true })
  readAt: Date | null = null;
}
