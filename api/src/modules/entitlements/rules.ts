import { AppError } from '../../shared/errors.js';
import { PRIORITY_ORDER, type TicketChannel, type TicketPriority } from '../vocabulary/index.js';
import { entitlementRequired, type EffectiveEntitlements, type TierCatalogueEntry } from './entitlements.js';

/**
 * The one home of the rules that decide what an organization's tier lets it do with a ticket. The ticket
 * workflows, the routing dry run, billing's downgrade check, the upgrade-eligibility job and the portal's messages
 * (through `priorityOptions` in the API) all ask these functions, so a refusal reads the same everywhere.
 * Each returns the typed error to throw, or null when the tier allows it.
 */

type Catalogue = readonly TierCatalogueEntry[];

function priorityLabel(priority: TicketPriority): string {
  return `${priority.charAt(0)}${priority.slice(1).toLowerCase()} priority`;
}

export function priorityRefusal(current: EffectiveEntitlements, catalogue: Catalogue, priority: TicketPriority): AppError | null {
  if (current.allowsPriority(priority)) return null;
  return entitlementRequired(priorityLabel(priority), current, catalogue, (e) => e.allowsPriority(priority), 'tickets.priorities');
}

export function channelRefusal(current: EffectiveEntitlements, catalogue: Catalogue, channel: TicketChannel): AppError | null {
  if (current.allowsChannel(channel)) return null;
  return entitlementRequired(
    `Support over ${channel.toLowerCase()}`,
    current,
    catalogue,
    (e) => e.allowsChannel(channel),
    'tickets.channels',
  );
}

/** `usedThisMonth`: tickets opened since the start of the calendar month (UTC), before this one. */
export function allowanceRefusal(current: EffectiveEntitlements, catalogue: Catalogue, usedThisMonth: number): AppError | null {
  const allowance = current.limit('tickets.monthlyAllowance');
  if (allowance === null || usedThisMonth < allowance) return null;
  const more = entitlementRequired(
    `More than ${allowance} tickets a month`,
    current,
    catalogue,
    (e) => {
      const limit = e.limit('tickets.monthlyAllowance');
      return limit === null || limit > allowance;
    },
    'tickets.monthlyAllowance',
  );
  return new AppError('TICKET_ALLOWANCE_EXHAUSTED', `This month's ${allowance} tickets are used. ${more.message}`, more.details);
}

export function customerEscalationRefusal(current: EffectiveEntitlements, catalogue: Catalogue): AppError | null {
  if (current.enabled('support.customerEscalation')) return null;
  return entitlementRequired(
    'Escalating a ticket yourself',
    current,
    catalogue,
    (e) => e.enabled('support.customerEscalation'),
    'support.customerEscalation',
  );
}

export interface PriorityOption {
  priority: TicketPriority;
  included: boolean;
  /** Why not, in the words of the refusal the API would give; null when included. */
  message: string | null;
  /** The lowest higher tier that includes it; null when included or when no tier does. */
  requiredTier: string | null;
}

/** Every priority with whether the tier includes it, for forms that offer only what will be accepted. */
export function priorityOptions(current: EffectiveEntitlements, catalogue: Catalogue): PriorityOption[] {
  return PRIORITY_ORDER.map((priority) => {
    const refusal = priorityRefusal(current, catalogue, priority);
    return {
      priority,
      included: refusal === null,
      message: refusal?.message ?? null,
      requiredTier: typeof refusal?.details.requiredTier === 'string' ? refusal.details.requiredTier : null,
    };
  });
}
