import { Entity, Enum, Filter, Index, ManyToOne, OneToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter } from '../../shared/tenancy.js';
import { BusinessCalendarRecord } from '../calendars/index.js';
import { EscalationPolicy } from '../escalations/index.js';
import { User } from '../identity/index.js';
import { Organization } from '../organizations/index.js';
import { Ticket } from '../tickets/index.js';
import { TicketPriority } from '../vocabulary/index.js';
import type { Certification, DomainSource, Presence, RuleConditions, RuleEvaluation, SkillLevel, UrgencyLevel } from './model.js';
import { type Domain } from '../vocabulary/index.js';

/** A line of work: tickets wait here until an agent with the queue's skill takes them. Owned by the support team. */
@Entity({ tableName: 'queue' })
export class Queue extends BaseEntity {
  @Property({ type: 'string', length: 40, unique: true })
  key: string;

  @Property({ type: 'string', length: 120 })
  name: string;

  @Property({ type: 'string', length: 20, nullable: true })
  domain: Domain | null = null;

  @Property({ type: 'json' })
  levelByTier: Record<string, SkillLevel> = {};

  @Property({ type: 'string', length: 120, nullable: true })
  requiredCertification: string | null = null;

  @Property({ type: 'string', length: 8, nullable: true })
  language: string | null = null;

  @Property({ type: 'integer', nullable: true })
  targetMinutes: number | null = null;

  @ManyToOne({ entity: () => Queue, nullable: true, deleteRule: 'set null' })
  fallbackQueue: Queue | null = null;

  @Property({ type: 'integer', nullable: true })
  fallbackAfterMinutes: number | null = null;

  /** Where tickets go when no routing rule matches; exactly one queue is the default. */
  @Property({ type: 'boolean' })
  isDefault: boolean = false;
}

/** One ordered routing rule: when every condition holds, the ticket goes to `queue` (first match wins). */
@Entity({ tableName: 'routing_rule' })
@Index({ properties: ['position'] })
export class RoutingRule extends BaseEntity {
  @Property({ type: 'string', length: 120 })
  name: string;

  @Property({ type: 'integer' })
  position: number;

  @Property({ type: 'boolean' })
  enabled: boolean = true;

  @Property({ type: 'json' })
  conditions: RuleConditions = {};

  @ManyToOne({ entity: () => Queue, deleteRule: 'restrict' })
  queue: Queue;

  @Enum({ items: () => TicketPriority, nullable: true })
  priority: TicketPriority | null = null;

  @ManyToOne({ entity: () => EscalationPolicy, nullable: true, deleteRule: 'set null' })
  escalationPolicy: EscalationPolicy | null = null;

  @Property({ type: 'boolean' })
  pageImmediately: boolean = false;

  @Property({ type: 'string', length: 200 })
  updatedBy: string;
}

/** A staff member's line in the competency matrix, with working hours, presence and capacity. */
@Entity({ tableName: 'agent_profile' })
export class AgentProfile extends BaseEntity {
  @OneToOne({ entity: () => User, owner: true, unique: true, deleteRule: 'cascade' })
  user: User;

  @Property({ type: 'json' })
  skills: Partial<Record<Domain, SkillLevel>> = {};

  /** Stored as ISO instants; `Certification` carries Dates once read through `certificationsOf`. */
  @Property({ type: 'json' })
  certifications: { name: string; expiresAt: string | null }[] = [];

  @Property({ type: 'json' })
  languages: string[] = ['en'];

  @Property({ type: 'string', length: 40 })
  region: string;

  @Enum({ items: ['ONLINE', 'AWAY', 'OFFLINE'] })
  presence: Presence = 'OFFLINE';

  /** Working hours; null = always working (e.g. an on-call engineer). */
  @ManyToOne({ entity: () => BusinessCalendarRecord, nullable: true, deleteRule: 'set null' })
  calendar: BusinessCalendarRecord | null = null;

  @Property({ type: 'json' })
  capacity: Record<TicketPriority, number>;

  @Property({ type: 'datetime', nullable: true })
  lastAssignedAt: Date | null = null;
}

export function certificationsOf(profile: AgentProfile): Certification[] {
  return profile.certifications.map((certification) => ({
    name: certification.name,
    expiresAt: certification.expiresAt ? new Date(certification.expiresAt) : null,
  }));
}

/** What triage decided about a ticket, with its reasons; a staff correction is kept beside the decision. */
@Entity({ tableName: 'triage_decision' })
@Filter(tenantFilter)
@Index({ properties: ['correctedAt'] })
export class TriageDecision extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @OneToOne({ entity: () => Ticket, owner: true, unique: true, deleteRule: 'cascade' })
  ticket: Ticket;

  @Property({ type: 'string', length: 20 })
  domain: Domain;

  @Property({ type: 'double' })
  domainConfidence: number;

  @Property({ type: 'string', length: 12 })
  domainSource: DomainSource;

  @Property({ type: 'integer' })
  urgency: number;

  @Property({ type: 'string', length: 10 })
  urgencyLevel: UrgencyLevel;

  @Property({ type: 'json' })
  outageSignals: string[] = [];

  @Property({ type: 'boolean' })
  criticalOutage: boolean;

  @Enum({ items: () => TicketPriority })
  declaredPriority: TicketPriority;

  @Enum({ items: () => TicketPriority })
  priority: TicketPriority;

  @Property({ type: 'boolean' })
  needsAttention: boolean;

  @Property({ type: 'json' })
  reasons: string[];

  @Property({ type: 'double' })
  confidence: number;

  @Property({ type: 'string', length: 80, nullable: true })
  classifierVersion: string | null = null;

  @Property({ type: 'string', length: 20, nullable: true })
  correctedDomain: Domain | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  correctedBy: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  correctedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  correctionNote: string | null = null;
}

export const ROUTING_STATUSES = ['WAITING', 'ASSIGNED', 'CLOSED'] as const;
export type RoutingStatus = (typeof ROUTING_STATUSES)[number];

/** Where routing sent a ticket, which rule sent it there and why, and who it was assigned to and why. */
@Entity({ tableName: 'routing_decision' })
@Filter(tenantFilter)
@Index({ properties: ['status', 'queue', 'waitingSince'] })
export class RoutingDecision extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @OneToOne({ entity: () => Ticket, owner: true, unique: true, deleteRule: 'cascade' })
  ticket: Ticket;

  @ManyToOne({ entity: () => RoutingRule, nullable: true, deleteRule: 'set null' })
  rule: RoutingRule | null = null;

  /** The rule's name when it decided (the rule may be renamed or deleted later). */
  @Property({ type: 'string', length: 120, nullable: true })
  ruleName: string | null = null;

  @ManyToOne({ entity: () => Queue, deleteRule: 'restrict' })
  queue: Queue;

  @ManyToOne({ entity: () => EscalationPolicy, nullable: true, deleteRule: 'set null' })
  escalationPolicy: EscalationPolicy | null = null;

  @Property({ type: 'boolean' })
  pagedImmediately: boolean = false;

  @Property({ type: 'json' })
  evaluations: RuleEvaluation[];

  /** Every step in order: the rule, overflows to fallback queues, assignment attempts that found nobody. */
  @Property({ type: 'json' })
  reasons: string[];

  @Enum({ items: ['WAITING', 'ASSIGNED', 'CLOSED'] })
  status: RoutingStatus = 'WAITING';

  /** When the ticket started waiting in its current queue. */
  @Property({ type: 'datetime' })
  waitingSince: Date;

  @ManyToOne({ entity: () => User, nullable: true, deleteRule: 'set null' })
  assignedTo: User | null = null;

  @Property({ type: 'datetime', nullable: true })
  assignedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  assignmentReason: string | null = null;
}

/** A trained domain classifier; the newest row is the one triage uses (none: the model trained on the shipped set). */
@Entity({ tableName: 'classifier_model' })
@Unique({ properties: ['version'] })
export class ClassifierModel extends BaseEntity {
  @Property({ type: 'string', length: 80 })
  version: string;

  @Property({ type: 'text' })
  model: string;

  @Property({ type: 'integer' })
  shippedExamples: number;

  @Property({ type: 'integer' })
  corrections: number;

  /** Accuracy on the held-back fifth of the shipped labelled set, trained on the rest plus the corrections. */
  @Property({ type: 'double' })
  heldOutAccuracy: number;

  @Property({ type: 'string', length: 200 })
  trainedBy: string;
}

/** The technical account manager of an organization whose tier includes one: offered its tickets first. */
@Entity({ tableName: 'technical_account_manager' })
@Filter(tenantFilter)
export class TechnicalAccountManager extends BaseEntity {
  @OneToOne({ entity: () => Organization, owner: true, unique: true, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  user: User;
}
