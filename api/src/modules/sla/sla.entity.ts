import { Entity, Enum, Filter, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { tenantFilter } from '../../shared/tenancy.js';
import { EscalationPolicy } from '../escalations/index.js';
import { Organization } from '../organizations/index.js';
import { Ticket } from '../tickets/index.js';
import { Tier } from '../tiers/index.js';
import { TicketStatus } from '../vocabulary/index.js';
import { CLOCK_KINDS, CLOCK_STATUSES, type ClockKind, type ClockStatus } from './clocks.js';

/** How a tier's clocks behave; the targets themselves are the tier's entitlements. */
@Entity({ tableName: 'sla_policy' })
export class SlaPolicy extends BaseEntity {
  @ManyToOne({ entity: () => Tier, unique: true, deleteRule: 'cascade' })
  tier: Tier;

  @Property({ type: 'array' })
  pauseStatuses: TicketStatus[] = [TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.ON_HOLD];

  /** Percentage of a target after which a running clock is WARNING. */
  @Property({ type: 'integer' })
  warnPercent: number = 80;

  /** Who is paged when a clock warns or breaches, or a customer escalates; null: the assignee only. */
  @ManyToOne({ entity: () => EscalationPolicy, nullable: true, deleteRule: 'set null' })
  escalationPolicy: EscalationPolicy | null = null;

  @Property({ type: 'string', length: 200 })
  updatedBy: string;
}

/**
 * The current state of one clock of one ticket, as the last replay computed it: what the API shows and what
 * the timer worker watches (`nextFireAt`).
 */
@Entity({ tableName: 'ticket_clock' })
@Filter(tenantFilter)
@Unique({ properties: ['ticket', 'kind'] })
@Index({ properties: ['nextFireAt'] })
export class TicketClock extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => Ticket, deleteRule: 'cascade' })
  ticket: Ticket;

  @Enum({ items: [...CLOCK_KINDS] })
  kind: ClockKind;

  @Property({ type: 'integer' })
  cycle: number;

  @Enum({ items: [...CLOCK_STATUSES] })
  status: ClockStatus;

  @Property({ type: 'integer' })
  targetMinutes: number;

  @Property({ type: 'datetime' })
  startedAt: Date;

  @Property({ type: 'datetime', nullable: true })
  stoppedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  dueAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  warningAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  breachedAt: Date | null = null;

  @Property({ type: 'double' })
  usedMillis: number = 0;

  @Property({ type: 'double' })
  pausedMillis: number = 0;

  /** Which policy and targets applied, and why. */
  @Property({ type: 'text' })
  reason: string;

  /** When the timer worker must look at this clock next (a warning or a breach instant); null when nothing is pending. */
  @Property({ type: 'datetime', nullable: true })
  nextFireAt: Date | null = null;
}

/** A threshold a clock crossed, acted on once: the unique key is what makes "exactly once" hold. */
@Entity({ tableName: 'sla_alert' })
@Filter(tenantFilter)
@Unique({ properties: ['ticket', 'kind', 'cycle', 'threshold'] })
export class SlaAlert extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => Ticket, deleteRule: 'cascade' })
  ticket: Ticket;

  @Enum({ items: [...CLOCK_KINDS] })
  kind: ClockKind;

  @Property({ type: 'integer' })
  cycle: number;

  @Enum({ items: ['WARNING', 'BREACH'] })
  threshold: SlaThreshold;

  /** The instant the threshold was crossed (the due or warning instant). */
  @Property({ type: 'datetime' })
  crossedAt: Date;

  /** How late after `crossedAt` the worker acted, in milliseconds. */
  @Property({ type: 'integer' })
  latencyMillis: number;
}

export type SlaThreshold = 'WARNING' | 'BREACH';
