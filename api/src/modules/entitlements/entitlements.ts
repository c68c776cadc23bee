import { AppError } from '../../shared/errors.js';
import { PRIORITY_ORDER, TICKET_CHANNELS, type Coverage, type TicketChannel, type TicketPriority } from '../vocabulary/index.js';
import { FEATURES, firstResponseFeature, resolutionFeature, type FeatureKey, type FeatureValue } from './features.js';

export type EntitlementSource = 'TIER' | 'OVERRIDE';

/** The part of a tier entitlements are about; the tiers module's entity satisfies it. */
export interface TierInfo {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly rank: number;
}

/** A value a tier gives a feature (a `tier_entitlement` row). */
export interface TierValue {
  readonly feature: FeatureKey;
  readonly value: FeatureValue;
}

/** A contract exception: replaces the tier's value between two instants (an `entitlement_override` row). */
export interface OverrideValue extends TierValue {
  readonly effectiveFrom: Date;
  readonly effectiveUntil: Date | null;
}

export interface ResolvedValue {
  value: FeatureValue;
  source: EntitlementSource;
  effectiveUntil: Date | null;
}

/**
 * The entitlements in force for one organization at one instant: its tier's values with contract overrides on
 * top. This is the only place that decides what an organization may do; every reader asks it, and anything it
 * has no value for is denied.
 */
export class EffectiveEntitlements<T extends TierInfo = TierInfo> {
  constructor(
    readonly tier: T,
    private readonly values: ReadonlyMap<FeatureKey, ResolvedValue>,
  ) {}

  resolved(feature: FeatureKey): ResolvedValue | undefined {
    return this.values.get(feature);
  }

  features(): [FeatureKey, ResolvedValue][] {
    return [...this.values.entries()];
  }

  enabled(feature: FeatureKey): boolean {
    return this.values.get(feature)?.value === true;
  }

  /** A LIMIT: a number, null when unlimited; 0 (nothing) when absent. */
  limit(feature: FeatureKey): number | null {
    const resolved = this.values.get(feature);
    if (!resolved) return 0;
    return typeof resolved.value === 'number' ? resolved.value : null;
  }

  minutes(feature: FeatureKey): number | null {
    const value = this.values.get(feature)?.value;
    return typeof value === 'number' ? value : null;
  }

  members(feature: FeatureKey): string[] {
    const value = this.values.get(feature)?.value;
    return Array.isArray(value) ? value : [];
  }

  choice(feature: FeatureKey): string | null {
    const value = this.values.get(feature)?.value;
    return typeof value === 'string' ? value : null;
  }

  allowsPriority(priority: TicketPriority): boolean {
    return this.members('tickets.priorities').includes(priority);
  }

  allowsChannel(channel: TicketChannel): boolean {
    return this.members('tickets.channels').includes(channel);
  }

  get allowedPriorities(): TicketPriority[] {
    return PRIORITY_ORDER.filter((priority) => this.allowsPriority(priority));
  }

  get allowedChannels(): TicketChannel[] {
    return TICKET_CHANNELS.filter((channel) => this.allowsChannel(channel));
  }

  get coverage(): Coverage | null {
    return this.choice('sla.coverage') as Coverage | null;
  }

  responseTargets(): { priority: TicketPriority; firstResponseMinutes: number | null; resolutionMinutes: number | null }[] {
    return this.allowedPriorities.map((priority) => ({
      priority,
      firstResponseMinutes: this.minutes(firstResponseFeature(priority)),
      resolutionMinutes: this.minutes(resolutionFeature(priority)),
    }));
  }
}

/** Combines tier values and the overrides active at `at`. Later-starting overrides win over earlier ones. */
export function resolveEntitlements<T extends TierInfo>(
  tier: T,
  tierValues: readonly TierValue[],
  overrides: readonly OverrideValue[],
  at: Date,
): EffectiveEntitlements<T> {
  const values = new Map<FeatureKey, ResolvedValue>();
  for (const entry of tierValues) {
    if (entry.feature in FEATURES) values.set(entry.feature, { value: entry.value, source: 'TIER', effectiveUntil: null });
  }
  const active = overrides
    .filter((override) => override.effectiveFrom <= at && (!override.effectiveUntil || override.effectiveUntil > at))
    .sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
  for (const override of active) {
    values.set(override.feature, { value: override.value, source: 'OVERRIDE', effectiveUntil: override.effectiveUntil });
  }
  return new EffectiveEntitlements(tier, values);
}

/** A tier of the catalogue with its own values (no overrides). */
export interface TierCatalogueEntry<T extends TierInfo = TierInfo> {
  tier: T;
  entitlements: EffectiveEntitlements<T>;
}

/**
 * The error for a missing entitlement: names what is missing, the current tier, and the lowest tier (above the
 * current one) that includes it, so the customer knows what would unlock it.
 */
export function entitlementRequired(
  what: string,
  current: EffectiveEntitlements,
  catalogue: readonly TierCatalogueEntry[],
  grants: (entitlements: EffectiveEntitlements) => boolean,
  feature: FeatureKey,
): AppError {
  const unlocking = catalogue.find((entry) => entry.tier.rank > current.tier.rank && grants(entry.entitlements));
  const message = unlocking
    ? `${what} is not included in the ${current.tier.name} tier. It is available from the ${unlocking.tier.name} tier.`
    : `${what} is not included in the ${current.tier.name} tier.`;
  return new AppError('ENTITLEMENT_REQUIRED', message, {
    feature,
    currentTier: current.tier.key,
    requiredTier: unlocking?.tier.key ?? null,
  });
}
