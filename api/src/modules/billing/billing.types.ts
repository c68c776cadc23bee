import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, UserError, type WithUserErrors } from '../../shared/graphql.js';
import { toGlobalId } from '../../shared/ids.js';
import type { UpgradeReminder } from './upgrade-reminder.entity.js';
import { TierType } from '../tiers/index.js';
import { DUNNING_STATES, type DunningState } from './billing.policy.js';
import type { BillingStatus, PlanPreview } from './billing.service.js';

const BILLING_INTERVALS = ['MONTH', 'YEAR'] as const;
export type BillingIntervalEnum = (typeof BILLING_INTERVALS)[number];
export const BillingIntervalEnum = graphqlEnum('BillingInterval', BILLING_INTERVALS);

const PLAN_CHANGE_TIMINGS = ['NOW', 'PERIOD_END'] as const;
type PlanChangeTiming = (typeof PLAN_CHANGE_TIMINGS)[number];
const PlanChangeTiming = graphqlEnum('PlanChangeTiming', PLAN_CHANGE_TIMINGS, {
  description: 'Upgrades apply now (prorated); downgrades at the end of the paid period.',
});

const DunningStateEnum = graphqlEnum('DunningState', DUNNING_STATES, {
  description: 'GRACE: a payment failed, the paid tier holds until graceEndsAt; DOWNGRADED: it did not recover.',
});

export const toInterval = (value: BillingIntervalEnum): 'month' | 'year' => (value === BillingIntervalEnum.YEAR ? 'year' : 'month');
const fromInterval = (value: string | null): BillingIntervalEnum | null =>
  value === 'year' ? BillingIntervalEnum.YEAR : value === 'month' ? BillingIntervalEnum.MONTH : null;

@ObjectType('Plan', {
  description: 'A paid tier as sold self-serve: its prices (minor units, e.g. cents) and what it includes (`tier.entitlements`).',
})
export class PlanType {
  @Field(() => TierType)
  tier: TierType;

  @Field(() => Int)
  monthlyPrice: number;

  @Field(() => Int)
  annualPrice: number;

  @Field(() => String)
  currency: string;

  @Field(() => Int, { description: 'Trial days with the first subscription (one trial per organization).' })
  trialDays: number;
}

@ObjectType('BillingStatus', { description: "An organization's subscription as last reported by Stripe." })
export class BillingStatusType {
  @Field(() => String)
  tierKey: string;

  @Field(() => String, {
    nullable: true,
    description: "Stripe's subscription status (active, trialing, past_due, canceled, …); null without one.",
  })
  status: string | null;

  @Field(() => BillingIntervalEnum, { nullable: true })
  interval: BillingIntervalEnum | null;

  @Field(() => Date, { nullable: true })
  currentPeriodEnd: Date | null;

  @Field(() => Boolean)
  cancelAtPeriodEnd: boolean;

  @Field(() => String, { nullable: true, description: 'The tier a downgrade moves to when the period ends.' })
  pendingTierKey: string | null;

  @Field(() => DunningStateEnum)
  dunning: DunningState;

  @Field(() => Date, { nullable: true })
  graceEndsAt: Date | null;

  @Field(() => Boolean)
  trialUsed: boolean;

  @Field(() => Boolean, { description: 'Payments are Stripe test mode (always, without a live key).' })
  testMode: boolean;

  static from(status: BillingStatus): BillingStatusType {
    const account = status.account;
    return Object.assign(new BillingStatusType(), {
      tierKey: status.organization.tier.key,
      status: account?.status ?? null,
      interval: fromInterval(account?.interval ?? null),
      currentPeriodEnd: account?.currentPeriodEnd ?? null,
      cancelAtPeriodEnd: account?.cancelAtPeriodEnd ?? false,
      pendingTierKey: account?.pendingTierKey ?? null,
      dunning: account?.dunning ?? 'NONE',
      graceEndsAt: account?.graceEndsAt ?? null,
      trialUsed: account?.trialUsed ?? false,
      testMode: status.testMode,
    });
  }
}

@ObjectType('PlanChangeLine')
export class PlanChangeLineType {
  @Field(() => String)
  description: string;

  @Field(() => Int, { description: 'Minor units; negative for a credit of unused time.' })
  amount: number;
}

@ObjectType('PlanChangePreview')
export class PlanChangePreviewType {
  @Field(() => Int, { description: 'What would be charged (minor units): now for an upgrade, at renewal for a downgrade.' })
  amountDue: number;

  @Field(() => String)
  currency: string;

  @Field(() => PlanChangeTiming)
  effective: PlanChangeTiming;

  @Field(() => Date, { nullable: true })
  effectiveAt: Date | null;

  @Field(() => [PlanChangeLineType])
  lines: PlanChangeLineType[];

  static from(preview: PlanPreview): PlanChangePreviewType {
    return Object.assign(new PlanChangePreviewType(), {
      ...preview,
      effective: preview.effective,
      lines: preview.lines.map((line) => Object.assign(new PlanChangeLineType(), line)),
    });
  }
}

@InputType()
export class StartCheckoutInput {
  @Field(() => String)
  tierKey: string;

  @Field(() => BillingIntervalEnum)
  interval: BillingIntervalEnum;

  @Field(() => String)
  successUrl: string;

  @Field(() => String)
  cancelUrl: string;
}

@InputType()
export class ChangePlanInput {
  @Field(() => String, { description: 'A paid tier, or "community" to cancel at the end of the period.' })
  tierKey: string;

  @Field(() => BillingIntervalEnum)
  interval: BillingIntervalEnum;
}

@ObjectType()
export class StartCheckoutPayload implements WithUserErrors {
  @Field(() => String, { nullable: true, description: 'Stripe Checkout: send the browser here.' })
  url: string | null;

  @Field(() => Int, { nullable: true })
  trialDays: number | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class PreviewPlanChangePayload implements WithUserErrors {
  @Field(() => PlanChangePreviewType, { nullable: true })
  preview: PlanChangePreviewType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class ChangePlanPayload implements WithUserErrors {
  @Field(() => BillingStatusType, { nullable: true })
  billing: BillingStatusType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class BillingPortalPayload implements WithUserErrors {
  @Field(() => String, { nullable: true, description: "Stripe's customer portal: send the browser here." })
  url: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType('UpgradeReminder', { description: 'A higher tier that fits the organization better, and why; shown until dismissed.' })
export class UpgradeReminderType {
  @Field(() => ID)
  id: string;

  @Field(() => String, { description: 'The key of the suggested tier.' })
  suggestedTierKey: string;

  @Field(() => [String], { description: 'Why, in plain words, strongest first.' })
  reasons: string[];

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  dismissedAt: Date | null;

  static from(reminder: UpgradeReminder): UpgradeReminderType {
    return Object.assign(new UpgradeReminderType(), {
      id: toGlobalId('UpgradeReminder', reminder.id),
      suggestedTierKey: reminder.suggestedTierKey,
      reasons: reminder.reasons,
      createdAt: reminder.createdAt,
      dismissedAt: reminder.dismissedAt,
    });
  }
}

@ObjectType()
export class DismissUpgradeReminderPayload implements WithUserErrors {
  @Field(() => UpgradeReminderType, { nullable: true })
  reminder: UpgradeReminderType | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
