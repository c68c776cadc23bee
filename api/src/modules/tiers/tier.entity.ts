import { Entity, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';

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
