import { Entity, Filter, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/entity.js';
import { organizationTenantFilter, tenantFilter } from '../../shared/tenancy.js';
import { BusinessCalendarRecord } from '../calendars/index.js';
import type { FeatureKey, FeatureValue } from '../entitlements/index.js';
import { Tier } from '../tiers/index.js';

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

/** A contract exception: replaces the tier's value for one organization between two instants. */
@Entity({ tableName: 'entitlement_override' })
@Filter(tenantFilter)
@Index({ properties: ['organization', 'feature'] })
export class EntitlementOverride extends BaseEntity {
  @ManyToOne({ entity: () => Organization, deleteRule: 'cascade' })
  organization: Organization;

  @Property({ type: 'string', length: 80 })
  feature: FeatureKey;

  /** SQL NULL is meaningful: an unlimited LIMIT. A feature with no row at all is denied. */
  @Property({ type: 'json', nullable: true })
  value: FeatureValue;

  @Property({ type: 'datetime' })
  effectiveFrom: Date;

  @Property({ type: 'datetime', nullable: true })
  effectiveUntil: Date | null = null;

  @Property({ type: 'text' })
  reason: string;

  @Property({ type: 'string', length: 200 })
  createdBy: string;
}
