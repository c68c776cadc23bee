import { describe, expect, it } from 'vitest';
import { TicketPriority } from '../vocabulary/index.js';
import { entitlementRequired, resolveEntitlements, type OverrideValue, type TierInfo, type TierValue } from './entitlements.js';
import type { FeatureKey, FeatureValue } from './features.js';
import { valueSchema } from './features.js';

const tier = (key: string, rank: number): TierInfo => ({ id: key, key, name: key[0]!.toUpperCase() + key.slice(1), rank });
const value = (_tier: TierInfo, feature: FeatureKey, v: FeatureValue): TierValue => ({ feature, value: v });
const override = (feature: FeatureKey, v: FeatureValue, from: string, until: string | null): OverrideValue => ({
  feature,
  value: v,
  effectiveFrom: new Date(from),
  effectiveUntil: until ? new Date(until) : null,
});

const growth = tier('growth', 2);
const business = tier('business', 3);
const growthValues = [
  value(growth, 'tickets.priorities', ['LOW', 'NORMAL', 'HIGH']),
  value(growth, 'sla.firstResponse.HIGH', 240),
  value(growth, 'tickets.monthlyAllowance', 50),
];

describe('effective entitlements', () => {
  it('denies whatever has no value', () => {
    const effective = resolveEntitlements(growth, growthValues, [], new Date());
    expect(effective.allowsPriority(TicketPriority.URGENT)).toBe(false);
    expect(effective.enabled('support.technicalAccountManager')).toBe(false);
    expect(effective.limit('api.requestsPerMinute')).toBe(0);
    expect(effective.minutes('sla.firstResponse.URGENT')).toBeNull();
    expect(effective.allowedChannels).toEqual([]);
    expect(effective.coverage).toBeNull();
  });

  it('treats a stored null limit as unlimited', () => {
    const effective = resolveEntitlements(growth, [value(growth, 'tickets.monthlyAllowance', null)], [], new Date());
    expect(effective.limit('tickets.monthlyAllowance')).toBeNull();
  });

  it('applies contract overrides only inside their period, the latest-starting one winning', () => {
    const overrides = [
      override('tickets.priorities', ['LOW', 'NORMAL', 'HIGH', 'URGENT'], '2026-01-01', '2026-07-01'),
      override('tickets.monthlyAllowance', 80, '2026-01-01', null),
      override('tickets.monthlyAllowance', 120, '2026-03-01', null),
    ];
    const inside = resolveEntitlements(growth, growthValues, overrides, new Date('2026-04-01'));
    expect(inside.allowsPriority(TicketPriority.URGENT)).toBe(true);
    expect(inside.resolved('tickets.priorities')?.source).toBe('OVERRIDE');
    expect(inside.limit('tickets.monthlyAllowance')).toBe(120);
    const after = resolveEntitlements(growth, growthValues, overrides, new Date('2026-07-01'));
    expect(after.allowsPriority(TicketPriority.URGENT)).toBe(false);
    const before = resolveEntitlements(growth, growthValues, overrides, new Date('2025-12-31'));
    expect(before.limit('tickets.monthlyAllowance')).toBe(50);
  });

  it('names the lowest higher tier that unlocks what is missing', () => {
    const current = resolveEntitlements(growth, growthValues, [], new Date());
    const catalogue = [
      { tier: growth, entitlements: current },
      { tier: business, entitlements: resolveEntitlements(business, [value(business, 'tickets.priorities', ['URGENT'])], [], new Date()) },
    ];
    const error = entitlementRequired(
      'Urgent priority',
      current,
      catalogue,
      (e) => e.allowsPriority(TicketPriority.URGENT),
      'tickets.priorities',
    );
    expect(error.message).toBe('Urgent priority is not included in the Growth tier. It is available from the Business tier.');
    expect(error.details).toMatchObject({ requiredTier: 'business', currentTier: 'growth' });
    const nowhere = entitlementRequired('Phone support', current, catalogue, () => false, 'tickets.channels');
    expect(nowhere.message).toBe('Phone support is not included in the Growth tier.');
  });

  it('validates values by feature kind', () => {
    expect(valueSchema('tickets.priorities').safeParse(['LOW', 'BOGUS']).success).toBe(false);
    expect(valueSchema('sla.firstResponse.LOW').safeParse(0).success).toBe(false);
    expect(valueSchema('sla.firstResponse.LOW').safeParse(10_000_000).success).toBe(false);
    expect(valueSchema('tickets.monthlyAllowance').safeParse(null).success).toBe(true);
    expect(valueSchema('sla.coverage').safeParse('ALWAYS').success).toBe(true);
    expect(valueSchema('kb.premium').safeParse('yes').success).toBe(false);
  });
});
