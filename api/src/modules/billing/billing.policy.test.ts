import { describe, expect, it } from 'vitest';
import { changeKind, decideTier, type SubscriptionSnapshot } from './billing.policy.js';
import { lookupKey, planPrices, tierOfLookupKey } from './plans.js';

const now = new Date('2026-11-21T12:00:00Z');
const subscription = (status: SubscriptionSnapshot['status'], tier = 'business'): SubscriptionSnapshot => ({
  status,
  priceLookupKey: lookupKey(tier, 'month'),
  currentPeriodEnd: new Date('2026-12-21T12:00:00Z'),
  cancelAtPeriodEnd: false,
});
const onGrowth = { tierKey: 'growth', dunning: 'NONE' as const, graceEndsAt: null };

describe('plans', () => {
  it('maps lookup keys to tiers and back, and ignores foreign keys', () => {
    expect(tierOfLookupKey('tierdesk_business_annual')).toEqual({ tierKey: 'business', interval: 'year' });
    expect(tierOfLookupKey('tierdesk_community_monthly')).toBeNull();
    expect(tierOfLookupKey('someone_elses_price')).toBeNull();
    expect(planPrices().map((price) => price.lookupKey)).toContain('tierdesk_enterprise_annual');
  });
});

describe('deciding the tier from the subscription', () => {
  it('follows the price while trialing or active', () => {
    expect(decideTier(subscription('active'), onGrowth, now, 7)).toEqual({ tierKey: 'business', dunning: 'NONE', graceEndsAt: null });
    expect(decideTier(subscription('trialing', 'enterprise'), onGrowth, now, 7).tierKey).toBe('enterprise');
  });

  it('keeps the paid tier through a grace period after a failed payment, then falls back to the free tier', () => {
    const first = decideTier(subscription('past_due'), { tierKey: 'business', dunning: 'NONE', graceEndsAt: null }, now, 7);
    expect(first).toEqual({ tierKey: 'business', dunning: 'GRACE', graceEndsAt: new Date('2026-11-28T12:00:00Z') });
    const stillGrace = decideTier(subscription('past_due'), first, new Date('2026-11-27T12:00:00Z'), 7);
    expect(stillGrace.graceEndsAt).toEqual(first.graceEndsAt);
    expect(decideTier(subscription('past_due'), first, new Date('2026-11-28T12:00:00Z'), 7)).toMatchObject({
      tierKey: 'community',
      dunning: 'DOWNGRADED',
    });
    expect(decideTier(subscription('active'), first, new Date('2026-11-25T12:00:00Z'), 7)).toEqual({
      tierKey: 'business',
      dunning: 'NONE',
      graceEndsAt: null,
    });
  });

  it('moves cancelled subscriptions to the free tier and leaves incomplete ones alone', () => {
    expect(decideTier(subscription('canceled'), onGrowth, now, 7).tierKey).toBe('community');
    expect(decideTier(null, onGrowth, now, 7).tierKey).toBe('community');
    expect(decideTier(subscription('incomplete'), onGrowth, now, 7)).toEqual(onGrowth);
  });

  it('tells upgrades from downgrades by rank', () => {
    expect(changeKind(2, 3)).toBe('UPGRADE');
    expect(changeKind(3, 2)).toBe('DOWNGRADE');
    expect(changeKind(2, 2)).toBe('SAME');
  });
});
