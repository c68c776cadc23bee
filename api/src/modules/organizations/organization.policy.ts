import { AppError } from '../../shared/errors.js';
import type { Tier } from '../tiers/index.js';
import type { Organization } from './organization.entity.js';

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export interface CriterionCheck {
  criterion: string;
  required: string;
  actual: string;
  met: boolean;
}

export interface TierSuggestion {
  tier: Tier;
  checks: CriterionCheck[];
}

/** Checks an organization's figures against one tier's criteria. Pure: unit-tested. */
export function checkCriteria(
  organization: Pick<Organization, 'contractValue' | 'monthlyUsage' | 'businessCritical' | 'strategic'>,
  tier: Tier,
): CriterionCheck[] {
  const checks: CriterionCheck[] = [
    {
      criterion: 'contractValue',
      required: `at least ${tier.minContractValue}`,
      actual: String(organization.contractValue),
      met: organization.contractValue >= tier.minContractValue,
    },
    {
      criterion: 'monthlyUsage',
      required: `at least ${tier.minMonthlyUsage}`,
      actual: String(organization.monthlyUsage),
      met: organization.monthlyUsage >= tier.minMonthlyUsage,
    },
  ];
  if (tier.requiresBusinessCritical) {
    checks.push({
      criterion: 'businessCritical',
      required: 'yes',
      actual: organization.businessCritical ? 'yes' : 'no',
      met: organization.businessCritical,
    });
  }
  if (tier.requiresStrategic) {
    checks.push({ criterion: 'strategic', required: 'yes', actual: organization.strategic ? 'yes' : 'no', met: organization.strategic });
  }
  return checks;
}

/** The highest-ranked tier whose every criterion the organization meets (the lowest tier if none). */
export function suggestTier(organization: Parameters<typeof checkCriteria>[0], tiers: readonly Tier[]): TierSuggestion {
  const ranked = [...tiers].sort((a, b) => b.rank - a.rank);
  for (const tier of ranked) {
    const checks = checkCriteria(organization, tier);
    if (checks.every((check) => check.met)) return { tier, checks };
  }
  const lowest = ranked[ranked.length - 1];
  if (!lowest) throw new AppError('NOT_FOUND', 'No tiers are defined.');
  return { tier: lowest, checks: checkCriteria(organization, lowest) };
}
