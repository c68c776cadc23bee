import { Entity, Filter, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { tenantFilter } from '../../db/tenant-filter.js';
import { Organization } from '../organizations/organization.entity.js';
import { Tier } from '../tiers/tier.entity.js';
import type { FeatureKey, FeatureValue } from './features.js';

/** The value a tier gives a feature. */
@Entity({ tableName: 'tier_entitlement' })
@Unique({ properties: ['tier', 'feature'] })
export class TierEntitlement extends BaseEntity {
  @ManyToOne({ entity: () => Tier, deleteRule: 'cascade' })
  tier: Tier;

  @Property({ type: 'string', length: 80 })
  feature: FeatureKey;

  /** SQL NULL is meaningful: an unlimited LIMIT. A feature with no row at all is denied. */
  @Property({ type: 'json', nullable: true })
  value: FeatureValue;
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
