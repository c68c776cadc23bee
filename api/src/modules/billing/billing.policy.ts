import { FREE_TIER_KEY, tierOfLookupKey } from './plans.js';

/**
 * Pure billing decisions, shared by the webhook handler, the dunning job and tests. Stripe's subscription object
 * is always re-read before deciding, so these functions see the current state, whatever order events came in.
 */
export interface SubscriptionSnapshot {
  status: 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';
  priceLookupKey: string | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}

export const DUNNING_STATES = ['NONE', 'GRACE', 'DOWNGRADED'] as const;
export type DunningState = (typeof DUNNING_STATES)[number];

export interface BillingDecision {
  /** The tier the organization should be on now. */
  tierKey: string;
  dunning: DunningState;
  /** When the grace period ends (dunning GRACE), after which the free tier applies. */
  graceEndsAt: Date | null;
}

/**
 * Decides the tier from the subscription:
 * - trialing or active: the tier of its price;
 * - past_due: keep the paid tier during a grace period that starts with the first failure; after it, the free tier;
 * - canceled, unpaid, incomplete_expired: the free tier;
 * - incomplete (first payment not done): no change from the current tier.
 */
export function decideTier(
  subscription: SubscriptionSnapshot | null,
  current: { tierKey: string; dunning: DunningState; graceEndsAt: Date | null },
  now: Date,
  graceDays: number,
): BillingDecision {
  if (!subscription) return { tierKey: FREE_TIER_KEY, dunning: 'NONE', graceEndsAt: null };
  const paidTier = tierOfLookupKey(subscription.priceLookupKey)?.tierKey ?? null;
  switch (subscription.status) {
    case 'trialing':
    case 'active':
      return { tierKey: paidTier ?? current.tierKey, dunning: 'NONE', graceEndsAt: null };
    case 'past_due': {
      const graceEndsAt = current.graceEndsAt ?? new Date(now.getTime() + graceDays * 86_400_000);
      if (now >= graceEndsAt) return { tierKey: FREE_TIER_KEY, dunning: 'DOWNGRADED', graceEndsAt };
      return { tierKey: paidTier ?? current.tierKey, dunning: 'GRACE', graceEndsAt };
    }
    case 'incomplete':
    case 'paused':
      return { tierKey: current.tierKey, dunning: current.dunning, graceEndsAt: current.graceEndsAt };
    case 'canceled':
    case 'unpaid':
    case 'incomplete_expired':
      return { tierKey: FREE_TIER_KEY, dunning: current.dunning === 'GRACE' ? 'DOWNGRADED' : 'NONE', graceEndsAt: null };
  }
}

/** Whether moving from one tier to another is an upgrade (applied now, prorated) or a downgrade (at period end). */
export function changeKind(fromRank: number, toRank: number): 'UPGRADE' | 'DOWNGRADE' | 'SAME' {
  if (toRank === fromRank) return 'SAME';
  return toRank > fromRank ? 'UPGRADE' : 'DOWNGRADE';
}
