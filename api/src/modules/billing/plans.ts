/**
 * What each paid tier costs. Prices live in Stripe under these lookup keys (`tierdesk sync-plans` creates and
 * updates them); a tier without an entry here is free and has no subscription.
 */
export type BillingInterval = 'month' | 'year';

export interface PlanPrice {
  tierKey: string;
  interval: BillingInterval;
  lookupKey: string;
  /** Minor units (cents). */
  unitAmount: number;
  currency: 'usd';
}

export interface PlanDefinition {
  tierKey: string;
  productId: string;
  monthly: number;
  /** Annual price: two months free. */
  annual: number;
  /** Days of trial offered with the first subscription to this tier (0: none). One trial per organization. */
  trialDays: number;
}

export const PLANS: readonly PlanDefinition[] = [
  { tierKey: 'growth', productId: 'tierdesk_growth', monthly: 4_900, annual: 49_000, trialDays: 14 },
  { tierKey: 'business', productId: 'tierdesk_business', monthly: 19_900, annual: 199_000, trialDays: 14 },
  { tierKey: 'enterprise', productId: 'tierdesk_enterprise', monthly: 79_900, annual: 799_000, trialDays: 0 },
];

export const FREE_TIER_KEY = 'community';

export function lookupKey(tierKey: string, interval: BillingInterval): string {
  return `tierdesk_${tierKey}_${interval === 'month' ? 'monthly' : 'annual'}`;
}

export function planPrices(): PlanPrice[] {
  return PLANS.flatMap((plan) => [
    {
      tierKey: plan.tierKey,
      interval: 'month' as const,
      lookupKey: lookupKey(plan.tierKey, 'month'),
      unitAmount: plan.monthly,
      currency: 'usd' as const,
    },
    {
      tierKey: plan.tierKey,
      interval: 'year' as const,
      lookupKey: lookupKey(plan.tierKey, 'year'),
      unitAmount: plan.annual,
      currency: 'usd' as const,
    },
  ]);
}

/** The tier a price lookup key stands for, or null for a key that is not ours. */
export function tierOfLookupKey(key: string | null | undefined): { tierKey: string; interval: BillingInterval } | null {
  const match = key ? /^tierdesk_([a-z0-9-]+)_(monthly|annual)$/.exec(key) : null;
  if (!match || !PLANS.some((plan) => plan.tierKey === match[1])) return null;
  return { tierKey: match[1]!, interval: match[2] === 'monthly' ? 'month' : 'year' };
}
