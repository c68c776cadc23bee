import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../server/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { Entitlements } from '../entitlements/entitlement.types.js';
import { TierType } from './tier.types.js';

@Resolver(() => TierType)
export class TierResolver {
  @Query(() => [TierType], { description: 'The tier catalogue, lowest first, each with what it includes.' })
  @Access({ public: true })
  async tiers(@Ctx() ctx: RequestContext): Promise<TierType[]> {
    const catalogue = await ctx.loaders.tierCatalogue();
    return catalogue.map((entry) => TierType.from(entry.tier));
  }

  @Query(() => TierType, { nullable: true })
  @Access({ public: true })
  async tier(@Arg('key', () => String) key: string, @Ctx() ctx: RequestContext): Promise<TierType | null> {
    const entry = (await ctx.loaders.tierCatalogue()).find((candidate) => candidate.tier.key === key);
    return entry ? TierType.from(entry.tier) : null;
  }

  @FieldResolver(() => Entitlements, { description: 'What the tier itself includes (before any contract override).' })
  async entitlements(@Root() tier: TierType, @Ctx() ctx: RequestContext): Promise<Entitlements> {
    const entry = (await ctx.loaders.tierCatalogue()).find((candidate) => candidate.tier.id === tier.tierId);
    if (!entry) throw new AppError('NOT_FOUND', 'Tier not found.');
    return Entitlements.from(entry.entitlements);
  }
}
