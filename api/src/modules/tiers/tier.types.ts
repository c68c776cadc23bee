import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import type { Tier } from './tier.entity.js';

@ObjectType({ description: 'What qualifies an organization for a tier: all must hold.' })
export class TierCriteria {
  @Field(() => Int)
  minContractValue: number;

  @Field(() => Int)
  minMonthlyUsage: number;

  @Field(() => Boolean)
  requiresBusinessCritical: boolean;

  @Field(() => Boolean)
  requiresStrategic: boolean;
}

@ObjectType('Tier', { implements: Node })
export class TierType extends Node {
  @Field(() => String)
  key: string;

  @Field(() => String)
  name: string;

  @Field(() => Int, { description: 'Higher is more: community 1 … enterprise 4.' })
  rank: number;

  @Field(() => String)
  description: string;

  @Field(() => TierCriteria)
  criteria: TierCriteria;

  /** The entity id, for field resolvers. */
  tierId: string;

  static from(tier: Tier): TierType {
    return Object.assign(new TierType(), {
      id: toGlobalId('Tier', tier.id),
      tierId: tier.id,
      key: tier.key,
      name: tier.name,
      rank: tier.rank,
      description: tier.description,
      criteria: Object.assign(new TierCriteria(), {
        minContractValue: tier.minContractValue,
        minMonthlyUsage: tier.minMonthlyUsage,
        requiresBusinessCritical: tier.requiresBusinessCritical,
        requiresStrategic: tier.requiresStrategic,
      }),
    });
  }
}
