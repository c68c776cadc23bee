import type { ModuleDefinition } from '../../shared/module.js';
import { Tier, TierEntitlement } from './tier.entity.js';
import { EntitlementOptionsResolver, TierResolver, tierNode } from './tier.resolver.js';

/** Tiers: the catalogue of support tiers, each with its own entitlement values and qualification criteria. */
export { DEFAULT_TIERS } from './tier.catalogue.js';
export { Tier, TierEntitlement } from './tier.entity.js';
export { loadTier, loadTierCatalogue, primeTiers, tierCatalogue, upsertTiers } from './tier.service.js';
export { TierType } from './tier.types.js';

export const tiersModule: ModuleDefinition = {
  name: 'tiers',
  entities: [Tier, TierEntitlement],
  resolvers: [TierResolver, EntitlementOptionsResolver],
  nodes: { Tier: tierNode },
};
