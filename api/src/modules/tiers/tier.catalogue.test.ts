import { describe, expect, it } from 'vitest';
import { FEATURE_KEYS, valueSchema, type FeatureKey } from '../entitlements/index.js';
import { DEFAULT_TIERS } from './tier.catalogue.js';

describe('default tier catalogue', () => {
  it('gives every tier a valid value for every feature', () => {
    for (const tier of DEFAULT_TIERS) {
      for (const [feature, value] of Object.entries(tier.entitlements)) {
        expect(valueSchema(feature as FeatureKey).safeParse(value).success, `${tier.key} ${feature}`).toBe(true);
      }
      const listed = new Set(Object.keys(tier.entitlements));
      const allowed = tier.entitlements['tickets.priorities'] as string[];
      const targetOfDisallowedPriority = (feature: string) =>
        /^sla\.(firstResponse|nextResponse|resolution)\./.test(feature) && !allowed.includes(feature.split('.')[2]!);
      const missing = FEATURE_KEYS.filter((feature) => !listed.has(feature) && !targetOfDisallowedPriority(feature));
      expect(missing, tier.key).toEqual([]);
    }
  });

  it('has a response target for every priority a tier allows, and tighter targets higher up', () => {
    for (const tier of DEFAULT_TIERS) {
      for (const priority of tier.entitlements['tickets.priorities'] as string[]) {
        expect(tier.entitlements[`sla.firstResponse.${priority}` as FeatureKey], `${tier.key} ${priority}`).toBeTypeOf('number');
        expect(tier.entitlements[`sla.resolution.${priority}` as FeatureKey], `${tier.key} ${priority}`).toBeTypeOf('number');
        expect(tier.entitlements[`sla.nextResponse.${priority}` as FeatureKey], `${tier.key} ${priority}`).toBeTypeOf('number');
      }
    }
    const normal = DEFAULT_TIERS.map((tier) => tier.entitlements['sla.firstResponse.NORMAL'] as number);
    expect([...normal].sort((a, b) => b - a)).toEqual(normal);
  });
});
