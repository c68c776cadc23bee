import type { ModuleDefinition } from '../../shared/module.js';

/**
 * Entitlements: the typed feature catalogue, how a tier's values and contract overrides resolve into what an
 * organization may do, and the rules that refuse what it may not. Pure: it reads nothing from the database.
 */
export {
  EffectiveEntitlements,
  entitlementRequired,
  resolveEntitlements,
  type TierCatalogueEntry,
  type TierValue,
} from './entitlements.js';
export {
  FEATURE_KEYS,
  FEATURES,
  firstResponseFeature,
  isFeatureKey,
  nextResponseFeature,
  resolutionFeature,
  valueSchema,
  type FeatureKey,
  type FeatureValue,
} from './features.js';
export { allowanceRefusal, channelRefusal, customerEscalationRefusal, priorityOptions, priorityRefusal } from './rules.js';
export { Entitlements, EntitlementValue, PriorityOption } from './entitlement.types.js';

export const entitlementsModule: ModuleDefinition = { name: 'entitlements' };
