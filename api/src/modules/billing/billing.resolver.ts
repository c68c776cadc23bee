import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Access } from '../../shared/access.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError } from '../../shared/errors.js';
import { mutationPayload } from '../../shared/graphql.js';
import { fromGlobalId, parseGlobalId } from '../../shared/ids.js';
import { tenantOf } from '../../shared/principal.js';
import { tierCatalogue, TierType } from '../tiers/index.js';
import { billingStatus, changePlan, openBillingPortal, previewPlanChange, startCheckout } from './billing.service.js';
import {
  BillingIntervalEnum,
  BillingPortalPayload,
  BillingStatusType,
  DismissUpgradeReminderPayload,
  UpgradeReminderType,
  ChangePlanInput,
  ChangePlanPayload,
  PlanChangePreviewType,
  PlanType,
  PreviewPlanChangePayload,
  StartCheckoutInput,
  StartCheckoutPayload,
  toInterval,
} from './billing.types.js';
import { currentUpgradeReminder, dismissUpgradeReminder } from './eligibility.service.js';
import { PLANS } from './plans.js';

/** Self-serve mutations act on the caller's own organization; there is no id to aim at another one. */
function ownOrganizationId(ctx: RequestContext): string {
  const organizationId = tenantOf(ctx.principal);
  if (!organizationId) throw new AppError('FORBIDDEN', "Only an organization's own admins manage its subscription.");
  return organizationId;
}

/**
 * The organization a read refers to: customers and keys get their own (another organization's id reads as none);
 * staff must name one.
 */
function requestedOrganization(ctx: RequestContext, organizationId: string | null): string | null {
  const own = tenantOf(ctx.principal);
  if (!organizationId) {
    if (!own) throw new AppError('BAD_USER_INPUT', 'Name the organization (organizationId).', { field: ['organizationId'] });
    return own;
  }
  const parsed = parseGlobalId(organizationId);
  if (parsed?.type !== 'Organization') return null;
  return own && parsed.id !== own ? null : parsed.id;
}

@Resolver()
export class BillingResolver {
  @Query(() => [PlanType], { description: 'The paid tiers with their monthly and annual prices, lowest first.' })
  @Access({ public: true })
  async plans(@Ctx() ctx: RequestContext): Promise<PlanType[]> {
    const catalogue = await tierCatalogue(ctx);
    return PLANS.flatMap((plan) => {
      const entry = catalogue.find((candidate) => candidate.tier.key === plan.tierKey);
      if (!entry) return [];
      return [
        Object.assign(new PlanType(), {
          tier: TierType.from(entry.tier),
          monthlyPrice: plan.monthly,
          annualPrice: plan.annual,
          currency: 'usd',
          trialDays: plan.trialDays,
        }),
      ];
    });
  }

  @Query(() => BillingStatusType, {
    nullable: true,
    description:
      "The subscription of an organization: the caller's own (customers, keys), or the one named (staff). Null for another organization.",
  })
  @Access({ customer: 'MEMBER', partner: 'organization:read', staff: 'ANY' })
  async billingStatus(
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<BillingStatusType | null> {
    const target = requestedOrganization(ctx, organizationId);
    if (!target) return null;
    const status = await billingStatus(ctx, target).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
      throw error;
    });
    return status ? BillingStatusType.from(status) : null;
  }

  @Mutation(() => StartCheckoutPayload, {
    description: 'Starts Stripe Checkout for the first subscription (with a trial when the plan has one and none was used).',
  })
  @Access({ customer: 'ADMIN' })
  async startCheckout(
    @Arg('input', () => StartCheckoutInput) input: StartCheckoutInput,
    @Ctx() ctx: RequestContext,
  ): Promise<StartCheckoutPayload> {
    return mutationPayload(StartCheckoutPayload, async () => {
      const result = await startCheckout(ctx, ownOrganizationId(ctx), { ...input, interval: toInterval(input.interval) });
      return { url: result.url, trialDays: result.trialDays };
    });
  }

  @Mutation(() => PreviewPlanChangePayload, { description: 'What a plan change would cost, and when it would apply. Changes nothing.' })
  @Access({ customer: 'ADMIN' })
  async previewPlanChange(
    @Arg('tierKey', () => String) tierKey: string,
    @Arg('interval', () => BillingIntervalEnum) interval: BillingIntervalEnum,
    @Ctx() ctx: RequestContext,
  ): Promise<PreviewPlanChangePayload> {
    return mutationPayload(PreviewPlanChangePayload, async () => ({
      preview: PlanChangePreviewType.from(
        await previewPlanChange(ctx, ownOrganizationId(ctx), { tierKey, interval: toInterval(interval) }),
      ),
    }));
  }

  @Mutation(() => ChangePlanPayload, { description: 'Upgrades now (prorated, billed at once) or downgrades at the end of the period.' })
  @Access({ customer: 'ADMIN' })
  async changePlan(@Arg('input', () => ChangePlanInput) input: ChangePlanInput, @Ctx() ctx: RequestContext): Promise<ChangePlanPayload> {
    return mutationPayload(ChangePlanPayload, async () => ({
      billing: BillingStatusType.from(
        await changePlan(ctx, ownOrganizationId(ctx), { tierKey: input.tierKey, interval: toInterval(input.interval) }),
      ),
    }));
  }

  @Mutation(() => BillingPortalPayload, { description: 'A Stripe customer-portal session (payment method, invoices, cancellation).' })
  @Access({ customer: 'ADMIN' })
  async openBillingPortal(@Arg('returnUrl', () => String) returnUrl: string, @Ctx() ctx: RequestContext): Promise<BillingPortalPayload> {
    return mutationPayload(BillingPortalPayload, async () => openBillingPortal(ctx, ownOrganizationId(ctx), returnUrl));
  }

  @Query(() => UpgradeReminderType, {
    nullable: true,
    description:
      "The current undismissed upgrade reminder of an organization: the caller's own (customers, keys), or the one named (staff). Null when none, or for another organization.",
  })
  @Access({ customer: 'MEMBER', partner: 'organization:read', staff: 'ANY' })
  async upgradeReminder(
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<UpgradeReminderType | null> {
    const target = requestedOrganization(ctx, organizationId);
    if (!target) return null;
    const reminder = await currentUpgradeReminder(ctx, target);
    return reminder ? UpgradeReminderType.from(reminder) : null;
  }

  @Mutation(() => DismissUpgradeReminderPayload, {
    description: "Hides an upgrade reminder of the caller's organization (the same suggestion stays quiet for 30 days).",
  })
  @Access({ customer: 'MEMBER' })
  async dismissUpgradeReminder(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<DismissUpgradeReminderPayload> {
    return mutationPayload(DismissUpgradeReminderPayload, async () => {
      const organizationId = tenantOf(ctx.principal);
      if (!organizationId) throw new AppError('FORBIDDEN', "Only an organization's own members dismiss its reminders.");
      const reminder = await dismissUpgradeReminder(ctx, organizationId, fromGlobalId('UpgradeReminder', id));
      return { reminder: UpgradeReminderType.from(reminder) };
    });
  }
}
