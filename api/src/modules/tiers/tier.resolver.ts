import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { Entitlements, PriorityOption, priorityOptions } from '../entitlements/index.js';
import { tierCatalogue } from './tier.service.js';
import { TierType } from './tier.types.js';

@Resolver(() => TierType)
export class TierResolver {
  @Query(() => [TierType], { description: 'The tier catalogue, lowest first, each with what it includes.' })
  @Access({ public: true })
  async tiers(@Ctx() ctx: RequestContext): Promise<TierType[]> {
    return (await tierCatalogue(ctx)).map((entry) => TierType.from(entry.tier));
  }

  @Query(() => TierType, { nullable: true })
  @Access({ public: true })
  async tier(@Arg('key', () => String) key: string, @Ctx() ctx: RequestContext): Promise<TierType | null> {
    const entry = (await tierCatalogue(ctx)).find((candidate) => candidate.tier.key === key);
    return entry ? TierType.from(entry.tier) : null;
  }

  @FieldResolver(() => Entitlements, { description: 'What the tier itself includes (before any contract override).' })
  async entitlements(@Root() tier: TierType, @Ctx() ctx: RequestContext): Promise<Entitlements> {
    const entry = (await tierCatalogue(ctx)).find((candidate) => candidate.tier.id === tier.tierId);
    if (!entry) throw new AppError('NOT_FOUND', 'Tier not found.');
    return Entitlements.from(entry.entitlements);
  }
}

@Resolver(() => Entitlements)
export class EntitlementOptionsResolver {
  @FieldResolver(() => [PriorityOption], {
    description: 'Every priority, whether it is included, and if not the refusal and the tier that includes it.',
  })
  async priorityOptions(@Root() entitlements: Entitlements, @Ctx() ctx: RequestContext): Promise<PriorityOption[]> {
    const options = priorityOptions(entitlements.effective, await tierCatalogue(ctx));
    return options.map((option) => Object.assign(new PriorityOption(), option));
  }
}

/** `node(id:)` for tiers: the catalogue is public. */
export async function tierNode(ctx: RequestContext, id: string): Promise<TierType | null> {
  const entry = (await tierCatalogue(ctx)).find((candidate) => candidate.tier.id === id);
  return entry ? TierType.from(entry.tier) : null;
}
