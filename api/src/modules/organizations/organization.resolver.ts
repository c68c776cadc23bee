import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError, badInput } from '../../shared/errors.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId } from '../../shared/ids.js';
import { andThen, type MaybePromise } from '../../shared/loaders.js';
import { connectionFrom, PageArgs, pageRequest, type Connection } from '../../shared/pagination.js';
import { isStaffLike, tenantOf } from '../../shared/principal.js';
import { Entitlements, FEATURES, isFeatureKey } from '../entitlements/index.js';
import { loadTier, tierCatalogue, TierType } from '../tiers/index.js';
import { suggestTier } from './organization.policy.js';
import {
  changeTier,
  createOrganization,
  listOrganizations,
  loadOrganization,
  organizationBySlug,
  organizationEntitlements,
  ownOrganization,
  setEntitlementOverride,
  setOrganizationCalendar,
  tierHistory,
} from './organization.service.js';
import {
  ChangeOrganizationTierInput,
  CreateOrganizationInput,
  CriterionCheck,
  OrganizationConnection,
  OrganizationPayload,
  OrganizationType,
  SetEntitlementOverrideInput,
  SetEntitlementOverridePayload,
  SetOrganizationCalendarInput,
  TierChangeType,
  TierSuggestionType,
} from './organization.types.js';

/** Turns the typed input fields into the stored value for the feature's kind. */
function overrideValue(input: SetEntitlementOverrideInput): unknown {
  if (!isFeatureKey(input.feature)) throw badInput('feature', `Unknown entitlement "${input.feature}".`);
  switch (FEATURES[input.feature].kind) {
    case 'BOOLEAN':
      return input.enabled;
    case 'LIMIT':
      return input.unlimited ? null : input.amount;
    case 'DURATION':
      return input.amount;
    case 'SET':
      return input.values;
    case 'ENUM':
      if (input.values?.length !== 1) throw badInput('values', `${input.feature} takes exactly one value.`);
      return input.values[0];
  }
}

async function requireLoaded(ctx: RequestContext, organizationId: string) {
  const organization = await loadOrganization(ctx, organizationId);
  if (!organization) throw new AppError('NOT_FOUND', 'Organization not found.');
  return organization;
}

@Resolver(() => OrganizationType)
export class OrganizationResolver {
  @Query(() => OrganizationType, {
    nullable: true,
    description: "Without `slug`: the caller's own organization. With it: staff may read any; others only their own.",
  })
  @Access({ customer: 'MEMBER', partner: 'organization:read', staff: 'ANY' })
  async organization(
    @Ctx() ctx: RequestContext,
    @Arg('slug', () => String, { nullable: true }) slug?: string | null,
  ): Promise<OrganizationType | null> {
    const organization = slug ? await organizationBySlug(ctx, slug) : await ownOrganization(ctx);
    return organization ? OrganizationType.from(organization) : null;
  }

  @Query(() => OrganizationConnection)
  @Access({ staff: 'ANY' })
  async organizations(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext): Promise<Connection<OrganizationType>> {
    return connectionFrom(await listOrganizations(ctx, pageRequest(page)), OrganizationType.from);
  }

  @FieldResolver(() => TierType)
  tier(@Root() organization: OrganizationType, @Ctx() ctx: RequestContext): MaybePromise<TierType> {
    return andThen(loadTier(ctx, organization.tierId), (tier) => {
      if (!tier) throw new AppError('NOT_FOUND', 'Tier not found.');
      return TierType.from(tier);
    });
  }

  @FieldResolver(() => Entitlements, { description: "In force now: the tier's values with contract overrides applied." })
  async entitlements(@Root() organization: OrganizationType, @Ctx() ctx: RequestContext): Promise<Entitlements> {
    return Entitlements.from(await organizationEntitlements(ctx, organization.organizationId));
  }

  @FieldResolver(() => [TierChangeType], { description: 'Newest first (the last 100).' })
  async tierHistory(@Root() organization: OrganizationType, @Ctx() ctx: RequestContext): Promise<TierChangeType[]> {
    const changes = await tierHistory(ctx, organization.organizationId);
    const tiers = await tierCatalogue(ctx);
    const tierById = (id: string) => TierType.from(tiers.find((entry) => entry.tier.id === id)!.tier);
    return changes.map((change) =>
      Object.assign(new TierChangeType(), {
        fromTier: change.fromTier ? tierById(change.fromTier.id) : null,
        toTier: tierById(change.toTier.id),
        reason: change.reason,
        changedBy: change.changedBy,
        changedAt: change.createdAt,
      }),
    );
  }

  @FieldResolver(() => TierSuggestionType, { description: "Which tier the organization's figures suggest." })
  async suggestedTier(@Root() organization: OrganizationType, @Ctx() ctx: RequestContext): Promise<TierSuggestionType> {
    const tiers = (await tierCatalogue(ctx)).map((entry) => entry.tier);
    const suggestion = suggestTier(organization, tiers);
    return Object.assign(new TierSuggestionType(), {
      tier: TierType.from(suggestion.tier),
      differsFromCurrent: suggestion.tier.id !== organization.tierId,
      checks: suggestion.checks.map((check) => Object.assign(new CriterionCheck(), check)),
    });
  }

  @Mutation(() => OrganizationPayload)
  @Access({ staff: ['ADMIN'] })
  async createOrganization(
    @Arg('input', () => CreateOrganizationInput) input: CreateOrganizationInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OrganizationPayload> {
    return mutationPayload(OrganizationPayload, async () => ({
      organization: OrganizationType.from(await createOrganization(ctx, input)),
    }));
  }

  @Mutation(() => OrganizationPayload, { description: 'Moves an organization to another tier, with an entry in its tier history.' })
  @Access({ staff: ['ADMIN'] })
  async changeOrganizationTier(
    @Arg('input', () => ChangeOrganizationTierInput) input: ChangeOrganizationTierInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OrganizationPayload> {
    return mutationPayload(OrganizationPayload, async () => {
      const organizationId = fromGlobalId('Organization', input.organizationId, 'organizationId');
      return { organization: OrganizationType.from(await changeTier(ctx, { ...input, organizationId })) };
    });
  }

  @Mutation(() => SetEntitlementOverridePayload, { description: 'A contract exception for one organization, for a period.' })
  @Access({ staff: ['ADMIN'] })
  async setEntitlementOverride(
    @Arg('input', () => SetEntitlementOverrideInput) input: SetEntitlementOverrideInput,
    @Ctx() ctx: RequestContext,
  ): Promise<SetEntitlementOverridePayload> {
    return mutationPayload(SetEntitlementOverridePayload, async () => {
      const organizationId = fromGlobalId('Organization', input.organizationId, 'organizationId');
      await setEntitlementOverride(ctx, { ...input, organizationId, value: overrideValue(input) });
      // A fresh view of the same request: the override was written after anything this request had loaded.
      const entitlements = Entitlements.from(await organizationEntitlements(ctx.as(ctx.principal), organizationId));
      const organization = await requireLoaded(ctx, organizationId);
      return {
        entitlement: entitlements.features.find((feature) => feature.feature === input.feature) ?? null,
        organization: OrganizationType.from(organization),
      };
    });
  }

  @Mutation(() => OrganizationPayload, {
    description: 'Gives an organization its own business calendar (null: the standard hours in its time zone).',
  })
  @Access({ staff: ['ADMIN'] })
  async setOrganizationCalendar(
    @Arg('input', () => SetOrganizationCalendarInput) input: SetOrganizationCalendarInput,
    @Ctx() ctx: RequestContext,
  ): Promise<OrganizationPayload> {
    return mutationPayload(OrganizationPayload, async () => {
      const organizationId = fromGlobalId('Organization', input.organizationId, 'organizationId');
      const calendarId = input.calendarId ? fromGlobalId('BusinessCalendar', input.calendarId, 'calendarId') : null;
      return { organization: OrganizationType.from(await setOrganizationCalendar(ctx, { organizationId, calendarId })) };
    });
  }
}

/** `node(id:)` for organizations: customers and keys see only their own (the tenant filter), staff any. */
export async function organizationNode(ctx: RequestContext, id: string): Promise<OrganizationType | null> {
  if (!isStaffLike(ctx.principal) && tenantOf(ctx.principal) !== id) return null;
  const organization = await loadOrganization(ctx, id);
  return organization && OrganizationType.from(organization);
}
