import { Entity, ManyToOne, Property, Unique } from '@mikro-orm/core';
import type { FeatureKey, FeatureValue } from '../entitlements/index.js';
import { BaseEntity } from '../../shared/entity.js';

/** A support tier. Tiers are the product's catalogue, shared by all organizations (not tenant-owned). */
@Entity({ tableName: 'tier' })
export class Tier extends BaseEntity {
  @Property({ type: 'string', length: 40, unique: true })
  key: string;

  @Property({ type: 'string', length: 80 })
  name: string;

  @Property({ type: 'integer', unique: true })
  rank: number;

  @Property({ type: 'text' })
  description: string;

  /** Qualification criteria: an organization fits the tier when it meets all of them. */
  @Property({ type: 'integer' })
  minContractValue: number = 0;

  @Property({ type: 'integer' })
  minMonthlyUsage: number = 0;

  @Property({ type: 'boolean' })
  requiresBusinessCritical: boolean = false;

  @Property({ type: 'boolean' })
  requiresStrategic: boolean = false;
}

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
