import { describe, expect, it } from 'vitest';
import { Tier } from '../tiers/index.js';
import { checkCriteria, isValidTimeZone, suggestTier } from './organization.policy.js';

function tier(key: string, rank: number, criteria: Partial<Tier>): Tier {
  return Object.assign(new Tier(), { key, name: key, rank, description: '', ...criteria });
}

const tiers = [
  tier('community', 1, {}),
  tier('growth', 2, { minContractValue: 5_000 }),
  tier('business', 3, { minContractValue: 50_000, minMonthlyUsage: 1_000 }),
  tier('enterprise', 4, { minContractValue: 250_000, minMonthlyUsage: 10_000, requiresBusinessCritical: true }),
];

const figures = { contractValue: 0, monthlyUsage: 0, businessCritical: false, strategic: false };

describe('tier suggestion', () => {
  it('suggests the highest tier whose every criterion is met', () => {
    expect(suggestTier({ ...figures, contractValue: 60_000, monthlyUsage: 2_000 }, tiers).tier.key).toBe('business');
    expect(suggestTier({ ...figures, contractValue: 60_000, monthlyUsage: 10 }, tiers).tier.key).toBe('growth');
    expect(suggestTier(figures, tiers).tier.key).toBe('community');
  });

  it('requires business criticality where the tier asks for it', () => {
    const big = { ...figures, contractValue: 300_000, monthlyUsage: 20_000 };
    expect(suggestTier(big, tiers).tier.key).toBe('business');
    expect(suggestTier({ ...big, businessCritical: true }, tiers).tier.key).toBe('enterprise');
  });

  it('explains each criterion', () => {
    const checks = checkCriteria({ ...figures, contractValue: 300_000 }, tiers[3]!);
    expect(checks.map((check) => [check.criterion, check.met])).toEqual([
      ['contractValue', true],
      ['monthlyUsage', false],
      ['businessCritical', false],
    ]);
  });

  it('knows IANA time zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
