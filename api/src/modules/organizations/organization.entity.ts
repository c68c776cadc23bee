import { Entity, Filter, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { organizationTenantFilter, tenantFilter } from '../../db/tenant-filter.js';
import { BusinessCalendarRecord } from '../calendars/calendar.entity.js';
import { Tier } from '../tiers/tier.entity.js';

/** A customer account. The root of tenancy: everything a customer owns points here. */
@Entity({ tableName: 'organization' })
@Filter(organizationTenantFilter)
export class Organization extends BaseEntity {
  @Property({ type: 'string', length: 63, unique: true })
  slug: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  @Property({ type: 'string', length: 40 })
  region: string;

  @Property({ type: 'string', length: 64 })
  timeZone: string;

  /** Support is business-critical for this customer (outages stop their business). */
  @Property({ type: 'boolean' })
  businessCritical: boolean = false;

  /** Annual contract value in whole currency units. */
  @Property({ type: 'integer' })
  contractValue: number = 0;

  /** Monthly usage volume of the product (active seats, API calls: what the contract meters). */
  @Property({ type: 'integer' })
  monthlyUsage: number = 0;

  @Property({ type: 'boolean' })
  strategic: boolean = false;

  @ManyToOne({ entity: () => Tier })
  tier: Tier;

  /** The organization's own business hours; null = standard hours in its time zone. */
  @ManyToOne({ entity: () => BusinessCalendarRecord, nullable: true, deleteRule: 'set null' })
  calendar: BusinessCalendarRecord | null = null;

  /** Last ticket number handed out; tickets are numbered per organization. */
  @Property({ type: 'integer' })
  ticketSequence: number = 0;
}

/** One change of an organization's tier, kept forever. */
@Entity({ tableName: 'tier_change' })
@Filter(tenantFilter)
export class TierChange extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => Tier, nullable: true })
  fromTier: Tier | null = null;

  @ManyToOne({ entity: () => Tier })
  toTier: Tier;

  @Property({ type: 'text' })
  reason: string;

  @Property({ type: 'string', length: 200 })
  changedBy: string;
}

/** When an organization's calendar changed; SLA time before it keeps the calendar then in force. */
@Entity({ tableName: 'organization_calendar_change' })
@Filter(tenantFilter)
export class OrganizationCalendarChange extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @ManyToOne({ entity: () => BusinessCalendarRecord, nullable: true, deleteRule: 'set null' })
  calendar: BusinessCalendarRecord | null = null;

  @Property({ type: 'string', length: 200 })
  changedBy: string;
}
