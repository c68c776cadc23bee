import { priorityRefusal, type EffectiveEntitlements, type TierCatalogueEntry as CatalogueEntry } from '../entitlements/index.js';
import { checkCriteria, suggestTier, type Organization } from '../organizations/index.js';
import type { Tier } from '../tiers/index.js';
import { Coverage, TicketPriority } from '../vocabulary/index.js';

type TierCatalogueEntry = CatalogueEntry<Tier>;

/** The share of the monthly ticket allowance from which it counts as nearly used. */
const ALLOWANCE_NEARLY_USED = 0.8;

export interface EligibilityInput {
  organization: Pick<Organization, 'contractValue' | 'monthlyUsage' | 'businessCritical' | 'strategic'>;
  currentTier: Tier;
  /** Every tier with its own entitlements (no overrides), any order. */
  catalogue: readonly TierCatalogueEntry[];
  ticketsThisMonth: number;
  /** Tickets opened this month with CRITICAL impact or URGENT priority. */
  severeTicketsThisMonth: number;
  /** The organization's entitlements in force (tier plus overrides); the current tier's own when absent. */
  entitlements?: EffectiveEntitlements;
}

export interface UpgradeSuggestion {
  tier: Tier;
  /** Plain-words reasons, strongest first; each one is addressed by `tier`. */
  reasons: string[];
}

interface Reason {
  /** Whether moving to this tier addresses the reason. */
  fixes(entry: TierCatalogueEntry): boolean;
  /** The tier this reason points to, when not simply the lowest one that fixes it. */
  target?: TierCatalogueEntry;
  text(suggested: TierCatalogueEntry): string;
}

function criteriaPhrase(tier: Tier): string {
  const parts: string[] = [];
  if (tier.minContractValue > 0) parts.push('contract value');
  if (tier.minMonthlyUsage > 0) parts.push('usage');
  if (tier.requiresBusinessCritical) parts.push('business-critical support');
  if (tier.requiresStrategic) parts.push('strategic account');
  if (!parts.length) return 'Your figures match';
  const joined = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
  return `Your ${joined} ${parts.length === 1 ? 'matches' : 'match'}`;
}

/**
 * Whether a higher tier fits an organization better than its current one, and why. Pure: unit-tested.
 *
 * Reasons, strongest first: critical-impact or urgent tickets it may not open as Urgent; business-critical support
 * without 24×7 coverage; figures (contract value, usage, criticality) that meet a higher tier's criteria; the
 * monthly ticket allowance nearly used. The suggestion is the lowest tier above the current one that addresses
 * the strongest reason (for the criteria, the highest tier whose criteria are all met); the reasons returned are
 * those that tier addresses. Never a lower tier; null when the current tier fits.
 */
export function upgradeEligibility(input: EligibilityInput): UpgradeSuggestion | null {
  const catalogue = [...input.catalogue].sort((a, b) => a.tier.rank - b.tier.rank);
  const current = input.entitlements ?? catalogue.find((entry) => entry.tier.id === input.currentTier.id)?.entitlements;
  if (!current) return null;
  const higher = catalogue.filter((entry) => entry.tier.rank > input.currentTier.rank);
  if (!higher.length) return null;
  const reasons: Reason[] = [];

  if (input.severeTicketsThisMonth > 0 && priorityRefusal(current, catalogue, TicketPriority.URGENT)) {
    const count = input.severeTicketsThisMonth;
    const fixes = (entry: TierCatalogueEntry) => entry.entitlements.allowsPriority(TicketPriority.URGENT);
    const starts = higher.find(fixes);
    reasons.push({
      fixes,
      text: () =>
        `${count} critical-impact ticket${count === 1 ? '' : 's'} this month; Urgent priority starts at ${starts?.tier.name ?? 'a higher tier'}`,
    });
  }

  if (input.organization.businessCritical && current.coverage !== Coverage.ALWAYS) {
    const fixes = (entry: TierCatalogueEntry) => entry.entitlements.coverage === Coverage.ALWAYS;
    const starts = higher.find(fixes);
    reasons.push({
      fixes,
      text: () => `Support is business-critical for you; 24×7 coverage starts at ${starts?.tier.name ?? 'a higher tier'}`,
    });
  }

  const fitting = suggestTier(
    input.organization,
    catalogue.map((entry) => entry.tier),
  ).tier;
  if (fitting.rank > input.currentTier.rank) {
    const target = higher.find((entry) => entry.tier.id === fitting.id);
    reasons.push({
      target,
      fixes: (entry) => checkCriteria(input.organization, entry.tier).every((check) => check.met),
      text: (suggested) => `${criteriaPhrase(suggested.tier)} the ${suggested.tier.name} tier`,
    });
  }

  const allowance = current.limit('tickets.monthlyAllowance');
  if (allowance !== null && allowance > 0 && input.ticketsThisMonth >= Math.ceil(allowance * ALLOWANCE_NEARLY_USED)) {
    const used = input.ticketsThisMonth;
    reasons.push({
      fixes: (entry) => {
        const limit = entry.entitlements.limit('tickets.monthlyAllowance');
        return limit === null || limit > allowance;
      },
      text: () => `You have used ${used} of your ${allowance} tickets this month`,
    });
  }

  for (const strongest of reasons) {
    const suggested = strongest.target ?? higher.find((entry) => strongest.fixes(entry));
    if (!suggested) continue; // nothing above fixes it: look at the next reason
    return {
      tier: suggested.tier,
      reasons: reasons.filter((reason) => reason === strongest || reason.fixes(suggested)).map((reason) => reason.text(suggested)),
    };
  }
  return null;
}
