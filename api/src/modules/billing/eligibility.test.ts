import { describe, expect, it } from 'vitest';
import { resolveEntitlements, type FeatureKey, type TierCatalogueEntry, type TierValue } from '../entitlements/index.js';
import { DEFAULT_TIERS, type Tier } from '../tiers/index.js';
import { upgradeEligibility, type EligibilityInput } from './eligibility.js';

const at = new Date('2026-11-21T12:00:00Z');
const catalogue: TierCatalogueEntry<Tier>[] = DEFAULT_TIERS.map((definition) => {
  const { entitlements, ...fields } = definition;
  const tier = { ...fields, id: `tier-${definition.key}` } as unknown as Tier;
  const values = Object.entries(entitlements).map(([feature, value]): TierValue => ({ feature: feature as FeatureKey, value }));
  return { tier, entitlements: resolveEntitlements(tier, values, [], at) };
});
const tier = (key: string) => catalogue.find((entry) => entry.tier.key === key)!.tier;

// Initech: growth, 12k contract, 800 usage (Business needs 50k and 1,000).
const initech = { contractValue: 12_000, monthlyUsage: 800, businessCritical: false, strategic: false };
const check = (overrides: Partial<EligibilityInput> = {}) =>
  upgradeEligibility({
    organization: initech,
    currentTier: tier('growth'),
    catalogue,
    ticketsThisMonth: 2,
    severeTicketsThisMonth: 0,
    ...overrides,
  });

describe('upgrade eligibility', () => {
  it('is null when the current tier fits', () => {
    expect(check()).toBeNull();
    expect(
      upgradeEligibility({
        organization: { contractValue: 0, monthlyUsage: 120, businessCritical: false, strategic: false },
        currentTier: tier('community'),
        catalogue,
        ticketsThisMonth: 1,
        severeTicketsThisMonth: 0,
      }),
    ).toBeNull();
  });

  it('suggests the tier whose criteria the figures meet', () => {
    const suggestion = check({ organization: { ...initech, contractValue: 60_000, monthlyUsage: 1_500 } });
    expect(suggestion?.tier.key).toBe('business');
    expect(suggestion?.reasons).toEqual(['Your contract value and usage match the Business tier']);
  });

  it('suggests the next tier with a larger allowance when the allowance is nearly used', () => {
    const suggestion = check({ ticketsThisMonth: 45 });
    expect(suggestion?.tier.key).toBe('business');
    expect(suggestion?.reasons).toEqual(['You have used 45 of your 50 tickets this month']);
    expect(check({ ticketsThisMonth: 39 })).toBeNull();
  });

  it('names critical-impact tickets it could not open as Urgent', () => {
    const suggestion = check({ severeTicketsThisMonth: 3, ticketsThisMonth: 45 });
    expect(suggestion?.tier.key).toBe('business');
    expect(suggestion?.reasons).toEqual([
      '3 critical-impact tickets this month; Urgent priority starts at Business',
      'You have used 45 of your 50 tickets this month',
    ]);
    expect(check({ severeTicketsThisMonth: 1 })?.reasons).toEqual([
      '1 critical-impact ticket this month; Urgent priority starts at Business',
    ]);
    // Business allows Urgent: nothing to say there.
    expect(
      upgradeEligibility({
        organization: { ...initech, contractValue: 90_000, monthlyUsage: 4_000 },
        currentTier: tier('business'),
        catalogue,
        ticketsThisMonth: 3,
        severeTicketsThisMonth: 3,
      }),
    ).toBeNull();
  });

  it('suggests Enterprise for business-critical support without 24×7 coverage, strongest reason first', () => {
    const suggestion = check({ organization: { ...initech, businessCritical: true }, severeTicketsThisMonth: 0, ticketsThisMonth: 45 });
    expect(suggestion?.tier.key).toBe('enterprise');
    expect(suggestion?.reasons).toEqual([
      'Support is business-critical for you; 24×7 coverage starts at Enterprise',
      'You have used 45 of your 50 tickets this month',
    ]);
  });

  it('never suggests a lower tier, and nothing above the top tier', () => {
    const suggestion = upgradeEligibility({
      organization: initech,
      currentTier: tier('business'),
      catalogue,
      ticketsThisMonth: 240,
      severeTicketsThisMonth: 0,
    });
    expect(suggestion?.tier.key).toBe('enterprise');
    expect(
      upgradeEligibility({
        organization: { ...initech, businessCritical: true },
        currentTier: tier('enterprise'),
        catalogue,
        ticketsThisMonth: 9_999,
        severeTicketsThisMonth: 9,
      }),
    ).toBeNull();
    // Figures that only meet a lower tier's criteria say nothing.
    expect(
      upgradeEligibility({
        organization: { ...initech, contractValue: 0 },
        currentTier: tier('business'),
        catalogue,
        ticketsThisMonth: 0,
        severeTicketsThisMonth: 0,
      }),
    ).toBeNull();
  });
});
